"""Reading a request for calls: skills and districts by code, CURIE or IRI, choices, days and bounds."""

from collections.abc import Mapping, Sequence

import pytest

from dsi4bcn.directory.callquery import CallQuery, parse_call_query
from dsi4bcn.directory.query import QueryRefused


def _parse(**query: str | list[str]) -> CallQuery:
    last = {key: value[-1] if isinstance(value, list) else value for key, value in query.items()}
    values: Mapping[str, Sequence[str]] = {
        key: value if isinstance(value, list) else [value] for key, value in query.items()
    }
    return parse_call_query(last, values)


def test_values_and_defaults() -> None:
    asked = _parse(
        skill=["3d-printing", "skill:hardware", "https://w3id.org/dsi4bcn/skill/3d-printing"],
        district=["district:01", "10"],
        purpose="offer",
        deadline_before="2027-01-31",
        lang="es",
    )
    assert asked.filters == {
        "skill": frozenset({"3d-printing", "hardware"}),
        "district": frozenset({"1", "10"}),
        "purpose": frozenset({"offer"}),
    }
    assert (asked.deadline_before, asked.state, asked.sort, asked.page, asked.per_page) == (
        "2027-01-31",
        "open",
        "newest",
        1,
        20,
    )
    assert _parse(state="all", sort="deadline", page="2", per_page="100").state == "all"
    assert _parse(purpose="", deadline_before="").filters == {}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"purpose": "maybe"}, "calls_unknown_value"),
        ({"state": "closed"}, "calls_unknown_value"),
        ({"sort": "name"}, "calls_unknown_value"),
        ({"skill": "area:maker"}, "directory_unknown_concept"),
        ({"skill": "skïll"}, "directory_unknown_concept"),
        ({"district": "neighbourhood:64"}, "directory_unknown_concept"),
        ({"deadline_before": "2027-02-30"}, "calls_bad_day"),
        ({"deadline_before": "2027-1-3"}, "calls_bad_day"),
        ({"deadline_before": "２０２７-01-03"}, "calls_bad_day"),
        ({"page": "1001"}, "directory_bad_number"),
        ({"per_page": "0"}, "directory_bad_number"),
        ({"q": "x"}, "calls_unknown_parameter"),
        ({"skill": ["hardware"] * 51}, "directory_too_many_values"),
    ],
)
def test_refusals(query: dict[str, str | list[str]], code: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        _parse(**query)
    assert refused.value.code == code
