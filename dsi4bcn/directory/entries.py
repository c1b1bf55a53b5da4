"""A directory entry: what the directory shows and filters on for one organisation or project."""

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

from dsi4bcn.matching.features import profile_from_triples, strip_tags
from dsi4bcn.profiles.ntriples import Triple
from vocab.concepts import concept_index

__all__ = ["FACET_SCHEMES", "Entry", "entry_from_triples", "expand", "with_sectors"]

AS = "https://www.w3.org/ns/activitystreams#"
DSI = "https://w3id.org/dsi4bcn/ns#"
# The concept facets and the scheme each draws its keys from.
FACET_SCHEMES: Mapping[str, str] = {
    "area": "area",
    "needs": "skill",
    "offers": "skill",
    "district": "district",
    "neighbourhood": "neighbourhood",
    "sector": "sector",
    "sdg": "sdg",
    "status": "status",
}


@dataclass(frozen=True)
class Entry:
    """One organisation or project: ``concepts`` maps each concept facet to the keys it names itself."""

    id: str
    kind: str
    names: Mapping[str, str]
    summaries: Mapping[str, str]
    source: str  # the authority (host[:port]) of the node it comes from
    local: bool
    updated: str
    concepts: Mapping[str, frozenset[str]] = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    organisation: str | None = None  # a project's organisation

    def name(self, language: str) -> str:
        """The name in ``language``, else in any language, else the IRI."""
        return self.names.get(language) or next(iter(self.names.values()), self.id)

    def summary(self, language: str) -> str:
        """The summary in ``language``, else in any language, else nothing."""
        return self.summaries.get(language) or next(iter(self.summaries.values()), "")


def _keys(iris: Iterable[str | None], scheme: str) -> frozenset[str]:
    index = concept_index()
    keys = set()
    for iri in iris:
        concept = index.by_iri(iri) if iri else None
        if concept is not None and concept.scheme == scheme:
            keys.add(concept.code)
    return frozenset(keys)


@cache
def _with_broader(scheme: str, key: str) -> frozenset[str]:
    index = concept_index()
    concept = index.get(scheme, key)
    if concept is None:
        return frozenset({key})
    return frozenset({key, *(c.code for c in index.ancestors(concept.iri) if c.scheme == scheme)})


def expand(scheme: str, keys: Iterable[str]) -> frozenset[str]:
    """``keys`` with every broader concept of the same scheme (an entry in a narrow area is in the broad one)."""
    found: set[str] = set()
    for key in keys:
        found |= _with_broader(scheme, key)
    return frozenset(found)


def entry_from_triples(actor: str, triples: Iterable[Triple], *, source: str, local: bool) -> Entry | None:
    """The directory entry of ``actor`` from its triples; None if it is neither a project nor an organisation."""
    triples = list(triples)
    profile = profile_from_triples(actor, triples)
    if profile is None:
        return None
    summaries: dict[str, str] = {}
    statuses: list[str] = []
    updated = ""
    for subject, predicate, value in triples:
        if subject != ("iri", actor):
            continue
        if predicate[1] == AS + "summary" and value[0] == "literal" and value[3]:
            summaries[value[3]] = " ".join(strip_tags(html.unescape(value[1])).split())
        elif predicate[1] == DSI + "status" and value[0] == "iri":
            statuses.append(value[1])
        elif predicate[1] == AS + "updated" and value[0] == "literal":
            updated = value[1]
    concepts = {
        "area": _keys(profile.areas, "area"),
        "needs": _keys(profile.needs, "skill"),
        "offers": _keys(profile.offers, "skill"),
        "district": _keys([profile.district], "district"),
        "neighbourhood": _keys([profile.neighbourhood], "neighbourhood"),
        "sector": _keys(profile.sectors, "sector"),
        "sdg": _keys(profile.sdgs, "sdg"),
        "status": _keys(statuses, "status"),
    }
    return Entry(
        id=actor,
        kind=profile.kind,
        names=dict(profile.names),
        summaries=summaries,
        source=source,
        local=local,
        updated=updated,
        concepts=concepts,
        latitude=profile.latitude,
        longitude=profile.longitude,
        organisation=profile.organisation,
    )


def with_sectors(entry: Entry, sectors: frozenset[str]) -> Entry:
    """A project that names no sector with its organisation's ``sectors`` (as matching reads them)."""
    if entry.kind != "project" or entry.concepts.get("sector") or not sectors:
        return entry
    return replace(entry, concepts={**entry.concepts, "sector": sectors})
