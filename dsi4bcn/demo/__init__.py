"""The demo set: fictional but realistic organisations and projects of Barcelona's DSI network.

Written for dsi4bcn (no real person's data). ``dsi4bcn serve --demo`` loads it into an empty data folder.
"""

from collections.abc import Iterator
from importlib import resources
from typing import Any

import yaml

from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.profiles.validation import KINDS, Kind, normalise_profile
from dsi4bcn.storage.localactors import ProfileStore
from vocab.concepts import concept_index

__all__ = ["demo_documents", "demo_profiles", "load_demo"]

_FILES: dict[Kind, str] = {"organisation": "organisations.yaml", "project": "projects.yaml"}


def demo_documents(kind: Kind) -> list[dict[str, Any]]:
    """The demo profiles of one kind, each with its ``slug``, as written in the YAML files."""
    text = resources.files("dsi4bcn.demo").joinpath(_FILES[kind]).read_text(encoding="utf-8")
    documents = yaml.safe_load(text)
    assert isinstance(documents, list)
    return documents


def demo_profiles(base_url: str) -> Iterator[tuple[Kind, str, dict[str, Any], str | None]]:
    """Every demo profile, organisations first, as ``(kind, slug, canonical fields, organisation slug)``.

    Each is validated as the admin API validates it for a node at ``base_url``, in turn, so that a project
    can name an organisation that came before it.
    """
    organisations: set[str] = set()
    for kind in KINDS:
        for document in demo_documents(kind):
            body = dict(document)
            slug = body.pop("slug")
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


async def load_demo(store: ProfileStore, base_url: str = "https://demo.invalid") -> str:
    """Load the demo set if the node has no profiles yet; say what was done."""
    if await store.count("organisation") or await store.count("project"):
        return "the data folder already has profiles; demo data not loaded"
    loaded = {kind: 0 for kind in KINDS}
    for kind, slug, fields, organisation in demo_profiles(base_url):
        await store.put(kind, slug, fields, organisation)
        loaded[kind] += 1
    return f"loaded {loaded['organisation']} organisations and {loaded['project']} projects"
