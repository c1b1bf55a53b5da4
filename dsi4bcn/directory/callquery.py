"""A request for the network's calls for collaboration checked: its filters, order and page.

Parameters (``purpose``, ``skill`` and ``district`` may repeat; values of one filter are alternatives,
filters combine): ``purpose`` request or offer; ``skill`` a concept of the skills scheme (its code,
``skill:code`` or its IRI; a broader skill finds the calls asking for or offering a narrower one too);
``district`` a Barcelona district (``10``, ``district:10`` or its IRI; a call based in a neighbourhood is in
its district); ``deadline_before`` a day (``2027-01-31``): calls whose deadline to answer falls on or before
it, Barcelona time; ``state`` open (not ended yet; the default) or all (ended ones too); ``sort`` newest or
deadline (soonest first); ``page`` (1–1000); ``per_page`` (1–100); ``lang``. A refusal is a
``QueryRefused`` (``directory.query``) with a message code and its parameters.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dsi4bcn.directory.query import MAX_PAGE, MAX_PER_PAGE, MAX_VALUES, QueryRefused
from vocab.concepts import concept_index

__all__ = [
    "CALL_FACETS",
    "CALL_PARAMETERS",
    "CALL_SORTS",
    "CALL_STATES",
    "PURPOSES",
    "CallQuery",
    "deadline_limit",
    "parse_call_query",
]

PURPOSES = ("request", "offer")
CALL_FACETS = ("purpose", "skill", "district")
CALL_STATES = ("open", "all")
CALL_SORTS = ("newest", "deadline")
CALL_PARAMETERS = (*CALL_FACETS, "deadline_before", "state", "sort", "page", "per_page", "lang")
DEFAULT_PER_PAGE = 20
_BARCELONA = ZoneInfo("Europe/Madrid")
_FACET_SCHEMES = {"skill": "skill", "district": "district"}


@dataclass(frozen=True)
class CallQuery:
    """A checked request for calls: ``filters`` maps each chosen facet to its chosen keys (skill and
    district codes as their schemes spell them; purposes)."""

    filters: Mapping[str, frozenset[str]]
    deadline_before: str | None = None  # YYYY-MM-DD
    state: str = "open"
    sort: str = "newest"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def deadline_limit(day: str) -> str:
    """The first moment (UTC, as stored) after the Barcelona day ``day``: a deadline before it is on or
    before that day."""
    following = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(), tzinfo=_BARCELONA)
    return following.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(name: str, text: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high))) or not low <= int(text) <= high:
        raise QueryRefused("directory_bad_number", name=name, low=low, high=high)
    return int(text)


def _choice(name: str, text: str, known: Sequence[str]) -> str:
    if text not in known:
        raise QueryRefused("calls_unknown_value", name=name, value=text[:40], known=", ".join(known))
    return text


def _keys(facet: str, values: Sequence[str]) -> frozenset[str]:
    if len(values) > MAX_VALUES:
        raise QueryRefused("directory_too_many_values", name=facet, high=MAX_VALUES)
    if facet == "purpose":
        return frozenset(_choice("purpose", value, PURPOSES) for value in values if value)
    scheme = _FACET_SCHEMES[facet]
    index = concept_index()
    keys = set()
    for value in values:
        if not value:
            continue
        concept = index.by_iri(value) or index.resolve(value) or (index.get(scheme, value) if value.isascii() else None)
        if concept is None or concept.scheme != scheme:
            raise QueryRefused("directory_unknown_concept", name=facet, value=value[:80])
        keys.add(concept.code)
    return frozenset(keys)


def _day(text: str) -> str | None:
    if not text:
        return None
    try:
        if len(text) != len("2027-01-31") or not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise QueryRefused("calls_bad_day", name="deadline_before", value=text[:40]) from None


def parse_call_query(query: Mapping[str, str], values: Mapping[str, Sequence[str]]) -> CallQuery:
    """Check a request: ``query`` gives each parameter's last value, ``values`` all values of each facet."""
    unknown = sorted(name for name in query if name not in CALL_PARAMETERS)
    if unknown:
        raise QueryRefused("calls_unknown_parameter", name=unknown[0][:40], known=", ".join(CALL_PARAMETERS[:-1]))
    filters = {}
    for facet in CALL_FACETS:
        keys = _keys(facet, values.get(facet, ()))
        if keys:
            filters[facet] = keys
    return CallQuery(
        filters=filters,
        deadline_before=_day(query.get("deadline_before", "")),
        state=_choice("state", query.get("state") or "open", CALL_STATES),
        sort=_choice("sort", query.get("sort") or "newest", CALL_SORTS),
        page=_number("page", query.get("page", "1"), 1, MAX_PAGE),
        per_page=_number("per_page", query.get("per_page", str(DEFAULT_PER_PAGE)), 1, MAX_PER_PAGE),
    )
