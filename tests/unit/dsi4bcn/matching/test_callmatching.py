"""Candidates for a call, profiles and calls in one ranking, and the calls a profile could answer, as the
pairwise call model has them (``matching.callmatching``)."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from dsi4bcn.matching.callindex import CallIndex
from dsi4bcn.matching.callmatching import CallMatching, call_parts_of
from dsi4bcn.matching.callmodel import (
    CALL_PARTS,
    CALL_WEIGHTS,
    CallFeatures,
    call_parts,
    has_call_reason,
    open_at,
    same_side,
)
from dsi4bcn.matching.index import MatchIndex
from dsi4bcn.matching.model import Profile
from tests.support.concepts import POBLENOU, SANT_MARTI, SKILL
from tests.support.textsimilarity import reference_text_similarity
from tests.unit.dsi4bcn.matching.test_callindex import random_call, random_profile

NOW = datetime(2026, 12, 5, tzinfo=UTC)


def _matching(profiles: list[Profile], calls: list[CallFeatures]) -> CallMatching:
    index = MatchIndex()
    index.profiles.update((profile.id, profile) for profile in profiles)
    index.rebuild()
    call_index = CallIndex()
    call_index.load(calls)
    return CallMatching(index, call_index)


def test_the_profiles_found_for_a_call_are_the_models_after_updates_and_removals() -> None:
    rng = random.Random(8)
    profiles = [random_profile(rng, number) for number in range(260)]
    matching = _matching(profiles[:220], [])
    text = reference_text_similarity(profile.text for profile in profiles[:220])
    for profile in profiles[220:]:  # to the delta block
        matching.profiles.upsert(profile)
    matching.profiles.remove(profiles[4].id)
    checked = 0
    for call in [random_call(rng, number) for number in range(1, 30)]:
        ranked = matching.rank(call, limit=1000, now=NOW)
        expected = {}
        for profile in matching.profiles.profiles.values():
            parts = call_parts(call, profile, text(call.text, profile.text))
            if profile.active and not same_side(call, profile) and has_call_reason(parts):
                expected[profile.id] = parts
        assert {c.id for c in ranked} == set(expected), call.id
        for candidate in ranked:
            parts = call_parts_of(candidate.parts)
            for name in CALL_PARTS:
                assert parts[name] == pytest.approx(expected[candidate.id][name], abs=1e-9), (name, candidate.id)
        checked += len(ranked)
    assert checked > 1000


def test_a_call_meets_profiles_and_calls_in_one_ranking_each_explained() -> None:
    printing = frozenset({SKILL + "3d-printing"})
    request = CallFeatures(
        "https://n.example/calls/fair", "https://n.example/organisations/a", "request", printing,
        neighbourhood=POBLENOU, district=SANT_MARTI, names={"ca": "Fira"},
    )  # fmt: skip
    near = Profile(
        "https://m.example/projects/near", "project", "https://m.example/organisations/m", offers=printing,
        district=SANT_MARTI, names={"ca": "Taller a prop"},
    )  # fmt: skip
    far = Profile("https://m.example/projects/far", "project", "https://m.example/organisations/m", offers=printing)
    sibling = Profile("https://m.example/organisations/s", "organisation", offers=frozenset({SKILL + "laser-cutting"}))
    own = Profile("https://n.example/projects/own", "project", "https://n.example/organisations/a", offers=printing)
    offer = CallFeatures(
        "https://z.example/calls/lab", "https://z.example/organisations/z", "offer", printing,
        neighbourhood=POBLENOU, names={"en": "Open lab"},
    )  # fmt: skip
    closed = CallFeatures(
        "https://z.example/calls/old", "https://z.example/organisations/z", "offer", printing, deadline="2026-12-01"
    )
    matching = _matching([near, far, sibling, own], [offer, closed])
    results = matching.match(request, limit=10, now=NOW, language="en")
    assert [(r["candidate"], r["kind"]) for r in results] == [
        (offer.id, "call"),
        (near.id, "project"),
        (far.id, "project"),
        (sibling.id, "organisation"),
    ]
    assert results[0]["purpose"] == "offer" and results[0]["name"] == "Open lab"
    assert results[1]["name"] == "Taller a prop" and results[1]["purpose"] is None
    assert results[1]["explanation"]["requestMetByTheirOffers"][0]["relation"] == "same"
    assert results[1]["explanation"]["place"]["same"] == "district"
    assert results[3]["explanation"]["requestMetByTheirOffers"] == []
    assert results[3]["explanation"]["requestRelatedToTheirOffers"][0]["relation"] == "sibling"
    expected = sum(CALL_WEIGHTS[name] * results[1]["explanation"]["parts"][name] for name in CALL_PARTS)
    assert results[1]["score"] == pytest.approx(expected, abs=1e-3)
    assert [r["candidate"] for r in matching.match(request, limit=2, now=NOW, language="en")] == [offer.id, near.id]
    before = datetime(2026, 11, 30, tzinfo=UTC)
    assert closed.id in {r["candidate"] for r in matching.match(request, limit=10, now=before, language="en")}


def test_the_calls_a_profile_could_answer() -> None:
    rng = random.Random(12)
    calls = [random_call(rng, number) for number in range(80)]
    matching = _matching([], calls)
    text = reference_text_similarity(call.text for call in calls)
    for profile in [random_profile(rng, number) for number in range(8)]:
        for now in (NOW, NOW + timedelta(days=20)):
            results = matching.for_profile(profile, limit=100, now=now, language="ca")
            expected = {
                call.id
                for call in calls
                if open_at(call, now)
                and not same_side(profile, call)
                and has_call_reason(call_parts(profile, call, text(profile.text, call.text)))
            }
            assert {r["candidate"] for r in results} == expected
            for result in results:
                call = matching.calls.calls[result["candidate"]]
                code = "requestMetByYourOffers" if call.purpose == "request" else "yourNeedsMetByOffer"
                assert code in result["explanation"]
                assert result["kind"] == "call" and result["purpose"] == call.purpose
