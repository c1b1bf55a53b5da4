"""SKOS concepts of the dsi4bcn schemes, indexed by IRI and by ``scheme:code``.

A concept may be written as its full IRI (``https://w3id.org/dsi4bcn/area/open-data``) or as a compact IRI
with the scheme's prefix (``area:open-data``), which is exactly how the JSON-LD context expands it.
Territory codes are official numbers, so ``district:01`` and ``district:1`` name the same district.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

import pyoxigraph as ox

from vocab.graph import scheme_triples
from vocab.namespace import CONCEPT_BASE

__all__ = ["LANGUAGES", "SCHEMES", "Concept", "ConceptIndex", "concept_index", "scheme_iri"]

LANGUAGES = ("ca", "es", "en")
SCHEMES = ("area", "sector", "district", "neighbourhood", "skill", "sdg", "status")
_NUMERIC_SCHEMES = frozenset({"district", "neighbourhood", "sdg"})


def scheme_iri(scheme: str) -> str:
    """The IRI of a concept scheme, e.g. ``https://w3id.org/dsi4bcn/area``."""
    return CONCEPT_BASE + scheme


@dataclass(frozen=True)
class Concept:
    """One SKOS concept with its labels in Catalan, Spanish and English."""

    iri: str
    scheme: str
    code: str
    notation: str
    labels: Mapping[str, str]
    definitions: Mapping[str, str]
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    top: bool = field(default=False)

    @property
    def curie(self) -> str:
        """The compact form ``scheme:code``."""
        return f"{self.scheme}:{self.code}"

    def label(self, language: str) -> str:
        """The preferred label in ``language``, falling back to English, then Catalan."""
        for candidate in (language, "en", "ca"):
            if candidate in self.labels:
                return self.labels[candidate]
        return self.code


class ConceptIndex:
    """Lookup of the concepts of every scheme; built once from the bundled Turtle files."""

    def __init__(self, concepts: list[Concept]) -> None:
        self._by_iri = {concept.iri: concept for concept in concepts}
        self._by_scheme: dict[str, list[Concept]] = {scheme: [] for scheme in SCHEMES}
        for concept in concepts:
            self._by_scheme.setdefault(concept.scheme, []).append(concept)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._by_iri.values())

    def __len__(self) -> int:
        return len(self._by_iri)

    def get(self, scheme: str, code: str) -> Concept | None:
        """The concept ``code`` of ``scheme``, or None."""
        if scheme in _NUMERIC_SCHEMES and code.isdigit():
            code = str(int(code))
        return self._by_iri.get(f"{scheme_iri(scheme)}/{code}")

    def by_iri(self, iri: str) -> Concept | None:
        """The concept with this IRI, or None."""
        return self._by_iri.get(iri)

    def resolve(self, reference: str) -> Concept | None:
        """A concept from its full IRI or its ``scheme:code`` compact form; None if unknown."""
        concept = self._by_iri.get(reference)
        if concept is not None:
            return concept
        if reference.startswith(CONCEPT_BASE):
            scheme, _, code = reference[len(CONCEPT_BASE) :].partition("/")
            return self.get(scheme, code) if code else None
        scheme, colon, code = reference.partition(":")
        if colon and scheme in self._by_scheme and code:
            return self.get(scheme, code)
        return None

    def in_scheme(self, scheme: str) -> list[Concept]:
        """All concepts of a scheme, in notation order."""
        return list(self._by_scheme.get(scheme, []))

    def ancestors(self, iri: str) -> list[Concept]:
        """Every concept reachable from ``iri`` through ``skos:broader``, nearest first."""
        seen: list[Concept] = []
        frontier = [iri]
        while frontier:
            current = self._by_iri.get(frontier.pop(0))
            if current is None:
                continue
            for parent_iri in current.broader:
                parent = self._by_iri.get(parent_iri)
                if parent is not None and parent not in seen:
                    seen.append(parent)
                    frontier.append(parent_iri)
        return seen


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"


def _literal_map(values: list[ox.Literal]) -> Mapping[str, str]:
    return MappingProxyType({value.language: value.value for value in values if value.language})


def _sort_key(concept: Concept) -> tuple[str, int, str]:
    return (concept.scheme, int(concept.code) if concept.code.isdigit() else 0, concept.code)


def _concept(iri: str, properties: dict[str, list[ox.NamedNode | ox.Literal]]) -> Concept:
    """One concept from its properties (predicate IRI: objects); only literals and IRIs are read."""

    def literals(name: str) -> list[ox.Literal]:
        return [value for value in properties.get(name, []) if isinstance(value, ox.Literal)]

    def iris(name: str) -> tuple[str, ...]:
        return tuple(sorted(value.value for value in properties.get(name, []) if isinstance(value, ox.NamedNode)))

    def number(name: str) -> float | None:
        found = literals(name)
        return float(found[0].value) if found else None

    scheme, _, code = iri[len(CONCEPT_BASE) :].partition("/")
    notations = properties.get(_SKOS + "notation", [])
    return Concept(
        iri=iri,
        scheme=scheme,
        code=code,
        notation=notations[0].value if notations else code,
        labels=_literal_map(literals(_SKOS + "prefLabel")),
        definitions=_literal_map(literals(_SKOS + "definition")),
        broader=iris(_SKOS + "broader"),
        narrower=iris(_SKOS + "narrower"),
        latitude=number(_GEO + "lat"),
        longitude=number(_GEO + "long"),
        top=_SKOS + "topConceptOf" in properties,
    )


@cache
def concept_index() -> ConceptIndex:
    """The index of every bundled concept (built on first use, then shared)."""
    by_subject: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {}
    concepts: list[str] = []
    for triple in scheme_triples():
        subject, predicate, value = triple.subject, triple.predicate.value, triple.object
        if not isinstance(subject, ox.NamedNode) or not isinstance(value, ox.NamedNode | ox.Literal):
            continue
        by_subject.setdefault(subject.value, {}).setdefault(predicate, []).append(value)
        if predicate == _RDF_TYPE and value == ox.NamedNode(_SKOS + "Concept"):
            concepts.append(subject.value)
    chosen = sorted({iri for iri in concepts if iri.startswith(CONCEPT_BASE)})
    return ConceptIndex(sorted((_concept(iri, by_subject[iri]) for iri in chosen), key=_sort_key))
