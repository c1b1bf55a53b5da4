"""A call's matching features are read from the triples a published call gives (``matching.callfeatures``)."""

from typing import Any

import pytest

from dsi4bcn.matching.callfeatures import call_from_triples
from dsi4bcn.profiles.calldocuments import CallRecord, render_call
from dsi4bcn.profiles.callvalidation import normalise_call
from tests.support.concepts import SECTOR, SKILL
from tests.unit.vocab.test_fastshapes import _call
from vocab.concepts import concept_index
from vocab.fastld import document_triples

CALL = "https://node.example/calls/3d-printing-fair"
STAMP = "2026-12-01T10:00:00Z"


def _features(document: dict[str, Any], **passed: Any) -> Any:
    triples, _ = document_triples(document)
    return call_from_triples(document["id"], triples, **passed)


def test_the_published_call_gives_its_features() -> None:
    industry = frozenset({SECTOR + "industry"})
    call = _features(_call(), sectors=industry, organisation="https://node.example/actors/org")
    assert call.id == CALL and call.author == "https://node.example/actors/fem-barri"
    assert call.purpose == "request" and call.concepts == frozenset({SKILL + "3d-printing"})
    assert call.sectors == industry and call.organisation == "https://node.example/actors/org"
    assert call.names == {"ca": "Voluntàries d'impressió 3D per a la fira"}
    assert "impressió" in call.text
    assert (call.begins, call.ends, call.deadline) == (
        "2026-12-01T09:00:00Z",
        "2026-12-15T20:00:00Z",
        "2026-12-10T12:00:00Z",
    )
    # the fixture's neighbourhood:08 is no neighbourhood of the scheme (8 is): its point is kept
    assert call.neighbourhood is None and (call.latitude, call.longitude) == (41.38, 2.17)


def test_a_neighbourhood_gives_its_district_and_centre_and_a_point_wins() -> None:
    document = _call()
    document["basedIn"] = "neighbourhood:8"
    call = _features(document)
    assert call.neighbourhood == "https://w3id.org/dsi4bcn/neighbourhood/8"
    assert call.district == "https://w3id.org/dsi4bcn/district/2"
    assert (call.latitude, call.longitude) == (41.38, 2.17)
    del document["location"]
    centre = _features(document)
    assert centre.latitude is not None and centre.latitude != 41.38
    document["basedIn"] = "district:10"
    district = _features(document)
    assert district.neighbourhood is None and district.district == "https://w3id.org/dsi4bcn/district/10"


def test_an_offer_with_content_and_several_concepts_outside_the_skills_scheme_left_out() -> None:
    document = _call()
    document.update(purpose="offer", contentMap={"en": "<p>Our <b>workshop</b> is free on Tuesdays</p>"})
    document["publishes"]["resourceConformsTo"] = ["skill:3d-printing", "skill:laser-cutting", "area:maker"]
    del document["deadline"]
    call = _features(document)
    assert call.purpose == "offer" and call.deadline is None
    assert call.concepts == frozenset({SKILL + "3d-printing", SKILL + "laser-cutting"})
    assert "workshop" in call.text and "<b>" not in call.text


@pytest.mark.parametrize(
    ("key", "value"),
    [("type", "Note"), ("purpose", "gift"), ("attributedTo", None), ("purpose", None)],
)
def test_not_a_matchable_call(key: str, value: Any) -> None:
    document = _call()
    if value is None:
        del document[key]
    else:
        document[key] = value
    assert _features(document) is None


def test_a_profile_is_not_a_call() -> None:
    assert call_from_triples("https://node.example/calls/x", []) is None


def test_a_call_the_node_renders_is_read_alike() -> None:
    body = {
        "purpose": "offer",
        "nameMap": {"ca": "Taller obert", "en": "Open workshop"},
        "contentMap": {"ca": "Els dimarts"},
        "concepts": ["skill:3d-printing", "skill:laser-cutting"],
        "basedIn": "district:10",
        "validFrom": "2026-12-01",
        "validUntil": "2027-01-10",
    }
    record = CallRecord("abc234", "project", "fira", normalise_call(body, concepts=concept_index()), STAMP, STAMP)
    call = _features(render_call(record, base_url="https://node.example", language="ca"))
    assert call.author == "https://node.example/projects/fira" and call.purpose == "offer"
    assert call.concepts == frozenset({SKILL + "3d-printing", SKILL + "laser-cutting"})
    assert call.district == "https://w3id.org/dsi4bcn/district/10" and call.neighbourhood is None
    assert call.names["en"] == "Open workshop" and "dimarts" in call.text
    assert call.begins is not None and call.ends is not None
