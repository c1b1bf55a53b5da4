""" "Did you mean" for profile terms and concepts (``dsi4bcn.profiles.suggestions``)."""

import pytest

from dsi4bcn.profiles.fields import fields_of
from dsi4bcn.profiles.suggestions import MAX_SUGGESTIONS, suggest_concepts, suggest_term
from vocab.concepts import concept_index

PROJECT_TERMS = (*(field.name for field in fields_of("project")), "organisation")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("neds", "needs"),
        ("name", "nameMap"),
        ("Summary", "summaryMap"),
        ("description", "summaryMap"),
        ("area", "areas"),
        ("sdg", "sdgs"),
        ("logo", "icon"),
        ("organization", "organisation"),
        ("offer", "offers"),
    ],
)
def test_a_misspelt_term_suggests_the_term_first(written: str, meant: str) -> None:
    suggestions = suggest_term(written, PROJECT_TERMS)
    assert suggestions[0] == meant
    assert len(suggestions) <= MAX_SUGGESTIONS


def test_a_term_far_from_every_term_suggests_nothing() -> None:
    assert suggest_term("colour", PROJECT_TERMS) == []
    assert suggest_term("", PROJECT_TERMS) == []
    assert suggest_term("n" * 500, PROJECT_TERMS) == []


def test_a_synonym_is_suggested_only_if_the_document_may_have_that_term() -> None:
    assert suggest_term("status", PROJECT_TERMS)[0] == "projectStatus"
    organisation_terms = tuple(field.name for field in fields_of("organisation"))
    assert "projectStatus" not in suggest_term("status", organisation_terms)


@pytest.mark.parametrize(
    ("written", "schemes", "meant"),
    [
        ("area:makers", ("area",), "area:maker"),
        ("workshop-space", ("skill",), "skill:workshop-space"),
        ("skill:3d-print", ("skill",), "skill:3d-printing"),
        ("Impresión 3D", ("skill",), "skill:3d-printing"),  # a label, any case and accents
        ("https://w3id.org/dsi4bcn/area/open-hardwar", ("area",), "area:open-hardware"),
        ("area:3d-printing", ("skill",), "skill:3d-printing"),  # the right code in the wrong scheme
        ("sdg:education", ("sdg",), "sdg:4"),
        ("el Clot", ("district", "neighbourhood"), "neighbourhood:65"),
    ],
)
def test_a_wrong_concept_suggests_the_nearest_concepts_of_the_field(
    written: str, schemes: tuple[str, ...], meant: str
) -> None:
    suggestions = suggest_concepts(written, schemes, concept_index())
    assert suggestions[0] == meant
    assert all(curie.split(":")[0] in schemes for curie in suggestions)
    assert len(suggestions) <= MAX_SUGGESTIONS


def test_an_exact_code_is_the_only_suggestion() -> None:
    assert suggest_concepts("workshop-space", ("skill",), concept_index()) == ["skill:workshop-space"]


def test_a_beginning_suggests_the_concepts_it_begins() -> None:
    suggestions = suggest_concepts("area:open", ("area",), concept_index())
    assert len(suggestions) == MAX_SUGGESTIONS and all(s.startswith("area:open-") for s in suggestions)


def test_nothing_near_suggests_nothing() -> None:
    index = concept_index()
    assert suggest_concepts("area:xyzzy", ("area",), index) == []
    assert suggest_concepts("area:", ("area",), index) == []
    assert suggest_concepts("area:" + "maker" * 50, ("area",), index) == []
