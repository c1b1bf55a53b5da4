"""A directory answer as JSON data and as CSV text, with labels in the reader's language.

CSV cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) are prefixed with ``'`` (OWASP's advice on CSV injection).
"""

import csv
import io
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from dsi4bcn.directory.engine import DirectoryAnswer
from dsi4bcn.directory.entries import FACET_SCHEMES, Entry
from dsi4bcn.directory.query import FACETS, DirectoryQuery
from dsi4bcn.i18n import UI
from vocab.concepts import concept_index

__all__ = ["CSV_COLUMNS", "answer_csv", "answer_json", "facet_label", "safe_cell"]

CSV_COLUMNS = ("id", "kind", "name", "summary", "source", "url", *FACET_SCHEMES)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@lru_cache(maxsize=16384)  # the vocabulary's concepts and the peer nodes, in three languages
def facet_label(facet: str, key: str, language: str, own_source: str) -> str:
    """The label of ``key`` in ``facet`` in ``language`` (a concept's label, a kind's name, a node)."""
    if facet == "kind":
        return UI[key][language]
    if facet == "source":
        return UI["this_node"][language] if key == own_source else key
    concept = concept_index().get(FACET_SCHEMES[facet], key)
    return concept.label(language) if concept is not None else key


def _entry_json(entry: Entry, language: str, own_source: str) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "name": entry.name(language),
        "names": dict(entry.names),
        "summary": entry.summary(language),
        "source": {
            "node": entry.source,
            "local": entry.local,
            "label": facet_label("source", entry.source, language, own_source),
        },
        "url": entry.id,
        "updated": entry.updated,
        "concepts": {
            facet: [{"key": key, "label": facet_label(facet, key, language, own_source)} for key in sorted(keys)]
            for facet, keys in entry.concepts.items()
            if keys
        },
        "latitude": entry.latitude,
        "longitude": entry.longitude,
    }


def answer_json(answer: DirectoryAnswer, query: DirectoryQuery, language: str, own_source: str) -> dict[str, Any]:
    """The JSON body of ``/api/directory``: the query as read, paging, results and facet counts."""
    return {
        "query": {
            "q": query.text,
            "filters": {facet: sorted(keys) for facet, keys in query.filters.items()},
            "sort": query.sort,
        },
        "total": answer.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": max(1, math.ceil(answer.total / query.per_page)),
        "results": [_entry_json(entry, language, own_source) for entry in answer.entries],
        "facets": {
            facet: [
                {
                    "key": key,
                    "label": facet_label(facet, key, language, own_source),
                    "count": count,
                    "selected": key in query.filters.get(facet, ()),
                }
                for key, count in answer.facets.get(facet, ())
            ]
            for facet in FACETS
        },
    }


def safe_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def answer_csv(answer: DirectoryAnswer, language: str, own_source: str) -> str:
    """The results of ``answer`` as CSV, one row each; concepts as labels joined with ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in answer.entries:
        labels: Mapping[str, str] = {
            facet: "; ".join(
                facet_label(facet, key, language, own_source) for key in sorted(entry.concepts.get(facet, ()))
            )
            for facet in FACET_SCHEMES
        }
        row = [entry.id, entry.kind, entry.name(language), entry.summary(language), entry.source, entry.id]
        writer.writerow([safe_cell(cell) for cell in [*row, *labels.values()]])
    return buffer.getvalue()
