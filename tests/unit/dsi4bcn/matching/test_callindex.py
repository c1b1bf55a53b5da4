"""The call index finds exactly the open calls the pairwise call model would suggest, with the same parts,
after upserts, removals and as the clock moves (calls not yet begun and closed ones hidden) (``matching.callindex``)."""

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from dsi4bcn.matching.callindex import CallIndex
from dsi4bcn.matching.callmatching import call_parts_of
from dsi4bcn.matching.callmodel import (
    CALL_PARTS,
    CALL_WEIGHTS,
    CallFeatures,
    call_parts,
    has_call_reason,
    open_at,
    opens_at,
    same_side,
)
from dsi4bcn.matching.model import Profile
from tests.support.concepts import SECTOR
from tests.support.textsimilarity import reference_text_similarity
from vocab.concepts import concept_index

START = datetime(2026, 12, 1, tzinfo=UTC)
_WORDS = [
    "taller",
    "impressió",
    "voluntàries",
    "fira",
    "barri",
    "robòtica",
    "escola",
    "dades",
    "obertes",
    "làser",
    "fusta",
    "energia",
]


def random_call(rng: random.Random, number: int) -> CallFeatures:
    """A call with random concepts, author, place, words and closing time (some never close)."""
    index = concept_index()
    skills = [c.iri for c in index.in_scheme("skill")]
    place = rng.choice(index.in_scheme("neighbourhood"))
    closes = (START + timedelta(days=rng.randint(1, 30))).isoformat() if number % 5 else None
    return CallFeatures(
        id=f"https://n.example/calls/c{number}",
        author=f"https://n.example/projects/p{number % 13}",
        purpose=rng.choice(["request", "offer"]),
        concepts=frozenset(rng.sample(skills, rng.randint(1, 3))),
        organisation=f"https://n.example/organisations/o{number % 4}" if number % 3 else None,
        sectors=frozenset(rng.sample([SECTOR + s for s in ("industry", "academia", "civil-society")], number % 2)),
        neighbourhood=place.iri if number % 7 else None,
        district=place.broader[0],
        latitude=None if number % 6 == 0 else place.latitude,
        longitude=None if number % 6 == 0 else place.longitude,
        text=" ".join(rng.choices(_WORDS, k=rng.randint(0, 6))),
        deadline=closes if number % 2 else None,
        ends=closes,
        begins=(START + timedelta(days=rng.randint(-5, 12))).isoformat() if number % 4 == 0 else None,
    )


def random_profile(rng: random.Random, number: int) -> Profile:
    """A project or organisation with random needs, offers, place and sectors."""
    index = concept_index()
    skills = [c.iri for c in index.in_scheme("skill")]
    place = rng.choice(index.in_scheme("neighbourhood"))
    kind = "organisation" if number % 5 == 0 else "project"
    return Profile(
        id=f"https://n.example/{kind}s/x{number}",
        kind=kind,
        organisation=f"https://n.example/organisations/o{number % 4}" if kind == "project" else None,
        needs=frozenset(rng.sample(skills, rng.randint(0, 3))),
        offers=frozenset(rng.sample(skills, rng.randint(0, 3))),
        sectors=frozenset(rng.sample([SECTOR + s for s in ("industry", "academia")], number % 2)),
        neighbourhood=place.iri,
        district=place.broader[0],
        latitude=place.latitude,
        longitude=place.longitude,
        text=" ".join(rng.choices(_WORDS, k=rng.randint(0, 6))),
    )


def _check(index: CallIndex, asker: Profile | CallFeatures, now: datetime, text: Callable[[str, str], float]) -> int:
    """The index's answer for ``asker`` is the model's: same calls, same parts, same scores, in order."""
    ranked = index.top(asker, limit=10_000, now=now)
    expected = {}
    for call in index.calls.values():
        if not open_at(call, now) or same_side(asker, call):
            continue
        parts = call_parts(asker, call, text(asker.text, call.text))
        if has_call_reason(parts):
            expected[call.id] = parts
    assert {c.id for c in ranked} == set(expected), asker.id
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    for candidate in ranked:
        parts = call_parts_of(candidate.parts)
        for name in CALL_PARTS:
            assert parts[name] == pytest.approx(expected[candidate.id][name], abs=1e-9), (name, candidate.id)
        score = sum(CALL_WEIGHTS[name] * expected[candidate.id][name] for name in CALL_PARTS)
        assert candidate.score == pytest.approx(score, abs=1e-9)
    return len(ranked)


def test_the_index_finds_what_the_pairwise_model_does_after_upserts_removals_and_time() -> None:
    rng = random.Random(3)
    calls = [random_call(rng, number) for number in range(240)]
    profiles = [random_profile(rng, number) for number in range(12)]
    index = CallIndex()
    index.load(calls[:200])
    text = reference_text_similarity(call.text for call in calls[:200])
    for call in calls[200:]:  # to the delta block
        index.upsert(call)
    index.upsert(random_call(random.Random(9), 7))  # a changed call: its base row masked, its delta row counts
    for gone in (calls[11].id, calls[210].id):
        index.remove(gone)
    found = 0
    for now in (START, START + timedelta(days=10), START + timedelta(days=40)):
        for asker in [*profiles, *calls[:12], calls[215]]:
            found += _check(index, asker, now, text)
    assert found > 500  # the check is not vacuous
    assert calls[11].id not in index.calls and calls[210].id not in index.calls


def test_closed_calls_are_hidden_then_pruned_and_a_call_never_meets_its_own_side() -> None:
    rng = random.Random(4)
    calls = [random_call(rng, number) for number in range(60)]
    index = CallIndex()
    index.load(calls)
    later = START + timedelta(days=15)
    closed = index.closed_at(later)
    assert closed and all(not open_at(index.calls[iri], later) for iri in closed)
    assert {c.id for c in index.open_at(later)} == {c.id for c in calls if open_at(c, later)}
    upcoming = {c.id for c in calls if (opens := opens_at(c)) is not None and opens > START}
    assert upcoming and set(index.upcoming_at(START)) == upcoming
    assert not upcoming & {c.id for c in index.open_at(START)}
    assert index.prune(later) == closed
    assert not set(closed) & set(index.calls)
    assert index.closed_at(later) == []
    request = CallFeatures("https://n.example/calls/new", calls[0].author, "request", calls[0].concepts)
    twin = CallFeatures("https://n.example/calls/twin", calls[0].author, "offer", calls[0].concepts)
    index.upsert(twin)
    assert twin.id not in {c.id for c in index.top(request, 100, START)}  # the same author's offer
    stranger = CallFeatures("https://n.example/calls/other", "https://z.example/o/z", "offer", twin.concepts)
    index.upsert(stranger)
    top = index.top(request, 100, START)
    assert stranger.id in {c.id for c in top if c.parts["needs"] == 1.0}
