"""JSON text from strangers: UTF-8, no lone surrogates, and a nesting limit of its own (issue 9)."""

import pytest

from federation.jsontext import MAX_DEPTH, JSONTextError, parse_json


def _nested(depth: int) -> bytes:
    return b'{"a": ' * (depth - 1) + b"[]" + b"}" * (depth - 1)


def test_nesting_up_to_the_limit_is_read() -> None:
    value = parse_json(_nested(MAX_DEPTH))
    for _ in range(MAX_DEPTH - 1):
        value = value["a"]
    assert value == []


@pytest.mark.parametrize(
    "raw", [_nested(MAX_DEPTH + 1), b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), b"[" * 300_000]
)
def test_deeper_nesting_is_refused_whatever_the_stack(raw: bytes) -> None:
    with pytest.raises(JSONTextError) as refused:
        parse_json(raw)
    assert refused.value.code == "json_too_deep"


@pytest.mark.parametrize(
    ("raw", "code", "params"),
    [
        (b'{"a": 1,\n "b": }', "json_syntax", {"line": 2, "column": 7}),
        (b'{"a": "\xe9"}', "json_not_utf8", {}),
        (b'{"a": "\\ud800"}', "json_lone_surrogate", {}),
    ],
)
def test_each_refusal_has_a_code_for_the_message_table(raw: bytes, code: str, params: dict[str, int]) -> None:
    with pytest.raises(JSONTextError) as refused:
        parse_json(raw)
    assert (refused.value.code, refused.value.params) == (code, params)


def test_a_surrogate_pair_is_fine() -> None:
    assert parse_json(b'["\\ud83d\\ude00"]') == ["\U0001f600"]
