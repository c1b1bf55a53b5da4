"""The vocabulary files: namespace, labels, schemes, territory, context and loader."""

import csv
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import OWL, RDF, SKOS, Literal, URIRef

from vocab.concepts import LANGUAGES, concept_index
from vocab.contexts import (
    AS_CONTEXT,
    DSI_CONTEXT_URL,
    SECURITY_CONTEXT,
    bundled_context_urls,
    document_loader,
    dsi_context,
    published_context,
)
from vocab.graph import ontology_graph, schemes_graph, vocabulary_graph
from vocab.namespace import DSI, NS_IRI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


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


def test_every_ontology_term_has_labels_and_definitions_in_three_languages() -> None:
    graph = ontology_graph()
    terms = [
        *graph.subjects(RDF.type, OWL.ObjectProperty),
        *graph.subjects(RDF.type, OWL.DatatypeProperty),
        *graph.subjects(RDF.type, OWL.Class),
    ]
    assert len(terms) == 12
    for term in terms:
        for predicate in (
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
        ):
            languages = {o.language for o in graph.objects(term, predicate) if isinstance(o, Literal)}
            assert languages == set(LANGUAGES), (term, predicate)


def test_every_concept_has_one_label_and_a_definition_per_language() -> None:
    graph = schemes_graph()
    concepts = list(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == len(concept_index())
    for concept in concepts:
        for predicate in (SKOS.prefLabel, SKOS.definition):
            languages = [o.language for o in graph.objects(concept, predicate)]
            assert sorted(languages) == sorted(LANGUAGES), (concept, predicate)


@pytest.mark.parametrize(
    ("scheme", "minimum"),
    [
        ("area", 24),
        ("sector", 4),
        ("status", 4),
        ("district", 10),
        ("neighbourhood", 73),
        ("skill", 40),
        ("sdg", 17),
    ],
)
def test_scheme_sizes(scheme: str, minimum: int) -> None:
    assert len(concept_index().in_scheme(scheme)) >= minimum


def test_required_area_and_sector_codes_exist() -> None:
    index = concept_index()
    for code in (
        "maker",
        "collaborative-economy",
        "open-democracy",
        "digital-rights",
        "open-data",
        "open-hardware",
        "open-networks",
        "open-knowledge",
        "social-solidarity-economy",
    ):
        assert index.get("area", code) is not None, code
    assert {c.code for c in index.in_scheme("sector")} == {
        "industry",
        "academia",
        "public-administration",
        "civil-society",
    }
    assert {c.code for c in index.in_scheme("sdg")} == {str(n) for n in range(1, 18)}


def test_skills_form_a_two_level_hierarchy() -> None:
    index = concept_index()
    skills = index.in_scheme("skill")
    tops = [c for c in skills if c.top]
    assert len(tops) >= 8
    for concept in skills:
        if not concept.top:
            assert len(concept.broader) == 1
            parent = index.by_iri(concept.broader[0])
            assert parent is not None and parent.top and concept.iri in parent.narrower
    assert index.resolve("skill:web-development").broader == (index.get("skill", "software-development").iri,)


def test_territory_matches_the_official_table() -> None:
    index = concept_index()
    with (FIXTURES / "barcelona-territory.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    assert len(rows) == 73
    for row in rows:
        neighbourhood = index.get("neighbourhood", row["neighbourhood_code"])
        district = index.get("district", row["district_code"])
        assert neighbourhood is not None and district is not None
        assert neighbourhood.labels["ca"] == row["neighbourhood_name"]
        assert district.labels["ca"] == row["district_name"]
        assert neighbourhood.notation == row["neighbourhood_code"]
        assert neighbourhood.broader == (district.iri,)
        for place in (neighbourhood, district):
            assert place.latitude is not None and 41.31 < place.latitude < 41.47
            assert place.longitude is not None and 2.05 < place.longitude < 2.24


def test_concepts_resolve_from_iri_and_compact_forms() -> None:
    index = concept_index()
    open_data = index.get("area", "open-data")
    assert open_data is not None
    assert index.resolve("area:open-data") is open_data
    assert index.resolve("https://w3id.org/dsi4bcn/area/open-data") is open_data
    assert index.resolve("district:01") is index.resolve("district:1") is index.get("district", "1")
    assert index.resolve("area:no-such-thing") is None
    assert index.resolve("nonsense") is None
    assert index.resolve("https://example.org/area/open-data") is None
    citizen_sensing = index.get("area", "citizen-sensing")
    assert citizen_sensing is not None
    assert {c.code for c in index.ancestors(citizen_sensing.iri)} == {"citizen-science", "open-data"}
    assert open_data.label("es") == "Datos abiertos"


def test_context_prefixes_expand_to_concept_iris_with_bundled_contexts_only() -> None:
    document = {
        "@context": published_context(),
        "id": "https://node.example/projects/p",
        "type": ["Group", "Project"],
        "areas": ["area:open-data"],
        "basedIn": "neighbourhood:68",
        "needs": ["skill:web-development"],
    }
    expanded = jsonld.expand(document, {"documentLoader": document_loader()})
    node = expanded[0]
    assert node["@type"] == ["https://www.w3.org/ns/activitystreams#Group", NS_IRI + "Project"]
    assert node[NS_IRI + "area"] == [{"@id": "https://w3id.org/dsi4bcn/area/open-data"}]
    assert node[NS_IRI + "basedIn"] == [{"@id": "https://w3id.org/dsi4bcn/neighbourhood/68"}]
    # Every concept prefix in the context names a real scheme.
    context = dsi_context()
    for scheme in ("area", "sector", "district", "neighbourhood", "skill", "sdg", "status"):
        assert context[scheme] == f"https://w3id.org/dsi4bcn/{scheme}/"


def test_published_context_names_only_bundled_urls() -> None:
    context = published_context()
    assert context[:2] == [AS_CONTEXT, SECURITY_CONTEXT]
    assert isinstance(context[2], dict)
    assert {AS_CONTEXT, SECURITY_CONTEXT, DSI_CONTEXT_URL} <= bundled_context_urls()


@pytest.mark.parametrize(
    "url",
    ["https://example.org/context.jsonld", "file:///etc/passwd", "http://127.0.0.1:9/ctx", "http://[::1]/c"],
)
def test_loader_refuses_any_other_context(url: str) -> None:
    document = {"@context": [AS_CONTEXT, url], "id": "https://node.example/x", "name": "x"}
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document, {"documentLoader": document_loader()})


def test_vocabulary_graph_has_ontology_and_schemes() -> None:
    graph = vocabulary_graph()
    assert (URIRef(NS_IRI + "Project"), RDF.type, OWL.Class) in graph
    assert (URIRef("https://w3id.org/dsi4bcn/area"), RDF.type, SKOS.ConceptScheme) in graph
