"""The concept schemes: labels, sizes, codes, the skill hierarchy, territory, resolution (``vocab.concepts``)."""

import csv
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, URIRef

from vocab.concepts import LANGUAGES, concept_index
from vocab.graph import schemes_graph

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


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


def test_the_index_reads_what_rdflib_reads_in_the_turtle() -> None:
    """The index is read with Oxigraph's parser; rdflib's reading of the same files is the reference."""
    graph = schemes_graph()
    geo = "http://www.w3.org/2003/01/geo/wgs84_pos#"

    def literals(subject: object, predicate: object) -> dict[str, str]:
        return {o.language: str(o) for o in graph.objects(subject, predicate) if getattr(o, "language", None)}

    def number(subject: object, name: str) -> float | None:
        value = graph.value(subject, URIRef(geo + name))
        return float(value) if value is not None else None

    reference = {
        str(subject): (
            str(graph.value(subject, SKOS.notation)),
            literals(subject, SKOS.prefLabel),
            literals(subject, SKOS.definition),
            tuple(sorted(str(o) for o in graph.objects(subject, SKOS.broader))),
            tuple(sorted(str(o) for o in graph.objects(subject, SKOS.narrower))),
            number(subject, "lat"),
            number(subject, "long"),
            (subject, SKOS.topConceptOf, None) in graph,
        )
        for subject in graph.subjects(RDF.type, SKOS.Concept)
    }
    read = {
        c.iri: (
            c.notation,
            dict(c.labels),
            dict(c.definitions),
            c.broader,
            c.narrower,
            c.latitude,
            c.longitude,
            c.top,
        )
        for c in concept_index()
    }
    assert read == reference
    assert sum(1 for c in concept_index() if c.latitude is not None) >= 10 + 73  # districts and neighbourhoods
    assert any(c.broader for c in concept_index()) and any(c.top for c in concept_index())
