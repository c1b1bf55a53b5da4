"""The ``dsi:`` namespace as a closed rdflib namespace: an unknown term is an error, not a new IRI.

A unit test checks that these terms are exactly the ones the ontology declares.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["CONCEPT_BASE", "DSI", "NS_IRI"]

NS_IRI = "https://w3id.org/dsi4bcn/ns#"
ONTOLOGY_IRI = "https://w3id.org/dsi4bcn/ns"
# Concept schemes live beside the namespace: https://w3id.org/dsi4bcn/{scheme}/{code}.
CONCEPT_BASE = "https://w3id.org/dsi4bcn/"


class DSI(DefinedNamespace):
    """Terms of the dsi4bcn vocabulary."""

    _fail = True
    _NS = Namespace(NS_IRI)

    Project: URIRef
    organisation: URIRef
    area: URIRef
    needs: URIRef
    offers: URIRef
    sdg: URIRef
    sector: URIRef
    basedIn: URIRef
    status: URIRef
    verificationKey: URIRef
    profiles: URIRef
    public: URIRef
    deadline: URIRef
