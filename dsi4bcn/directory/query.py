"""A directory request checked: the text, the chosen facet values, the order and the page.

Parameters (each facet may repeat; values of one facet are alternatives, facets combine): ``q`` text;
``area``, ``needs``, ``offers``, ``district``, ``neighbourhood``, ``sector``, ``sdg``, ``status`` concept
keys as their schemes spell them (``area=open-data``, ``district=10``; a CURIE ``area:open-data`` or the
concept's IRI is read as the same key); ``kind`` (organisation, project); ``source`` (a node's host, as
``example.org`` or ``127.0.0.1:8000``); ``sort`` (relevance, name, updated); ``page`` (1–1000);
``per_page`` (1–100). A refusal is a ``QueryRefused`` with a message code and its parameters.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dsi4bcn.directory.entries import FACET_SCHEMES
from vocab.concepts import concept_index

__all__ = [
    "FACETS",
    "KINDS",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_QUERY",
    "SORTS",
    "DirectoryQuery",
    "QueryRefused",
    "parse_query",
    "text_tokens",
]

FACETS = (*FACET_SCHEMES, "kind", "source")
KINDS = ("organisation", "project")
SORTS = ("relevance", "name", "updated")
MAX_QUERY = 200  # characters of text searched
MAX_TOKENS = 12
MAX_PAGE = 1000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_VALUES = 50  # values of one facet in one request
OTHER_PARAMETERS = frozenset({"q", "sort", "page", "per_page", "lang", "format"})
_SOURCE = re.compile(r"^[a-z0-9.\-]{1,253}(?::[0-9]{1,5})?$|^\[[0-9a-f:.]{2,45}\](?::[0-9]{1,5})?$")
_TOKEN = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks


class QueryRefused(ValueError):
    """A directory request that cannot be answered: ``code`` names the message, ``params`` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class DirectoryQuery:
    """A checked request: ``filters`` maps each chosen facet to the keys chosen in it."""

    text: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def text_tokens(text: str, limit: int | None = None) -> list[str]:
    """The words of ``text`` (the first ``limit``) as the index reads them: letters and digits, case and
    accents folded. Nothing of a query language passes: words are all there is."""
    lowered = text.lower()
    plain = lowered if lowered.isascii() else _MARKS.sub("", unicodedata.normalize("NFD", lowered))
    return _TOKEN.findall(plain)[:limit]


def _number(name: str, text: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high))) or not low <= int(text) <= high:
        raise QueryRefused("directory_bad_number", name=name, low=low, high=high)
    return int(text)


def _concept_key(facet: str, value: str) -> str:
    scheme = FACET_SCHEMES[facet]
    index = concept_index()
    concept = index.by_iri(value) or index.resolve(value) or index.get(scheme, value)
    if concept is None or concept.scheme != scheme:
        raise QueryRefused("directory_unknown_concept", name=facet, value=value[:80])
    return concept.code


def _facet_keys(facet: str, values: Sequence[str]) -> frozenset[str]:
    if len(values) > MAX_VALUES:
        raise QueryRefused("directory_too_many_values", name=facet, high=MAX_VALUES)
    keys = set()
    for value in values:
        if facet == "kind":
            if value not in KINDS:
                raise QueryRefused("directory_unknown_kind", value=value[:80], known=", ".join(KINDS))
            keys.add(value)
        elif facet == "source":
            if not _SOURCE.match(value.lower()):
                raise QueryRefused("directory_bad_source", value=value[:80])
            keys.add(value.lower())
        elif value:
            keys.add(_concept_key(facet, value))
    return frozenset(keys)


def parse_query(query: Mapping[str, str], values: Mapping[str, Sequence[str]]) -> DirectoryQuery:
    """Check a request: ``query`` gives each parameter's last value, ``values`` all values of each facet."""
    unknown = sorted(name for name in query if name not in FACETS and name not in OTHER_PARAMETERS)
    if unknown:
        raise QueryRefused("directory_unknown_parameter", name=unknown[0][:40], known=", ".join(FACETS))
    text = query.get("q", "").strip()
    if len(text) > MAX_QUERY:
        raise QueryRefused("directory_query_too_long", high=MAX_QUERY)
    sort = query.get("sort") or ("relevance" if text_tokens(text) else "name")
    if sort not in SORTS:
        raise QueryRefused("directory_unknown_sort", value=sort[:40], known=", ".join(SORTS))
    if sort == "relevance" and not text_tokens(text):
        sort = "name"
    filters = {}
    for facet in FACETS:
        keys = _facet_keys(facet, values.get(facet, ()))
        if keys:
            filters[facet] = keys
    return DirectoryQuery(
        text=text,
        filters=filters,
        sort=sort,
        page=_number("page", query.get("page", "1"), 1, MAX_PAGE),
        per_page=_number("per_page", query.get("per_page", str(DEFAULT_PER_PAGE)), 1, MAX_PER_PAGE),
    )
