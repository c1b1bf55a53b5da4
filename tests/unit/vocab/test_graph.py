"""The ontology and vocabulary graphs read from the bundled files (``vocab.graph``)."""

import pytest
from rdflib import OWL, RDF, SKOS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import vocab.graph as vocabulary_module
from vocab.concepts import LANGUAGES
from vocab.graph import ontology_graph, vocabulary_fingerprint, vocabulary_graph, vocabulary_ntriples
from vocab.namespace import NS_IRI


def test_every_ontology_term_has_labels_and_definitions_in_three_languages() -> None:
    graph = ontology_graph()
    terms = [
        *graph.subjects(RDF.type, OWL.ObjectProperty),
        *graph.subjects(RDF.type, OWL.DatatypeProperty),
        *graph.subjects(RDF.type, OWL.Class),
    ]
    assert len(terms) == 13
    for term in terms:
        for predicate in (
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
        ):
            languages = {o.language for o in graph.objects(term, predicate) if isinstance(o, Literal)}
            assert languages == set(LANGUAGES), (term, predicate)


def test_vocabulary_graph_has_ontology_and_schemes() -> None:
    graph = vocabulary_graph()
    assert (URIRef(NS_IRI + "Project"), RDF.type, OWL.Class) in graph
    assert (URIRef("https://w3id.org/dsi4bcn/area"), RDF.type, SKOS.ConceptScheme) in graph


def test_vocabulary_ntriples_hold_the_same_triples_as_the_rdflib_graph() -> None:
    parsed = Graph().parse(data=vocabulary_ntriples(), format="nt")
    assert isomorphic(parsed, vocabulary_graph())


def test_vocabulary_fingerprint_follows_the_bundled_files(monkeypatch: pytest.MonkeyPatch) -> None:
    before = vocabulary_fingerprint()
    assert before == vocabulary_fingerprint() and len(before) == 64
    original = vocabulary_module.read_text
    edited = lambda name: original(name) + ("\n# edited" if "area" in name else "")  # noqa: E731
    monkeypatch.setattr(vocabulary_module, "read_text", edited)
    assert vocabulary_fingerprint() != before
