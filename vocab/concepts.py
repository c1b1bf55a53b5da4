"""SKOS concepts of the dsi4bcn schemes, indexed by IRI and by ``scheme:code``.

A concept may be written as its full IRI (``https://w3id.org/dsi4bcn/area/open-data``) or as a compact IRI
with the scheme's prefix (``area:open-data``), which is exactly how the JSON-LD context expands it.
Territory codes are official numbers, so ``district:01`` and ``district:1`` name the same district.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, Namespace

from vocab.graph import schemes_graph
from vocab.namespace import CONCEPT_BASE

__all__ = ["LANGUAGES", "SCHEMES", "Concept", "ConceptIndex", "concept_index", "scheme_iri"]

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
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


def _literal_map(graph: Graph, subject: URIRef, predicate: URIRef) -> Mapping[str, str]:
    values: dict[str, str] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language:
            values[value.language] = str(value)
    return MappingProxyType(values)


def _optional_float(graph: Graph, subject: URIRef, predicate: URIRef) -> float | None:
    value = graph.value(subject, predicate)
    return float(value) if isinstance(value, Literal) else None


def _sort_key(concept: Concept) -> tuple[str, int, str]:
    return (concept.scheme, int(concept.code) if concept.code.isdigit() else 0, concept.code)


def _concept(graph: Graph, subject: URIRef) -> Concept:
    iri = str(subject)
    scheme, _, code = iri[len(CONCEPT_BASE) :].partition("/")
    return Concept(
        iri=iri,
        scheme=scheme,
        code=code,
        notation=str(graph.value(subject, SKOS.notation) or code),
        labels=_literal_map(graph, subject, SKOS.prefLabel),
        definitions=_literal_map(graph, subject, SKOS.definition),
        broader=tuple(sorted(str(o) for o in graph.objects(subject, SKOS.broader))),
        narrower=tuple(sorted(str(o) for o in graph.objects(subject, SKOS.narrower))),
        latitude=_optional_float(graph, subject, GEO.lat),
        longitude=_optional_float(graph, subject, GEO.long),
        top=(subject, SKOS.topConceptOf, None) in graph,
    )


@cache
def concept_index() -> ConceptIndex:
    """The index of every bundled concept (built on first use, then shared)."""
    graph = schemes_graph()
    concepts = [
        _concept(graph, subject)
        for subject in graph.subjects(RDF.type, SKOS.Concept)
        if isinstance(subject, URIRef) and str(subject).startswith(CONCEPT_BASE)
    ]
    return ConceptIndex(sorted(concepts, key=_sort_key))
