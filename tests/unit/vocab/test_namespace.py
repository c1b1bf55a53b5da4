"""The closed namespace holds exactly the ontology's terms (``vocab.namespace``)."""

import pytest
from rdflib import RDF, URIRef

from vocab.graph import ontology_graph
from vocab.namespace import DSI, NS_IRI


def test_namespace_is_exactly_the_ontology_terms() -> None:
    graph = ontology_graph()
    declared = {
        str(s)[len(NS_IRI) :]
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(NS_IRI)
    }
    assert declared == set(DSI.__annotations__)
    with pytest.raises(AttributeError):
        _ = DSI.notATerm
