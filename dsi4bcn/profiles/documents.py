"""Render local actors as the ActivityPub JSON-LD documents peers and clients read.

A project is published as ``["Group", "Project"]``: ``Group`` because Mastodon accepts it, lets users follow
it and shows it as a group rather than as a bot (``Service``, ``Application``) or a person; ``Project``
(``dsi:Project``) for RDF consumers. Organisations are ``["Organization", "org:Organization"]``.
See docs/profiles.md for every term.
"""

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from dsi4bcn.i18n import UI
from dsi4bcn.profiles.actorrecords import ActorRecord, InstanceRecord
from dsi4bcn.profiles.fields import FIELDS
from dsi4bcn.profiles.iris import actor_iri, instance_actor_iri, profile_page, shared_inbox
from federation.actors import actor_document, endpoints_for
from federation.keys import key_fragment
from vocab.contexts import published_context

__all__ = ["ACTOR_TYPES", "pick_language", "render_actor", "render_instance_actor", "text_to_html"]

ACTOR_TYPES: Mapping[str, list[str]] = {
    "organisation": ["Organization", "org:Organization"],
    "project": ["Group", "Project"],
}
_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".avif": "image/avif",
}
_LINK_REL = "me nofollow noopener noreferrer"


def pick_language(values: Mapping[str, str], language: str) -> str:
    """The value in ``language``, else Catalan, Spanish, English, else any."""
    for candidate in (language, "ca", "es", "en"):
        if candidate in values:
            return values[candidate]
    return next(iter(values.values()), "")


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs (blank lines split paragraphs, newlines become <br>)."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}" rel="{_LINK_REL}" target="_blank">{escape(text)}</a>'


def _display_url(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def _attachments(fields: Mapping[str, Any], language: str) -> list[dict[str, str]]:
    """Mastodon profile fields (``PropertyValue``) for the website and the public contacts."""
    values: list[tuple[str, str]] = []
    if "website" in fields:
        values.append(("website", _link(fields["website"], _display_url(fields["website"]))))
    if "email" in fields:
        values.append(("email", _link(f"mailto:{fields['email']}", fields["email"])))
    if "telephone" in fields:
        values.append(("telephone", escape(fields["telephone"])))
    return [{"type": "PropertyValue", "name": UI[key][language], "value": value} for key, value in values]


def _icon(url: str) -> dict[str, str]:
    icon = {"type": "Image", "url": url}
    suffix = "." + url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else ""
    if suffix in _IMAGE_TYPES:
        icon["mediaType"] = _IMAGE_TYPES[suffix]
    return icon


# The fields published as they are stored; render_actor words the others (names, summaries, contacts, images).
_AS_STORED = tuple(field.name for field in FIELDS if field.as_stored)


def render_actor(record: ActorRecord, *, base_url: str, authority: str, language: str) -> dict[str, Any]:
    """The published actor document of an organisation or project."""
    fields = record.fields
    iri = actor_iri(base_url, record.kind, record.slug)
    endpoints = endpoints_for(iri, shared_inbox(base_url), profile_page(base_url, record.slug))
    properties: dict[str, Any] = {
        "name": pick_language(fields["nameMap"], language),
        "nameMap": dict(fields["nameMap"]),
    }
    if "summaryMap" in fields:
        summaries = {lang: text_to_html(text) for lang, text in fields["summaryMap"].items()}
        properties["summary"] = pick_language(summaries, language)
        properties["summaryMap"] = summaries
    for term in ("icon", "image"):  # the logo, and the header image Mastodon shows as the banner
        if term in fields:
            properties[term] = _icon(fields[term])
    attachments = _attachments(fields, language)
    if attachments:
        properties["attachment"] = attachments
    public_contacts = [
        {key: value for key, value in contact.items() if key != "public"}
        for contact in fields.get("contacts", [])
        if contact.get("public") is True
    ]
    if public_contacts:
        properties["contacts"] = public_contacts  # the others never leave the node
    if record.organisation is not None:
        properties["organisation"] = actor_iri(base_url, "organisation", record.organisation)
    for term in _AS_STORED:
        if term in fields:
            properties[term] = fields[term]
    properties["webfinger"] = f"acct:{record.slug}@{authority}"
    properties["published"] = record.published
    properties["updated"] = record.updated
    return actor_document(
        context=published_context(),
        types=ACTOR_TYPES[record.kind],
        endpoints=endpoints,
        preferred_username=record.slug,
        public_key_pem=record.public_key_pem,
        properties=properties,
        **_keys(endpoints.id, record.key_number, record.retired_keys),
    )


def _keys(actor: str, number: int, retired: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """The current key's id and the retired keys still published, as ``actor_document`` takes them."""
    return {
        "key_id": f"{actor}#{key_fragment(number)}",
        "retired_keys": [(f"{actor}#{key_fragment(old)}", pem) for old, pem in retired],
    }


_INSTANCE_NAMES = {
    "ca": "Node dsi4bcn {authority}",
    "es": "Nodo dsi4bcn {authority}",
    "en": "dsi4bcn node {authority}",
}


def render_instance_actor(
    record: InstanceRecord, *, base_url: str, authority: str, hostname: str, language: str
) -> dict[str, Any]:
    """The node's ``Application`` actor (FEP-2677, FEP-d556), used to sign node-to-node requests."""
    iri = instance_actor_iri(base_url)
    endpoints = endpoints_for(iri, shared_inbox(base_url), base_url + "/")
    names = {lang: template.format(authority=authority) for lang, template in _INSTANCE_NAMES.items()}
    return actor_document(
        context=published_context(),
        types=["Application"],
        endpoints=endpoints,
        preferred_username=hostname,
        public_key_pem=record.public_key_pem,
        **_keys(iri, record.key_number, record.retired_keys),
        properties={
            "name": names[language],
            "nameMap": names,
            "manuallyApprovesFollowers": False,
            "discoverable": False,
            "indexable": False,
            "webfinger": f"acct:{hostname}@{authority}",
            "profiles": f"{iri}/profiles",
            "published": record.published,
        },
    )
