"""The network's calls for collaboration as a list to filter and count (pure: the clock is passed in).

An entry is read from a call's canonical FEP-0837 proposal (``profiles.calldocuments.render_call`` for a
local call, the stored document of a received one: the same shape), whichever node it came from: its
title in each language, purpose, skills (``publishes.resourceConformsTo``), district (``basedIn``: a
district, or a neighbourhood's district), times and author. ``CallList`` holds the entries and answers a
``CallQuery`` with a page of them and counts per facet value that ignore their own facet's filter, as the
directory's do, over NumPy columns changed in place (``callcolumns``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import numpy as np

from dsi4bcn.directory.callcolumns import DISTRICTS, CallColumns, seconds, skill_columns
from dsi4bcn.directory.callquery import PURPOSES, CallQuery, deadline_limit
from vocab.concepts import concept_index

__all__ = ["CallAnswer", "CallEntry", "CallList", "answer_json", "call_entry", "entry_json", "received_call_page"]

_LANGUAGES = ("ca", "es", "en")


def received_call_page(iri: str) -> str:
    """The page on this node of a call received from a peer."""
    return "/network/call?" + urlencode({"id": iri})


@dataclass(frozen=True)
class CallEntry:
    """One call as the list shows it; ``page`` is where this node shows it, ``source`` the node it comes
    from (its host), ``place`` the IRI of its district or neighbourhood, or the name of its location."""

    iri: str
    page: str
    purpose: str
    titles: Mapping[str, str]
    skills: tuple[str, ...]  # skill codes, as the call names them
    district: str | None
    place: str | None
    begins: str | None
    ends: str | None
    deadline: str | None
    published: str
    author: str
    source: str
    local: bool
    budget: str | None = None
    quantity: str | None = None

    def title(self, language: str) -> str:
        """The title in ``language``, else in another of ca/es/en, else any."""
        for candidate in (language, *_LANGUAGES, ""):
            if self.titles.get(candidate):
                return self.titles[candidate]
        return next(iter(self.titles.values()), self.iri)

    @property
    def closes(self) -> str | None:
        """When it stops taking answers: the earlier of its end and its deadline."""
        return min((moment for moment in (self.ends, self.deadline) if moment), default=None)

    def is_open(self, now: str) -> bool:
        """Whether it still takes answers at ``now`` (upcoming calls are open to answers too)."""
        return self.closes is None or self.closes > now


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _stamp(value: Any) -> str | None:
    """A time of the document, if it is one (UTC, seconds, ``Z``, as canonical documents write them)."""
    text = _text(value)
    if text is None:
        return None
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return text


def _skills(intent: Any) -> tuple[str, ...]:
    conforms = intent.get("resourceConformsTo") if isinstance(intent, Mapping) else None
    iris = conforms if isinstance(conforms, list) else [conforms]
    index = concept_index()
    found = (index.resolve(iri) for iri in iris if isinstance(iri, str))
    return tuple(dict.fromkeys(concept.code for concept in found if concept is not None and concept.scheme == "skill"))


def _district(based_in: str | None) -> tuple[str | None, str | None]:
    """The district code and the place IRI of a ``basedIn``."""
    concept = concept_index().resolve(based_in) if based_in else None
    if concept is None:
        return None, None
    if concept.scheme == "district":
        return concept.code, concept.iri
    if concept.scheme == "neighbourhood":
        parents = [concept_index().by_iri(iri) for iri in concept.broader]
        districts = [parent.code for parent in parents if parent is not None and parent.scheme == "district"]
        return (districts[0] if districts else None), concept.iri
    return None, None


def _quantity(intent: Any) -> str | None:
    quantity = intent.get("resourceQuantity") if isinstance(intent, Mapping) else None
    return _text(quantity.get("hasNumericalValue")) if isinstance(quantity, Mapping) else None


def call_entry(document: Mapping[str, Any], *, source: str, local: bool) -> CallEntry | None:
    """The entry of a canonical proposal, or None if it lacks what a listed call needs (an id, a purpose,
    an author, a skill). ``local`` for this node's calls (their page is their id)."""
    iri, author = _text(document.get("id")), _text(document.get("attributedTo"))
    purpose = document.get("purpose")
    skills = _skills(document.get("publishes"))
    if iri is None or author is None or purpose not in PURPOSES or not skills:
        return None
    names = document.get("nameMap")
    titles = {key: value for key, value in names.items() if isinstance(value, str)} if isinstance(names, dict) else {}
    if _text(document.get("name")):
        titles.setdefault("", document["name"])
    district, place = _district(_text(document.get("basedIn")))
    location = document.get("location")
    if place is None and isinstance(location, Mapping):
        place = _text(location.get("name"))
    reciprocal = document.get("reciprocal")
    return CallEntry(
        iri=iri,
        page=iri if local else received_call_page(iri),
        purpose=str(purpose),
        titles=titles,
        skills=skills,
        district=district,
        place=place,
        begins=_stamp(document.get("hasBeginning")),
        ends=_stamp(document.get("hasEnd")),
        deadline=_stamp(document.get("deadline")),
        published=_stamp(document.get("published")) or "",
        author=author,
        source=source,
        local=local,
        budget=_quantity(reciprocal) if isinstance(reciprocal, Mapping) else None,
        quantity=_quantity(document.get("publishes")),
    )


@dataclass(frozen=True)
class CallAnswer:
    """A page of calls, how many match in all, and each facet's ``(key, count)`` pairs (counts above zero)."""

    total: int
    entries: list[CallEntry]
    facets: Mapping[str, list[tuple[str, int]]] = field(default_factory=dict)


