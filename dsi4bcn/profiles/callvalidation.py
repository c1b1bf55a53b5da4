"""A call for collaboration as its caller edits it: check an editable call and bring it to canonical form.

A call is a request ("we need two volunteers who know 3D printing") or an offer ("our workshop is free on
Tuesday afternoons") of an organisation or a project, about concepts of the skills and resources scheme.
The editable call is flat JSON (docs/calls.md); ``dsi4bcn.profiles.calldocuments`` publishes it as an
FEP-0837 ``Proposal``. Every problem is reported at once, with the profile checks' codes and checkers
(``dsi4bcn.profiles.values``), and nothing is written unless there are none.

Times are ``xsd:dateTime`` with a zone, or a day: a day is Barcelona's, its start for ``validFrom`` and
its end for ``validUntil`` and ``deadline``. They are stored in UTC, to the second, ending in ``Z``.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dsi4bcn.i18n import Phrase
from dsi4bcn.profiles.values import Problem, ValueChecker
from vocab.concepts import ConceptIndex

__all__ = [
    "CALL_ID_LENGTH",
    "CALL_TERMS",
    "PURPOSES",
    "CallInvalid",
    "CallState",
    "Purpose",
    "call_state",
    "days_left",
    "new_call_id",
    "normalise_call",
]

Purpose = Literal["request", "offer"]
PURPOSES: tuple[Purpose, ...] = ("request", "offer")
CallState = Literal["upcoming", "open", "expired", "closed"]
CALL_TERMS = (
    "purpose",
    "nameMap",
    "contentMap",
    "concepts",
    "quantity",
    "basedIn",
    "location",
    "validFrom",
    "validUntil",
    "deadline",
    "budget",
)
CALL_ID_LENGTH = 12
_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: ids are read aloud and typed
_TITLE_LIMIT = 200
_DESCRIPTION_LIMIT = 5000
_QUANTITY_LIMIT = 10_000
_BUDGET_LIMIT = Decimal(1_000_000_000)
_BARCELONA = ZoneInfo("Europe/Madrid")
_TIME_TERMS = ("validFrom", "validUntil", "deadline")
_DAY_LENGTH = 10  # YYYY-MM-DD


class CallInvalid(Exception):
    """An editable call with one or more problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the call")
        self.problems = problems


def new_call_id() -> str:
    """A fresh call id: 12 letters and digits that cannot be misread, about 60 bits of chance."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(CALL_ID_LENGTH))


@dataclass(frozen=True)
class _Times:
    valid_from: str | None
    valid_until: str | None
    deadline: str | None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _moment(check: ValueChecker, where: str, value: Any) -> str | None:
    """A time with its zone, or a day in Barcelona (its start for ``validFrom``, else its end), in UTC."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else ""
    try:
        if len(text) == _DAY_LENGTH:
            day = date.fromisoformat(text)
            if where == "validFrom":
                return _stamp(datetime.combine(day, time(0, 0), _BARCELONA))
            return _stamp(datetime.combine(day, time(23, 59, 59), _BARCELONA))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if 0 < len(text) <= 40 else None
        if moment is not None and moment.tzinfo is not None:
            return _stamp(moment)
    except ValueError:
        pass
    check.add(where, "bad_datetime", field=where)
    return None


def _times(check: ValueChecker, body: Mapping[str, Any]) -> _Times:
    times = _Times(*(_moment(check, term, body.get(term)) for term in _TIME_TERMS))
    if times.valid_from and times.valid_until and times.valid_until <= times.valid_from:
        check.add("validUntil", "call_time_order")
    if times.deadline and times.valid_until and times.deadline > times.valid_until:
        check.add("deadline", "deadline_after_end")
    return times


def _purpose(check: ValueChecker, value: Any) -> Purpose | None:
    if value is None:
        check.add("purpose", "required", field="purpose")
    elif value in PURPOSES:
        return "request" if value == "request" else "offer"
    else:
        check.add("purpose", "bad_purpose", value=str(value)[:40])
    return None


def _quantity(check: ValueChecker, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        check.add("quantity", "wrong_type", field="quantity", expected=Phrase("a whole number"))
    elif not 1 <= value <= _QUANTITY_LIMIT:
        check.add("quantity", "out_of_range", field="quantity", low=1, high=_QUANTITY_LIMIT)
    else:
        return value
    return None


def _budget(check: ValueChecker, value: Any) -> str | None:
    """Euros, at most two decimals, as a decimal string (``"12000"``, ``"950.5"``)."""
    if value is None:
        return None
    amount: Decimal | None = None
    text = str(value).strip() if isinstance(value, int | float | str) and not isinstance(value, bool) else ""
    # Digits with at most one point (a sign for the range check): no exponent, no "NaN", no spaces inside.
    digits = text.lstrip("-").replace(".", "", 1)
    if 0 < len(text) <= 20 and digits.isascii() and digits.isdigit():
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite() or amount.as_tuple().exponent not in range(-2, 100):
        check.add("budget", "wrong_type", field="budget", expected=Phrase("an amount in euros"))
        return None
    if not 0 <= amount <= _BUDGET_LIMIT:
        check.add("budget", "out_of_range", field="budget", low=0, high=int(_BUDGET_LIMIT))
        return None
    return format(amount.normalize(), "f")


def normalise_call(body: Any, *, concepts: ConceptIndex) -> dict[str, Any]:
    """Check an editable call and return its canonical fields; raises ``CallInvalid`` listing every problem."""
    if not isinstance(body, dict):
        raise CallInvalid([Problem("", "not_object")])
    check = ValueChecker(concepts)
    for key in body:
        if key not in CALL_TERMS:
            check.unknown_term(str(key), str(key), CALL_TERMS)
    times = _times(check, body)
    fields: dict[str, Any] = {
        "purpose": _purpose(check, body.get("purpose")),
        "nameMap": check.text_map("nameMap", body.get("nameMap"), _TITLE_LIMIT, True),
        "contentMap": check.text_map("contentMap", body.get("contentMap"), _DESCRIPTION_LIMIT, False),
        "concepts": check.concept_list("concepts", body.get("concepts"), "skill", True),
        "quantity": _quantity(check, body.get("quantity")),
        "basedIn": check.concept("basedIn", body["basedIn"], ("district", "neighbourhood"))
        if body.get("basedIn") is not None
        else None,
        "location": check.location("location", body.get("location")),
        "validFrom": times.valid_from,
        "validUntil": times.valid_until,
        "deadline": times.deadline,
        "budget": _budget(check, body.get("budget")),
    }
    if check.problems:
        raise CallInvalid(check.problems)
    return {term: fields[term] for term in CALL_TERMS if fields[term] is not None}


def call_state(fields: Mapping[str, Any], *, closed: str | None, now: str) -> CallState:
    """Where a call stands at ``now`` (an ``xsd:dateTime`` in UTC ending in ``Z``, as stored)."""
    if closed is not None:
        return "closed"
    ends = [moment for moment in (fields.get("validUntil"), fields.get("deadline")) if moment]
    if ends and min(ends) <= now:  # past its end or its deadline, it takes no more answers
        return "expired"
    start = fields.get("validFrom")
    if start is not None and start > now:
        return "upcoming"
    return "open"


def days_left(until: str, now: str) -> int:
    """Whole days from ``now`` until ``until`` (both as stored), at least 0."""
    end = datetime.fromisoformat(until.replace("Z", "+00:00"))
    start = datetime.fromisoformat(now.replace("Z", "+00:00"))
    return max(0, (end - start) // timedelta(days=1))
