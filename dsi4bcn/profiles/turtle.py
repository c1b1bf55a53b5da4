"""Turtle of published documents, made from the very JSON-LD a node publishes.

Both are the same RDF graph by construction."""

from typing import Any

from vocab.rdf import PREFIXES, jsonld_to_graph

__all__ = ["PREFIXES", "to_turtle"]


def to_turtle(document: dict[str, Any]) -> str:
    """The Turtle serialisation of a JSON-LD document (default graph)."""
    return jsonld_to_graph(document).serialize(format="turtle")