class CallList:
    """The calls this node lists (its own and its peers'), searched and counted at a given moment."""

    def __init__(self, entries: Iterable[CallEntry] = ()) -> None:
        self._entries: dict[str, CallEntry] = {}
        self._rows: dict[str, int] = {}
        self._by_row: dict[int, CallEntry] = {}
        self._by_author: dict[str, set[str]] = {}
        given = {entry.iri: entry for entry in entries}
        self._columns = CallColumns(len(given))
        for entry in sorted(given.values(), key=lambda entry: CallColumns.key(entry.iri, entry.published)):
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, iri: str) -> CallEntry | None:
        """The entry of ``iri``, if listed."""
        return self._entries.get(iri)

    def upsert(self, entry: CallEntry) -> None:
        """Add or replace an entry."""
        self.remove(entry.iri)
        row = self._columns.put(
            entry.iri,
            purpose=entry.purpose,
            district=entry.district,
            skills=entry.skills,
            times=(entry.closes, entry.deadline, entry.published),
        )
        self._entries[entry.iri] = entry
        self._rows[entry.iri] = row
        self._by_row[row] = entry
        self._by_author.setdefault(entry.author, set()).add(entry.iri)

    def remove(self, iri: str) -> None:
        """Take ``iri`` off the list, if it is on it."""
        entry = self._entries.pop(iri, None)
        if entry is None:
            return
        row = self._rows.pop(iri)
        del self._by_row[row]
        self._columns.drop(row)
        self._by_author[entry.author].discard(iri)
        if not self._by_author[entry.author]:
            del self._by_author[entry.author]

    def of_author(self, author: str, now: str | None) -> list[CallEntry]:
        """The calls of ``author`` open at ``now`` (all of them if None), newest first."""
        found = [self._entries[iri] for iri in self._by_author.get(author, ())]
        return _newest_first([entry for entry in found if now is None or entry.is_open(now)])

    def search(self, query: CallQuery, now: str) -> CallAnswer:
        """The page of calls ``query`` asks for at ``now`` (a UTC time as stored), with facet counts."""
        columns = self._columns
        rows = columns.size
        base = columns.alive[:rows].copy()
        if query.state == "open":
            base &= columns.ends[:rows] > seconds(now)
        if query.deadline_before is not None:
            base &= columns.deadline[:rows] < seconds(deadline_limit(query.deadline_before))
        by_purpose, by_skill, by_district = columns.masks(query.filters)
        selected = np.flatnonzero(base & by_purpose & by_skill & by_district)
        selected = selected[np.argsort(columns.rank[selected])]
        if query.sort == "deadline":
            selected = selected[np.argsort(columns.deadline[selected], kind="stable")]
        start = (query.page - 1) * query.per_page
        codes, _ = skill_columns()
        purposes = np.bincount(columns.purpose[:rows][base & by_skill & by_district], minlength=len(PURPOSES))
        skills = columns.skills[:rows][base & by_purpose & by_district].sum(axis=0)
        districts = np.bincount(columns.district[:rows][base & by_purpose & by_skill], minlength=DISTRICTS)
        facets = {
            "purpose": [(key, int(count)) for key, count in zip(PURPOSES, purposes, strict=True) if count],
            "skill": [(codes[column], int(skills[column])) for column in np.flatnonzero(skills)],
            "district": [(str(code), int(districts[code])) for code in np.flatnonzero(districts) if code],
        }
        entries = [self._by_row[int(row)] for row in selected[start : start + query.per_page]]
        return CallAnswer(total=len(selected), entries=entries, facets=facets)


def _newest_first(entries: Iterable[CallEntry]) -> list[CallEntry]:
    """Newest first; those published at the same moment by IRI."""
    return sorted(entries, key=lambda entry: CallColumns.key(entry.iri, entry.published))


def _concept_json(iri_or_code: str, scheme: str, language: str) -> dict[str, str] | None:
    index = concept_index()
    concept = index.by_iri(iri_or_code) or index.get(scheme, iri_or_code)
    return {"id": concept.iri, "label": concept.label(language)} if concept is not None else None


def entry_json(entry: CallEntry, language: str, author_name: str | None) -> dict[str, Any]:
    """One call as the JSON list gives it, with labels in ``language``."""
    place = entry.place and (_concept_json(entry.place, "", language) or {"label": entry.place})
    return {
        "id": entry.iri,
        "page": entry.page,
        "purpose": entry.purpose,
        "title": entry.title(language),
        "skills": [found for code in entry.skills if (found := _concept_json(code, "skill", language))],
        "district": _concept_json(entry.district, "district", language) if entry.district else None,
        "place": place or None,
        "begins": entry.begins,
        "ends": entry.ends,
        "deadline": entry.deadline,
        "published": entry.published,
        "author": {"id": entry.author, "name": author_name or entry.author},
        "source": entry.source,
        "local": entry.local,
    }


def answer_json(answer: CallAnswer, query: CallQuery, language: str, names: Mapping[str, str]) -> dict[str, Any]:
    """The JSON of a page of calls: the query as understood, the total, the calls (``names`` their
    authors' names) and each facet's values with their labels and counts."""
    labels: dict[str, Any] = {
        "purpose": lambda key: key,
        "skill": lambda key: (_concept_json(key, "skill", language) or {}).get("label", key),
        "district": lambda key: (_concept_json(key, "district", language) or {}).get("label", key),
    }
    return {
        "query": {
            "filters": {facet: sorted(keys) for facet, keys in query.filters.items()},
            "deadline_before": query.deadline_before,
            "state": query.state,
            "sort": query.sort,
            "page": query.page,
            "per_page": query.per_page,
        },
        "total": answer.total,
        "calls": [entry_json(entry, language, names.get(entry.author)) for entry in answer.entries],
        "facets": {
            facet: [{"key": key, "label": labels[facet](key), "count": count} for key, count in pairs]
            for facet, pairs in answer.facets.items()
        },
    }
