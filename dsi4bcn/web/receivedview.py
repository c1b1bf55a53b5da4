"""The page of a profile received from a peer node: what it says, read from its checked triples and
document, and where it comes from (the peer and the original page), never the stranger's markup itself.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dsi4bcn.i18n import UI
from dsi4bcn.matching.model import Profile
from dsi4bcn.web.feeds import plain_text
from dsi4bcn.web.profilelinks import FILTER_PARAMETERS
from dsi4bcn.web.templating import ConceptLink, concept_link
from vocab.concepts import concept_index

__all__ = ["ReceivedView", "received_name", "received_view"]


@dataclass(frozen=True)
class ReceivedView:
    """What the page of a received profile shows."""

    iri: str
    kind: str
    name: str
    summary: str
    rows: Sequence[tuple[str, Sequence[ConceptLink]]]
    website: str | None
    original: str
    node: str
    updated: str


def _http_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def _in_language(document: Mapping[str, Any], key: str, language: str) -> str:
    values = document.get(f"{key}Map")
    if isinstance(values, dict):
        chosen = values.get(language) or next((v for v in values.values() if isinstance(v, str)), None)
        if isinstance(chosen, str):
            return chosen
    value = document.get(key)
    return value if isinstance(value, str) else ""


def received_name(document: Mapping[str, Any], language: str) -> str:
    """The name of a received profile in ``language`` (else another), from its document; '' if none."""
    return _in_language(document, "name", language)


def _links(iris: Iterable[str], language: str, parameter: str | None) -> list[ConceptLink]:
    index = concept_index()
    concepts = [concept for concept in (index.by_iri(iri) for iri in iris) if concept is not None]
    concepts.sort(key=lambda c: (c.scheme, int(c.code) if c.code.isdigit() else 0, c.code))  # notation order
    return [concept_link(concept, language, parameter) for concept in concepts]


def received_view(
    document: Mapping[str, Any], profile: Profile, *, peer: str, updated: str, language: str
) -> ReceivedView:
    """The view model of a received profile: ``profile`` its features read from its triples, ``document``
    its JSON-LD as received (only its text, website and page address are used, as plain text and links)."""
    places = [iri for iri in (profile.neighbourhood, profile.district) if iri]
    rows = [
        (UI["sectors"][language], _links(profile.sectors, language, FILTER_PARAMETERS["sectors"])),
        (UI["areas"][language], _links(profile.areas, language, FILTER_PARAMETERS["areas"])),
        (UI["needs"][language], _links(profile.needs, language, FILTER_PARAMETERS["needs"])),
        (UI["offers"][language], _links(profile.offers, language, FILTER_PARAMETERS["offers"])),
        (UI["based_in"][language], [link for iri in places for link in _links([iri], language, None)]),
        (UI["sdgs"][language], _links(profile.sdgs, language, FILTER_PARAMETERS["sdgs"])),
    ]
    name = (
        profile.names.get(language)
        or next(iter(profile.names.values()), "")
        or _in_language(document, "name", language)
    )
    return ReceivedView(
        iri=profile.id,
        kind=profile.kind,
        name=name or profile.id,
        summary=plain_text(_in_language(document, "summary", language)),
        rows=[(title, links) for title, links in rows if links],
        website=_http_url(document.get("website")),
        original=_http_url(document.get("url")) or profile.id,
        node=urlsplit(peer).netloc or peer,
        updated=updated,
    )
