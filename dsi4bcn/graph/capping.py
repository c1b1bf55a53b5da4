"""A query's result serialised in the format asked for, cut at the result cap: the same for both stores."""

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from dsi4bcn.sparql.results import serialize_boolean, serialize_select

__all__ = ["RDF_FORMATS", "serialize_boolean_result", "serialize_solutions", "serialize_triples"]

RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


def serialize_boolean_result(value: bool, select_format: str) -> tuple[str, bytes, int, bool]:
    """An ASK answer: ``("boolean", body, 1, False)``."""
    return "boolean", serialize_boolean(value, select_format), 1, False


def serialize_solutions(
    variables: Sequence[str], rows: Iterable[Sequence[object]], select_format: str, cap: int
) -> tuple[str, bytes, int, bool]:
    """SELECT rows: ``("select", body, rows written, truncated)``."""
    body, count, truncated = serialize_select(variables, rows, select_format, cap)
    return "select", body, count, truncated


def serialize_triples(triples: Iterable[ox.Triple], graph_format: str, cap: int) -> tuple[str, bytes, int, bool]:
    """CONSTRUCT or DESCRIBE triples: ``("graph", body, triples written, truncated)``."""
    kept: list[ox.Triple] = []
    truncated = False
    for triple in triples:
        if len(kept) >= cap:
            truncated = True
            break
        kept.append(triple)
    serialized = ox.serialize(kept, format=RDF_FORMATS[graph_format])
    return "graph", serialized or b"", len(kept), truncated
