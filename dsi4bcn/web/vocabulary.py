"""The vocabulary as the node serves it at ``/ns``: Turtle, JSON-LD and the HTML page's contents.

Everything is computed once at start-up from the bundled files; the node never needs the network to
describe its own terms.
"""

from functools import cache
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from dsi4bcn.i18n import LANGUAGES
from dsi4bcn.profiles.turtle import PREFIXES
from vocab.concepts import SCHEMES, concept_index, scheme_iri
from vocab.graph import vocabulary_graph
from vocab.namespace import NS_IRI, ONTOLOGY_IRI

__all__ = ["vocabulary_documents"]


def _text(graph: Graph, subject: URIRef, predicate: URIRef, language: str) -> str:
    fallback = ""
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            if value.language == language:
                return str(value)
            if value.language == "en" or not fallback:
                fallback = str(value)
    return fallback


def _terms(graph: Graph, kind: URIRef, language: str) -> list[dict[str, str]]:
    subjects = sorted(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(NS_IRI))
    return [
        {
            "local": str(s)[len(NS_IRI) :],
            "label": _text(graph, s, RDFS.label, language),
            "comment": _text(graph, s, RDFS.comment, language),
        }
        for s in subjects
    ]


def _schemes(graph: Graph, language: str) -> list[dict[str, Any]]:
    index = concept_index()
    schemes = []
    for scheme in SCHEMES:
        concepts = []
        for top in (c for c in index.in_scheme(scheme) if c.top or not c.broader):
            concepts.append({"curie": top.curie, "label": top.label(language), "depth": 0})
            concepts.extend(
                {"curie": child.curie, "label": child.label(language), "depth": 1}
                for child in index.in_scheme(scheme)
                if top.iri in child.broader and not child.top
            )
        schemes.append(
            {
                "code": scheme,
                "label": _text(graph, URIRef(scheme_iri(scheme)), SKOS.prefLabel, language),
                "concepts": concepts,
            }
        )
    return schemes


@cache
def vocabulary_documents() -> dict[str, Any]:
    """``text/turtle`` and ``application/ld+json`` bodies, and per-language HTML page contexts.

    Made at the first request for them (in a thread: rdflib takes a good part of a second) and kept."""
    graph = vocabulary_graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    ontology = URIRef(ONTOLOGY_IRI)
    context = {prefix: namespace for prefix, namespace in PREFIXES.items()}
    context.update({"skos": str(SKOS), "rdfs": str(RDFS), "owl": str(OWL)})
    html = {
        language: {
            "title": _text(graph, ontology, URIRef("http://purl.org/dc/terms/title"), language),
            "description": _text(graph, ontology, URIRef("http://purl.org/dc/terms/description"), language),
            "namespace": NS_IRI,
            "classes": _terms(graph, OWL.Class, language),
            "properties": _terms(graph, OWL.ObjectProperty, language),
            "schemes": _schemes(graph, language),
        }
        for language in LANGUAGES
    }
    return {
        "text/turtle": graph.serialize(format="turtle").encode("utf-8"),
        "application/ld+json": graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8"),
        "html": html,
    }
