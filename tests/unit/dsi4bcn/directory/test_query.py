"""Reading a directory request: keys, CURIEs and IRIs of concepts, bounds, and what is refused."""

import pytest

from dsi4bcn.directory.query import DirectoryQuery, QueryRefused, parse_query, text_tokens


def _parse(**query: str | list[str]) -> DirectoryQuery:
    last = {key: value[-1] if isinstance(value, list) else value for key, value in query.items()}
    values = {key: value if isinstance(value, list) else [value] for key, value in query.items()}
    return parse_query(last, values)


def test_words_fold_case_and_accents_and_drop_syntax() -> None:
    assert text_tokens('Impressió 3D-printing «ÀNEC» "x"* OR_y') == [
        "impressio",
        "3d",
        "printing",
        "anec",
        "x",
        "or",
        "y",
    ]


def test_concepts_by_key_curie_or_iri_and_defaults() -> None:
    asked = _parse(area=["open-data", "area:maker", "https://w3id.org/dsi4bcn/area/open-data"], district="10")
    assert asked.filters == {"area": frozenset({"open-data", "maker"}), "district": frozenset({"10"})}
    assert (asked.sort, asked.page, asked.per_page) == ("name", 1, 20)
    assert _parse(q="taller").sort == "relevance"
    assert _parse(q="  ", sort="relevance").sort == "name"  # nothing to be relevant to


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"page": "0"}, "directory_bad_number"),
        ({"page": "-1"}, "directory_bad_number"),
        ({"page": "١"}, "directory_bad_number"),
        ({"per_page": "101"}, "directory_bad_number"),
        ({"area": "hardware"}, "directory_unknown_concept"),  # a skill, not an area
        ({"needs": "https://w3id.org/dsi4bcn/area/maker"}, "directory_unknown_concept"),
        ({"kind": "person"}, "directory_unknown_kind"),
        ({"source": "a b"}, "directory_bad_source"),
        ({"sort": "random"}, "directory_unknown_sort"),
        ({"colour": "red"}, "directory_unknown_parameter"),
        ({"q": "x" * 201}, "directory_query_too_long"),
        ({"sdg": [str(n % 17 + 1) for n in range(51)]}, "directory_too_many_values"),
    ],
)
def test_refusals(query: dict[str, str | list[str]], code: str) -> None:
    with pytest.raises(QueryRefused) as refused:
        _parse(**query)
    assert refused.value.code == code
