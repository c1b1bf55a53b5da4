"""Results read from an external SPARQL engine, as pyoxigraph terms ready to be capped and serialised again.

SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/) is read here rather than by
pyoxigraph's parser, which refuses what engines in the field send: Virtuoso names blank nodes
``nodeID://b10000`` and still writes SPARQL 1.0's ``typed-literal``. Blank node labels are replaced by a
digest of them (a label means nothing outside its result). RDF for CONSTRUCT and DESCRIBE is N-Triples or
Turtle, read with pyoxigraph.
"""

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

__all__ = ["ResultsUnreadable", "read_boolean", "read_solutions", "read_triples"]


class ResultsUnreadable(ValueError):
    """The engine's answer is not results in the format it claims."""


def _term(value: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise ResultsUnreadable("a binding without a value")
    kind, text = value.get("type"), value["value"]
    try:
        if kind == "uri":
            return ox.NamedNode(text)
        if kind == "bnode":
            return ox.BlankNode(hashlib.blake2s(text.encode("utf-8"), digest_size=12).hexdigest())
        if kind in ("literal", "typed-literal"):
            if value.get("xml:lang"):
                return ox.Literal(text, language=str(value["xml:lang"]))
            if value.get("datatype"):
                return ox.Literal(text, datatype=ox.NamedNode(str(value["datatype"])))
            return ox.Literal(text)
    except ValueError as error:
        raise ResultsUnreadable(f"a term the engine sent is not valid RDF: {error}") from error
    raise ResultsUnreadable(f"a binding of an unknown type {kind!r}")


def _document(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ResultsUnreadable(f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise ResultsUnreadable("not a JSON object")
    return document


def read_boolean(body: bytes) -> bool:
    """An ASK answer in SPARQL results JSON."""
    value = _document(body).get("boolean")
    if not isinstance(value, bool):
        raise ResultsUnreadable("no boolean in an ASK answer")
    return value


def read_solutions(body: bytes) -> tuple[list[str], Iterator[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]]:
    """A SELECT answer in SPARQL results JSON: the variables and the rows (None for an unbound variable)."""
    document = _document(body)
    head, results = document.get("head"), document.get("results")
    if not isinstance(head, dict) or not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise ResultsUnreadable("no head and bindings in a SELECT answer")
    variables = [str(name) for name in head.get("vars", [])]

    def rows() -> Iterator[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
        for binding in results["bindings"]:
            if not isinstance(binding, dict):
                raise ResultsUnreadable("a row that is not an object")
            yield [_term(binding[name]) if name in binding else None for name in variables]

    return variables, rows()


def read_triples(body: bytes, media_type: str) -> list[ox.Triple]:
    """The triples of a CONSTRUCT or DESCRIBE answer, or of a graph read with the Graph Store Protocol."""
    rdf_format = ox.RdfFormat.TURTLE if media_type == "text/turtle" else ox.RdfFormat.N_TRIPLES
    try:
        return [quad.triple for quad in ox.parse(body, format=rdf_format)]
    except SyntaxError as error:
        raise ResultsUnreadable(f"not {media_type}: {error}") from error
