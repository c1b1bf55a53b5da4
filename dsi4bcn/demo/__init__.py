"""The demo set: fictional but realistic organisations and projects of Barcelona's DSI network.

Written for dsi4bcn (no real person's data). ``dsi4bcn serve --demo`` loads it into an empty data folder.
The logos and header images in ``images/`` were drawn for the demo by ``scripts/build_demo_images.py``
(``<slug>-logo.png``, ``<slug>-header.png``); they are stored in the node's media table at every start of
a demo node, and the demo profiles name their ``/media/`` URLs. ``calls.yaml`` holds a few calls for
collaboration of demo projects, published once their authors are on the node.
"""

import asyncio
import os
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from importlib import resources
from typing import Any

import yaml

from dsi4bcn.fediverse.callpublisher import CallPublisher
from dsi4bcn.profiles.callvalidation import normalise_call
from dsi4bcn.profiles.images import check_image, media_path
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.profiles.validation import KINDS, Kind, normalise_profile
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.mediastore import MediaStore
from federation.keys import generate_key_pair
from federation.types import KeyPair
from vocab.concepts import concept_index

__all__ = ["demo_calls", "demo_documents", "demo_profiles", "load_demo", "load_demo_calls", "store_demo_images"]

_FILES: dict[Kind, str] = {"organisation": "organisations.yaml", "project": "projects.yaml"}
# The image files of a demo profile, by the field that names them.
_IMAGE_FILES = {"icon": "{slug}-logo.png", "image": "{slug}-header.png"}


def _yaml(name: str) -> Any:
    """A bundled YAML file, read with libyaml's C parser where PyYAML has it (ten times faster)."""
    text = resources.files("dsi4bcn.demo").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def demo_documents(kind: Kind) -> list[dict[str, Any]]:
    """The demo profiles of one kind, each with its ``slug``, as written in the YAML files."""
    documents = _yaml(_FILES[kind])
    assert isinstance(documents, list)
    return documents


def demo_profiles(
    base_url: str, images: Mapping[str, Mapping[str, str]] | None = None
) -> Iterator[tuple[Kind, str, dict[str, Any], str | None]]:
    """Every demo profile, organisations first, as ``(kind, slug, canonical fields, organisation slug)``.

    Each is validated as the admin API validates it for a node at ``base_url``, in turn, so that a project
    can name an organisation that came before it. ``images`` (``{slug: {field: url}}``) adds logos and
    header images.
    """
    organisations: set[str] = set()
    for kind in KINDS:
        for document in demo_documents(kind):
            body = dict(document)
            slug = body.pop("slug")
            body.update((images or {}).get(slug, {}))
            fields, organisation = normalise_profile(
                kind,
                body,
                actor_iri=actor_iri(base_url, kind, slug),
                concepts=concept_index(),
                resolve_organisation=lambda reference: reference if reference in organisations else None,
            )
            yield kind, slug, fields, organisation
            if kind == "organisation":
                organisations.add(slug)


async def store_demo_images(media: MediaStore, base_url: str) -> dict[str, dict[str, str]]:
    """Store the demo images in the media table (again: it keeps one copy of each); ``{slug: {field: url}}``."""
    folder = resources.files("dsi4bcn.demo").joinpath("images")
    urls: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        for document in demo_documents(kind):
            slug = str(document["slug"])
            for field, pattern in _IMAGE_FILES.items():
                entry = folder.joinpath(pattern.format(slug=slug))
                if not entry.is_file():
                    continue
                image = check_image(entry.read_bytes(), "image/png")
                await media.put(image.sha256, image.media_type, image.data, image.width, image.height, "demo")
                urls.setdefault(slug, {})[field] = base_url + media_path(image.sha256, image.media_type)
    return urls


async def load_demo(
    store: ProfileStore, base_url: str = "https://demo.invalid", media: MediaStore | None = None
) -> str:
    """Load the demo set if the node has no profiles yet, with its images when ``media`` is given; say what
    was done."""
    images = await store_demo_images(media, base_url) if media is not None else {}
    if await store.count("organisation") or await store.count("project"):
        return "the data folder already has profiles; demo data not loaded"
    loaded = {kind: 0 for kind in KINDS}
    profiles = list(demo_profiles(base_url, images))
    # The key pairs first, on every core (each takes a good part of a second of CPU), then the writes in order.
    lanes = asyncio.Semaphore(os.cpu_count() or 1)

    async def key_pair() -> KeyPair:
        async with lanes:
            return await asyncio.to_thread(generate_key_pair)

    keys = await asyncio.gather(*(key_pair() for _ in profiles))
    for (kind, slug, fields, organisation), pair in zip(profiles, keys, strict=True):
        await store.put(kind, slug, fields, organisation, keys=pair)
        loaded[kind] += 1
    return f"loaded {loaded['organisation']} organisations and {loaded['project']} projects"


def demo_calls(today: date) -> list[tuple[str, dict[str, Any]]]:
    """The demo calls as ``(author slug, canonical fields)``, open from ``today`` on, each validated as the
    admin API validates a call."""
    calls = []
    for document in _yaml("calls.yaml"):
        body = dict(document)
        author = body.pop("author")
        body["validUntil"] = (today + timedelta(days=int(body.pop("openDays")))).isoformat()
        if "deadlineDays" in body:
            body["deadline"] = (today + timedelta(days=int(body.pop("deadlineDays")))).isoformat()
        calls.append((author, normalise_call(body, concepts=concept_index())))
    return calls


async def load_demo_calls(store: ProfileStore, publisher: CallPublisher, today: date) -> str:
    """Publish the demo calls if their authors are on the node and have none yet; say what was done."""
    published = 0
    for author_slug, fields in demo_calls(today):
        author = await store.get(author_slug)
        if author is None or author.deleted or await publisher.has_calls(author.slug):
            continue
        await publisher.publish(author, fields)
        published += 1
    return f"published {published} calls"
