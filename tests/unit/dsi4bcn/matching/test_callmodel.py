"""The call model: what a call wants and makes available, its parts, when it is open, its explanation, whose
side it is on (``matching.callmodel``)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dsi4bcn.i18n import UI
from dsi4bcn.matching.callmodel import (
    CALL_PARTS,
    CALL_REASON_LABELS,
    CALL_WEIGHTS,
    CallFeatures,
    as_profile,
    call_parts,
    closes_at,
    explain_call,
    has_call_reason,
    index_weights,
    open_at,
    opens_at,
    same_side,
)
from dsi4bcn.matching.model import PARTS, Profile
from tests.support.concepts import POBLENOU, SANT_MARTI, SECTOR, SKILL

PRINTING, LASER, HARDWARE = SKILL + "3d-printing", SKILL + "laser-cutting", SKILL + "hardware"
WEB = SKILL + "web-development"


def _call(purpose: str, *concepts: str, **fields: object) -> CallFeatures:
    return CallFeatures(
        id=f"https://n.example/calls/{purpose}", author="https://n.example/organisations/a",
        purpose=purpose, concepts=frozenset(concepts), **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def _profile(identifier: str = "p", **fields: object) -> Profile:
    return Profile(f"https://m.example/projects/{identifier}", "project", organisation="o", **fields)  # type: ignore[arg-type]


def test_a_request_needs_its_concepts_and_an_offer_offers_them() -> None:
    request, offer = as_profile(_call("request", PRINTING)), as_profile(_call("offer", PRINTING))
    assert (request.needs, request.offers) == (frozenset({PRINTING}), frozenset())
    assert (offer.needs, offer.offers) == (frozenset(), frozenset({PRINTING}))
    assert request.kind == "call" and request.organisation == "https://n.example/organisations/a"
    assert as_profile(_call("request", organisation="https://n.example/organisations/o")).organisation.endswith("/o")  # type: ignore[union-attr]


def test_a_request_is_met_by_offers_and_an_offer_meets_needs() -> None:
    request = _call("request", PRINTING, WEB)
    assert call_parts(request, _profile(offers=frozenset({PRINTING})))["concepts"] == 0.5
    assert call_parts(request, _profile(offers=frozenset({PRINTING, WEB})))["concepts"] == 1.0
    assert call_parts(request, _profile(needs=frozenset({PRINTING, WEB})))["concepts"] == 0.0  # wants the same
    offer = _call("offer", PRINTING)
    assert call_parts(offer, _profile(needs=frozenset({PRINTING, WEB})))["concepts"] == 0.5
    assert call_parts(offer, _profile(offers=frozenset({PRINTING})))["concepts"] == 0.0
    # broader or narrower 0.5, sibling 0.25, as between profiles
    assert call_parts(request, _profile(offers=frozenset({HARDWARE})))["concepts"] == 0.25
    assert call_parts(_call("request", PRINTING), _profile(offers=frozenset({LASER})))["concepts"] == 0.25
    # symmetric: a profile asking about a call scores as the call asking about the profile
    helper = _profile(offers=frozenset({PRINTING}), sectors=frozenset({SECTOR + "industry"}))
    assert call_parts(helper, request)["concepts"] == call_parts(request, helper)["concepts"]


def test_a_request_meets_an_offer_and_never_a_call_of_its_own_purpose() -> None:
    request = _call("request", PRINTING, WEB)
    assert call_parts(request, _call("offer", PRINTING))["concepts"] == 0.5
    assert call_parts(_call("offer", PRINTING), request)["concepts"] == 0.5
    assert call_parts(request, _call("request", PRINTING, WEB))["concepts"] == 0.0
    assert call_parts(_call("offer", PRINTING), _call("offer", PRINTING))["concepts"] == 0.0
    with pytest.raises(ValueError, match="a call"):
        call_parts(_profile(), _profile())


def test_sectors_and_place_count_only_beside_a_concept() -> None:
    request = _call("request", PRINTING, sectors=frozenset({SECTOR + "civil-society"}), neighbourhood=POBLENOU)
    industry = frozenset({SECTOR + "industry"})
    nothing = call_parts(request, _profile(offers=frozenset({WEB}), sectors=industry, neighbourhood=POBLENOU))
    assert nothing["sectors"] == 0.0 and nothing["place"] == 1.0 and not has_call_reason(nothing)
    helps = call_parts(request, _profile(offers=frozenset({PRINTING}), sectors=industry, district=SANT_MARTI))
    assert helps["sectors"] == 1.0 and has_call_reason(helps)
    assert has_call_reason(call_parts(request, _profile(offers=frozenset({LASER}))))  # related is a reason


def test_the_weights_sum_to_one_and_map_onto_the_index_parts() -> None:
    assert sum(CALL_WEIGHTS.values()) == pytest.approx(1.0)
    assert set(CALL_WEIGHTS) == set(CALL_PARTS)
    weights = index_weights()
    assert set(weights) == set(PARTS)
    assert weights["needs"] == weights["offers"] == CALL_WEIGHTS["concepts"]
    assert weights["areas"] == weights["sdgs"] == 0.0


def test_a_call_is_open_from_its_beginning_until_its_end_or_deadline() -> None:
    both = _call("request", begins="2026-12-01T09:00:00Z", ends="2026-12-15T20:00:00Z", deadline="2026-12-10T12:00:00Z")
    assert closes_at(both) == datetime(2026, 12, 10, 12, tzinfo=UTC)
    assert opens_at(both) == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert not open_at(both, datetime(2026, 11, 30, tzinfo=UTC))  # not begun yet
    assert open_at(both, datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert not open_at(both, datetime(2026, 12, 10, 12, tzinfo=UTC))
    late_deadline = _call("request", ends="2026-12-15T20:00:00Z", deadline="2026-12-31T00:00:00Z")
    assert closes_at(late_deadline) == datetime(2026, 12, 15, 20, tzinfo=UTC)
    ends = _call("offer", ends="2026-12-15T21:00:00+01:00")
    assert open_at(ends, datetime(2026, 12, 15, 19, 59, tzinfo=UTC))
    assert not open_at(ends, datetime(2026, 12, 15, 21, tzinfo=timezone(timedelta(hours=1))))
    assert closes_at(_call("offer", ends="2026-12-15T20:00:00")) == datetime(2026, 12, 15, 20, tzinfo=UTC)
    assert closes_at(_call("offer")) is None and open_at(_call("offer"), datetime(2100, 1, 1, tzinfo=UTC))


def test_own_side_is_the_call_its_author_and_their_organisation() -> None:
    call = _call("request", PRINTING, organisation="https://n.example/organisations/o")
    author = Profile("https://n.example/organisations/a", "organisation")
    assert same_side(call, author) and same_side(author, call)
    assert same_side(call, Profile("https://n.example/organisations/o", "organisation"))
    assert same_side(call, Profile("https://n.example/projects/x", "project", "https://n.example/organisations/o"))
    assert same_side(call, _call("offer", organisation="https://n.example/organisations/o"))
    assert not same_side(call, _profile())


def test_the_explanation_says_met_or_related_under_a_code_for_each_direction() -> None:
    request = _call("request", PRINTING, WEB, neighbourhood=POBLENOU, district=SANT_MARTI)
    helper = _profile(offers=frozenset({PRINTING, SKILL + "mobile-development"}), neighbourhood=POBLENOU)
    why = explain_call(request, helper, call_parts(request, helper), "en")
    assert [pair["need"]["code"] for pair in why["requestMetByTheirOffers"]] == ["skill:3d-printing"]
    related = why["requestRelatedToTheirOffers"]
    assert [(p["need"]["code"], p["offer"]["code"], p["relation"]) for p in related] == [
        ("skill:web-development", "skill:mobile-development", "sibling")
    ]
    assert why["place"]["same"] == "neighbourhood" and set(why["parts"]) == set(CALL_PARTS)
    assert sum(why["shares"].values()) == pytest.approx(1.0, abs=1e-3)
    offer = _call("offer", PRINTING)
    needy = _profile(needs=frozenset({PRINTING}))
    assert explain_call(offer, needy, call_parts(offer, needy), "en")["theirNeedsMetByOffer"]
    assert explain_call(needy, offer, call_parts(needy, offer), "en")["yourNeedsMetByOffer"]
    assert explain_call(helper, request, call_parts(helper, request), "en")["requestMetByYourOffers"]
    assert explain_call(request, _call("offer", WEB), call_parts(request, _call("offer", WEB)), "en")[
        "requestMetByTheirOffers"
    ]


def test_every_reason_code_has_words_in_each_language() -> None:
    codes: set[str] = set()
    for asker, candidate in [
        (_call("request", PRINTING), _profile()),
        (_call("offer", PRINTING), _profile()),
        (_profile(), _call("request", PRINTING)),
        (_profile(), _call("offer", PRINTING)),
    ]:
        codes |= set(explain_call(asker, candidate, call_parts(asker, candidate), "ca")) - {"place", "sectors"}
    assert codes - {"parts", "shares"} == set(CALL_REASON_LABELS)
    for label in [*CALL_REASON_LABELS.values(), "call", "call_request", "call_offer"]:
        assert set(UI[label]) == {"ca", "es", "en"}, label
    assert all(f"part_{name}" in UI for name in CALL_PARTS)
