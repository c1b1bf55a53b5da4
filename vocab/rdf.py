"""JSON-LD to rdflib with only the bundled contexts (pyld is the reference processor)."""

from typing import Any

from pyld import jsonld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from vocab.contexts import document_loader

__all__ = ["PREFIXES", "jsonld_to_graph"]

PREFIXES = {
    "as": "https://www.w3.org/ns/activitystreams#",
    "sec": "https://w3id.org/security#",
    "dsi": "https://w3id.org/dsi4bcn/ns#",
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "toot": "http://joinmastodon.org/ns#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "area": "https://w3id.org/dsi4bcn/area/",
    "sector": "https://w3id.org/dsi4bcn/sector/",
    "district": "https://w3id.org/dsi4bcn/district/",
    "neighbourhood": "https://w3id.org/dsi4bcn/neighbourhood/",
    "skill": "https://w3id.org/dsi4bcn/skill/",
    "sdg": "https://w3id.org/dsi4bcn/sdg/",
    "status": "https://w3id.org/dsi4bcn/status/",
}
_LOADER = document_loader()
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term(value: dict[str, Any]) -> Node:
    kind = value["type"]
    if kind == "IRI":
        return URIRef(value["value"])
    if kind == "blank node":
        return BNode(value["value"].removeprefix("_:"))
    language = value.get("language")
    if language:
        return Literal(value["value"], lang=language)
    datatype = value.get("datatype")
    if datatype in (None, _XSD_STRING, _RDF_LANG_STRING):
        return Literal(value["value"])
    return Literal(value["value"], datatype=URIRef(datatype))


def jsonld_to_graph(document: dict[str, Any] | list[Any]) -> Graph:
    """The default graph of a JSON-LD document as an rdflib Graph; remote contexts are refused."""
    dataset = jsonld.to_rdf(document, {"documentLoader": _LOADER})
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for quad in dataset.get("@default", []):
        graph.add((_term(quad["subject"]), _term(quad["predicate"]), _term(quad["object"])))
    return graph
