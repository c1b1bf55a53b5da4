"""The values of FEP-0837 documents: quantities, dates, IRIs and texts, each with a near-miss refused."""

from decimal import Decimal
from typing import Any

import pytest

from federation.valueflows import (
    MAX_FRACTION_DIGITS,
    MAX_LANGUAGES,
    MAX_QUANTITY,
    ProposalRefused,
    Quantity,
    expand_iri,
    read_datetime,
    read_iri,
    read_quantity,
    read_text_map,
    render_quantity,
)


def _code(read: Any, *arguments: Any) -> str:
    with pytest.raises(ProposalRefused) as caught:
        read(*arguments)
    return caught.value.code


def test_our_prefixes_come_from_the_bundled_contexts() -> None:
    assert expand_iri("skill:3d-printing") == "https://w3id.org/dsi4bcn/skill/3d-printing"
    assert expand_iri("vf:Proposal") == "https://w3id.org/valueflows/ont/vf#Proposal"
    assert expand_iri("caip:19:monero:1/slip44:128") == "caip:19:monero:1/slip44:128"
    assert expand_iri("https://skill.example/x") == "https://skill.example/x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", Decimal(1)),
        ("2.50", Decimal("2.5")),
        (".5", Decimal("0.5")),
        ("+3", Decimal(3)),
        (0, Decimal(0)),
        (1200, Decimal(1200)),
        (41.38, Decimal("41.38")),
        (int(MAX_QUANTITY), MAX_QUANTITY),
    ],
)
def test_amounts_are_read_from_numbers_and_decimal_strings(value: Any, expected: Decimal) -> None:
    assert read_quantity({"hasUnit": "one", "hasNumericalValue": value}, "q") == Quantity("one", expected)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1e3",
        "1_000",
        " 1",
        "0x10",
        "NaN",
        "Infinity",
        "１",
        "1.2.3",
        "--1",
        "-+1",
        float("nan"),
        float("inf"),
        None,
    ],
)
def test_amounts_that_are_not_plain_numbers_are_refused(value: Any) -> None:
    quantity = {"hasUnit": "one", "hasNumericalValue": value}
    if value is None:
        assert read_quantity(quantity, "q") == Quantity("one")  # absent: any amount
    else:
        assert _code(read_quantity, quantity, "q") == "proposal_quantity_invalid"


def test_amounts_past_the_bounds_are_refused() -> None:
    for value in (int(MAX_QUANTITY) + 1, "0." + "1" * (MAX_FRACTION_DIGITS + 1), "1234567890123.4567"):
        assert _code(read_quantity, {"hasUnit": "one", "hasNumericalValue": value}, "q") == "proposal_quantity_invalid"


def test_quantities_render_as_decimal_text() -> None:
    quantity = Quantity("one", Decimal("2.50"))
    assert render_quantity(quantity) == {"hasUnit": "one", "hasNumericalValue": "2.50"}
    assert render_quantity(Quantity("one", Decimal(7))) == {"hasUnit": "one", "hasNumericalValue": "7"}
    assert render_quantity(Quantity("hour")) == {"hasUnit": "hour"}
    assert render_quantity(Quantity("one", Decimal("1E+3")))["hasNumericalValue"] == "1000"


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T09:00:00Z",
        "2026-12-01T09:00:00.5+01:00",
        "2024-02-29T23:59:59-14:00",
        "2026-06-18T19:22:03.918737123Z",
    ],
)
def test_datetimes_with_a_timezone_are_read(value: str) -> None:
    read = read_datetime(value, "d")
    assert read is not None and read[0] == value and read[1].tzinfo is not None


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T09:00:00",
        "2026-12-01 09:00:00Z",
        "2025-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-12-01T09:60:00Z",
        "0000-01-01T00:00:00Z",
        "2026-12-01T09:00:00+14:30",
        "2026-12-01T09:00:00.1234567890Z",
        "20261201T090000Z",
        42,
    ],
)
def test_datetimes_that_are_not_xsd_with_a_timezone_are_refused(value: Any) -> None:
    assert _code(read_datetime, value, "d") == "proposal_datetime_invalid"


@pytest.mark.parametrize(
    "value", ["3d printing", "no-scheme", ":x", "1a:b", "https://a.example/<x>", "a:\ud800", "x:" + "a" * 2048]
)
def test_iris_that_cannot_be_written_are_refused(value: str) -> None:
    assert _code(read_iri, value, "i") == "proposal_iri_invalid"


def test_language_maps_are_bounded_and_tagged() -> None:
    assert read_text_map({"nameMap": {"ca": "A", "es-ES": "B"}, "name": "A"}, "name", 10) == {"ca": "A", "es-ES": "B"}
    assert read_text_map({"name": "C"}, "name", 10) == {"": "C"}
    many = {"nameMap": {f"x{chr(97 + n)}": "t" for n in range(MAX_LANGUAGES + 1)}}
    assert _code(read_text_map, many, "name", 10) == "proposal_text_invalid"
    assert _code(read_text_map, {"nameMap": {"1ca": "A"}}, "name", 10) == "proposal_text_invalid"
