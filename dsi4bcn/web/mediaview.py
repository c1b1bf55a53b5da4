"""Logos and header images as the pages show them: always from this node's ``/media/``, never another host.

A local profile's image is its own upload (a ``/media/`` URL of this node) or the copy fetched of the URL it
names; a received profile's is the copy of the URL it names now (so an erased profile or a changed logo no
longer shows the old one). With no copy yet, a page shows a ``Placeholder``: initials on a coloured block
drawn with CSS.
"""

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.images import IMAGE_ROLES, media_path, own_media_name
from dsi4bcn.profiles.iris import actor_iri, profile_page
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.mediastore import MediaRef, MediaStore

__all__ = [
    "ImageView",
    "Placeholder",
    "directory_logos",
    "image_view",
    "local_images",
    "logo_html",
    "placeholder",
    "profile_cards",
    "received_images",
]

PLACEHOLDER_COLOURS = 6  # ``.mark-0`` … ``.mark-5`` in site.css


@dataclass(frozen=True)
class ImageView:
    """An ``<img>`` of this node: its path and size in pixels (so the page keeps its place while it loads)."""

    src: str
    width: int
    height: int


@dataclass(frozen=True)
class Placeholder:
    """What stands for a logo not held (yet): up to two initials and one of the placeholder colours."""

    initials: str
    colour: int


def image_view(ref: MediaRef) -> ImageView:
    """The ``<img>`` of a held image."""
    return ImageView(media_path(ref.sha256, ref.media_type), ref.width, ref.height)


def placeholder(name: str) -> Placeholder:
    """Initials of ``name`` (of its first two words of more than two letters, else of its first two words;
    words not starting with a letter or digit left out) and a colour chosen by the name, so that a profile
    keeps its colour. One pass: a directory page draws one per result."""
    initials = shorts = ""
    for word in name.split():
        if not word[0].isalnum():
            continue
        if len(word) > 2:
            initials += word[0]
            if len(initials) == 2:
                break
        elif len(shorts) < 2:
            shorts += word[0]
    return Placeholder((initials or shorts).upper() or "·", zlib.crc32(name.encode("utf-8")) % PLACEHOLDER_COLOURS)


def logo_html(image: ImageView | None, mark: Placeholder, size: int = 48, lazy: bool = True) -> Markup:
    """A logo beside a profile's name, decorative (its name is written next to it): the ``<img>`` of
    ``image``, or ``mark`` as initials on a colour. The one writer of this markup, for templates too."""
    if image is None:
        return Markup(  # noqa: S704 - the initials are escaped, the colour is a number
            f'<span class="logo mark mark-{int(mark.colour)}" aria-hidden="true">{escape(mark.initials)}</span>'
        )
    loading = ' loading="lazy" decoding="async"' if lazy else ""
    return Markup(  # noqa: S704 - the path is escaped, the sizes are numbers
        f'<img class="logo" src="{escape(image.src)}" alt="" width="{int(size)}" height="{int(size)}"{loading}>'
    )


async def local_images(
    media: MediaStore, base_url: str, profiles: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, ImageView]]:
    """``{key: {role: image}}`` of the images held for local profiles (``{key: fields}``)."""
    own: dict[tuple[str, str], str] = {}
    other: dict[tuple[str, str], str] = {}
    for key, fields in profiles.items():
        for role in IMAGE_ROLES:
            url = fields.get(role)
            if not isinstance(url, str):
                continue
            name = own_media_name(url, base_url)
            if name is not None:
                own[(key, role)] = name.split(".", 1)[0]
            else:
                other[(key, role)] = url
    refs = await media.refs(own.values())
    cached = await media.cached(other.values())
    found: dict[str, dict[str, ImageView]] = {}
    for (key, role), sha256 in own.items():
        if sha256 in refs:
            found.setdefault(key, {})[role] = image_view(refs[sha256])
    for (key, role), url in other.items():
        if url in cached:
            found.setdefault(key, {})[role] = image_view(cached[url])
    return found


async def received_images(media: MediaStore, actors: Iterable[str]) -> dict[str, dict[str, ImageView]]:
    """``{actor: {role: image}}`` of the copies held of the images received profiles name now."""
    held = await media.received_images(sorted(set(actors)))
    return {actor: {role: image_view(ref) for role, ref in roles.items()} for actor, roles in held.items()}


async def profile_cards(
    records: Sequence[ActorRecord], media: MediaStore, *, base_url: str, authority: str, language: str
) -> list[dict[str, Any]]:
    """Local profiles as the cards macro shows them: name, page, handle, and logo or placeholder."""
    images = await local_images(media, base_url, {record.slug: record.fields for record in records})
    return [
        {
            "name": record.name(language),
            "href": f"{profile_page(base_url, record.slug)}?lang={language}",
            "handle": f"@{record.slug}@{authority}",
            "logo": images.get(record.slug, {}).get("icon"),
            "mark": placeholder(record.name(language)),
        }
        for record in records
    ]


async def directory_logos(
    media: MediaStore, store: ProfileStore, base_url: str, profiles: Sequence[tuple[str, bool]]
) -> dict[str, ImageView]:
    """``{iri: logo}`` of the directory's ``(iri, local)`` profiles that have one."""
    local_ids = {iri for iri, local in profiles if local}
    fields: dict[str, Mapping[str, Any]] = {}
    if local_ids:
        for kind in ("organisation", "project"):
            for record in await store.list(kind):
                iri = actor_iri(base_url, record.kind, record.slug)
                if iri in local_ids:
                    fields[iri] = record.fields
    found = await local_images(media, base_url, fields)
    found.update(await received_images(media, [iri for iri, local in profiles if not local]))
    return {actor: roles["icon"] for actor, roles in found.items() if "icon" in roles}
