"""An editable call checked and brought to canonical form (``dsi4bcn.profiles.callvalidation``)."""

from typing import Any

import pytest

from dsi4bcn.profiles.callvalidation import CALL_ID_LENGTH, CallInvalid, call_state, new_call_id, normalise_call
from vocab.concepts import concept_index

GOOD: dict[str, Any] = {
    "purpose": "offer",
    "nameMap": {"ca": " Taller lliure els dimarts "},
    "concepts": ["https://w3id.org/dsi4bcn/skill/3d-printing", "skill:3d-printing"],
    "validFrom": "2027-01-05",
    "validUntil": "2027-03-30T18:00:00+02:00",
    "budget": 950.5,
}


def _problems(body: Any) -> set[tuple[str, str]]:
    with pytest.raises(CallInvalid) as raised:
        normalise_call(body, concepts=concept_index())
    return {(problem.field, problem.code) for problem in raised.value.problems}


def test_a_good_call_is_made_canonical() -> None:
    fields = normalise_call({**GOOD, "budget": "950.50"}, concepts=concept_index())
    assert fields == {
        "purpose": "offer",
        "nameMap": {"ca": "Taller lliure els dimarts"},
        "concepts": ["skill:3d-printing"],
        "validFrom": "2027-01-04T23:00:00Z",  # midnight in Barcelona, in winter
        "validUntil": "2027-03-30T16:00:00Z",
        "budget": "950.5",
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"purpose": None}, ("purpose", "required")),
        ({"purpose": "swap"}, ("purpose", "bad_purpose")),
        ({"concepts": ["area:maker"]}, ("concepts[0]", "wrong_scheme")),
        ({"concepts": []}, ("concepts", "required")),
        ({"validUntil": "2027-01-04"}, ("validUntil", "call_time_order")),
        ({"validUntil": "2027-03-30T18:00:00"}, ("validUntil", "bad_datetime")),  # no zone
        ({"deadline": "2027-04-01"}, ("deadline", "deadline_after_end")),
        ({"quantity": 0}, ("quantity", "out_of_range")),
        ({"quantity": 2.5}, ("quantity", "wrong_type")),
        ({"quantity": True}, ("quantity", "wrong_type")),
        ({"budget": "1e3"}, ("budget", "wrong_type")),
        ({"budget": "0.001"}, ("budget", "wrong_type")),
        ({"budget": "NaN"}, ("budget", "wrong_type")),
        ({"budget": 10**10}, ("budget", "out_of_range")),
        ({"basedIn": "skill:3d-printing"}, ("basedIn", "wrong_scheme")),
        ({"colour": "red"}, ("colour", "unknown_field")),
    ],
)
def test_each_problem_is_named(change: dict[str, Any], problem: tuple[str, str]) -> None:
    assert problem in _problems({**GOOD, **change})


def test_every_problem_is_listed_at_once() -> None:
    assert len(_problems({"purpose": "swap", "concepts": ["nope"], "validFrom": "x"})) == 4
    assert _problems([]) == {("", "not_object")}


def test_state_follows_the_clock_and_closing() -> None:
    fields = normalise_call(GOOD, concepts=concept_index())
    assert call_state(fields, closed=None, now="2027-01-01T00:00:00Z") == "upcoming"
    assert call_state(fields, closed=None, now="2027-02-01T00:00:00Z") == "open"
    assert call_state(fields, closed=None, now="2027-03-30T16:00:00Z") == "expired"
    assert call_state(fields, closed="2027-02-01T00:00:00Z", now="2027-02-01T00:00:01Z") == "closed"


def test_ids_are_fresh_and_unambiguous() -> None:
    ids = {new_call_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == CALL_ID_LENGTH and not set(i) & set("lo01") for i in ids)


def test_a_call_takes_no_answers_after_its_deadline() -> None:
    fields = normalise_call({**GOOD, "deadline": "2027-02-01T12:00:00+01:00"}, concepts=concept_index())
    assert call_state(fields, closed=None, now="2027-02-01T10:59:59Z") == "open"
    assert call_state(fields, closed=None, now="2027-02-01T11:00:00Z") == "expired"
