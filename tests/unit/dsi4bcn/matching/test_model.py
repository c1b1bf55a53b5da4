"""The matching model part by part: concepts, needs and offers, place, sector, text, weights, the explanation
(``matching.model``)."""

import pytest

from dsi4bcn.matching.model import (
    DEFAULT_WEIGHTS,
    PARTS,
    Profile,
    concept_neighbours,
    cover,
    explain,
    normalise_weights,
    pair_parts,
    place_score,
    sector_score,
    tokens,
)
from tests.support.concepts import AREA, POBLENOU, RAVAL, SANT_MARTI, SDG, SECTOR, SKILL


def _profile(name: str, **fields: object) -> Profile:
    return Profile(id=f"https://n.example/projects/{name}", kind="project", **fields)  # type: ignore[arg-type]


def test_concept_similarity_follows_the_hierarchy() -> None:
    web = concept_neighbours(SKILL + "web-development")
    assert web[SKILL + "web-development"] == 1.0
    assert web[SKILL + "software-development"] == 0.5  # its broader
    assert web[SKILL + "mobile-development"] == 0.25  # a sibling
    assert SKILL + "3d-printing" not in web
    assert concept_neighbours(SKILL + "data")[SKILL + "data-visualisation"] == 0.5  # a narrower one


def test_needs_met_by_offers_with_partial_credit() -> None:
    assert cover({SKILL + "web-development"}, {SKILL + "web-development"}) == 1.0
    assert cover({SKILL + "data"}, {SKILL + "data-visualisation"}) == 0.5
    assert cover({SKILL + "web-development", SKILL + "grants"}, {SKILL + "web-development"}) == 0.5
    assert cover({SKILL + "web-development"}, {SKILL + "mobile-development"}) == 0.25
    assert cover(set(), {SKILL + "web-development"}) == 0.0
    assert cover({SKILL + "grants"}, {SKILL + "3d-printing"}) == 0.0


def test_place_sector_and_text_parts() -> None:
    here = _profile("a", neighbourhood=POBLENOU, district=SANT_MARTI, latitude=41.400, longitude=2.200)
    same = _profile("b", neighbourhood=POBLENOU, district=SANT_MARTI, latitude=41.401, longitude=2.201)
    district = _profile("c", neighbourhood="https://w3id.org/dsi4bcn/neighbourhood/65", district=SANT_MARTI)
    far = _profile(
        "d", neighbourhood=RAVAL, district="https://w3id.org/dsi4bcn/district/1", latitude=41.380, longitude=2.169
    )
    assert place_score(here, same)[0] == 1.0
    assert place_score(here, district)[0] == 0.6
    score, distance = place_score(here, far)
    assert distance is not None and 3.0 < distance < 4.0 and 0.2 < score < 0.4
    academia = _profile("e", sectors=frozenset({SECTOR + "academia"}))
    civil = _profile("f", sectors=frozenset({SECTOR + "civil-society"}))
    assert sector_score(civil, academia) == 1.0
    assert sector_score(civil, civil) == 0.3
    assert sector_score(civil, _profile("g")) == 0.5
    assert tokens("Dades obertes per al barri") == ["dades", "oberte", "barri"]
    assert tokens("Datos abiertos") == ["datos", "abiert"]
    assert tokens("Fàbrica digital") == tokens("fabrica DIGITAL")


def test_the_score_parts_and_their_explanation() -> None:
    maker = _profile(
        "maker",
        needs=frozenset({SKILL + "web-development", SKILL + "data"}),
        offers=frozenset({SKILL + "workshop-space"}),
        areas=frozenset({AREA + "maker"}),
        sdgs=frozenset({SDG + "4", SDG + "11"}),
        sectors=frozenset({SECTOR + "civil-society"}),
        neighbourhood=POBLENOU,
        district=SANT_MARTI,
    )
    coop = _profile(
        "coop",
        needs=frozenset({SKILL + "space"}),
        offers=frozenset({SKILL + "web-development", SKILL + "data-visualisation"}),
        areas=frozenset({AREA + "digital-fabrication"}),
        sdgs=frozenset({SDG + "11"}),
        sectors=frozenset({SECTOR + "industry"}),
        neighbourhood="https://w3id.org/dsi4bcn/neighbourhood/65",
        district=SANT_MARTI,
    )
    parts = pair_parts(maker, coop, text_similarity=0.2)
    assert parts["needs"] == pytest.approx((1.0 + 0.5) / 2)
    assert parts["offers"] == 0.5  # their need "space" is the broader concept of our "workshop space"
    assert parts["areas"] == 0.5  # maker › digital fabrication, both ways
    assert parts["sdgs"] == pytest.approx(1 / 2**0.5)
    assert parts["place"] == 0.6 and parts["text"] == 0.2
    assert parts["sectors"] == 0.75  # another sector (1.0), times how well they meet each other's needs
    weights = normalise_weights(None)
    why = explain(maker, coop, parts, weights, "ca")
    met = {(item["need"]["code"], item["offer"]["code"], item["relation"]) for item in why["needsMetByTheirOffers"]}
    assert met == {
        ("skill:web-development", "skill:web-development", "same"),
        ("skill:data", "skill:data-visualisation", "broader or narrower"),
    }
    assert why["needsMetByTheirOffers"][0]["need"]["label"] in ("Dades", "Desenvolupament web")
    assert why["theirNeedsMetByYourOffers"][0]["offer"]["code"] == "skill:workshop-space"
    assert why["place"]["same"] == "district"
    assert why["sectors"]["theirs"][0]["label"] == "Indústria"
    assert sum(why["shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert why["shares"]["needs"] > why["shares"]["text"]


def test_weights_are_bounded_and_normalised() -> None:
    weights = normalise_weights({"needs": 1.0})
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["needs"] > DEFAULT_WEIGHTS["needs"]
    for bad in ({"needs": 1.5}, {"needs": -0.1}, {"colour": 0.5}, dict.fromkeys(PARTS, 0.0)):
        with pytest.raises(ValueError):
            normalise_weights(bad)


def test_a_sibling_concept_is_related_to_a_need_not_meeting_it() -> None:
    skill = "https://w3id.org/dsi4bcn/skill/"
    asker = Profile("a", "project", needs=frozenset({skill + "web-development"}))
    auditor = Profile("b", "project", offers=frozenset({skill + "security-auditing"}))
    parts = pair_parts(asker, auditor)
    why = explain(asker, auditor, parts, normalise_weights(None), "en")
    assert why["needsMetByTheirOffers"] == []
    related = why["needsRelatedToTheirOffers"]
    assert [(r["need"]["label"], r["offer"]["label"], r["relation"]) for r in related] == [
        ("Web development", "Security auditing", "sibling")
    ]
