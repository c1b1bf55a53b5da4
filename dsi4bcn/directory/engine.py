"""The directory's query engine: full-text search (FTS5) combined with facet filters and counts (NumPy).

Each entry has a row. Every facet keeps, per row, the columns (keys) it holds as a small padded matrix of
column numbers (``-1`` pads), so that a row changes in place when a profile changes, a filter is a lookup
table indexed by that matrix, and the counts of a facet are one ``bincount`` over the rows selected. The
counts of a facet follow every active filter except its own (as faceted search does), so choosing a value
never hides the other values of the same facet. Hierarchical facets (areas, skills) store each entry's
keys with their broader ones, so choosing a broader area finds the narrower ones too; a district facet
comes from the neighbourhood, so a district includes its neighbourhoods. Orders are total (ties go by
IRI), so answers never depend on which row an entry happens to have: an index read back from a snapshot
(``state``, ``restore``) answers exactly as one built afresh. Every query uses the name order (it breaks
relevance ties), so a changed row is moved in it (a bisection and one NumPy shift) rather than all rows
sorted again, which took a quarter of a second at 120,000 rows on the first query after each edit.
"""

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from dsi4bcn.directory.entries import FACET_SCHEMES, Entry, expand
from dsi4bcn.directory.facetcolumns import FacetColumns, Mask
from dsi4bcn.directory.indexstate import EntryRows, IndexState
from dsi4bcn.directory.query import FACETS, KINDS, MAX_TOKENS, DirectoryQuery, text_tokens
from dsi4bcn.directory.textindex import TextIndex
from vocab.concepts import concept_index

__all__ = ["LABELLED", "DirectoryAnswer", "DirectoryIndex", "entry_texts", "facet_keys", "label_words"]

_HIERARCHICAL = frozenset({"area", "needs", "offers"})
# A word in a name counts more than one in a summary; a concept label's word counts as ``_LABEL_SCORE``.
_TEXT_WEIGHTS = (3.0, 1.0)
_LABEL_SCORE = 0.5
LABELLED = ("area", "offers")
_REORDER_AT_MOST = 1000  # entries changed at once whose rows move in the name orders (more: sorted again)


@dataclass(frozen=True)
class DirectoryAnswer:
    """One page of results, the number of all results, and each facet's ``(key, count)`` pairs."""

    total: int
    entries: Sequence[Entry]
    facets: Mapping[str, Sequence[tuple[str, int]]]


def facet_keys(entry: Entry, facet: str) -> frozenset[str]:
    """The keys ``entry`` counts under in ``facet`` (with broader concepts in hierarchical facets)."""
    if facet == "kind":
        return frozenset({entry.kind})
    if facet == "source":
        return frozenset({entry.source})
    keys = entry.concepts.get(facet, frozenset())
    return expand(FACET_SCHEMES[facet], keys) if facet in _HIERARCHICAL else keys


def entry_texts(entry: Entry) -> tuple[str, str]:
    """What full-text search reads of ``entry``: its names and its summaries, in every language."""
    return " ".join(entry.names.values()), " ".join(entry.summaries.values())


@cache
def label_words() -> tuple[tuple[str, str, str], ...]:
    """``(word, facet, key)`` for every word of every label of the concepts text search also reads (areas
    and skills offered), sorted: a query word that begins a concept's label finds what holds the concept."""
    index = concept_index()
    found = {
        (word, facet, concept.code)
        for facet in LABELLED
        for concept in index.in_scheme(FACET_SCHEMES[facet])
        for label in concept.labels.values()
        for word in text_tokens(label)
    }
    return tuple(sorted(found))


class DirectoryIndex:
    """Every directory entry, searchable by text and facets; rows change in place as entries change."""

    def __init__(self) -> None:
        index = concept_index()
        self._entries = EntryRows()
        # per row: the IRI, time of update, organisation ("" for none) and sortable name in each language
        self._ids: list[str] = []
        self._updated: list[str] = []
        self._organisations: list[str] = []
        self._projects: dict[str, set[int]] = {}  # an organisation's IRI -> the rows of its projects
        self._names: dict[str, list[str]] = {}
        self._row_of: dict[str, int] = {}
        self._free: list[int] = []
        self._alive: Mask = np.zeros(0, dtype=np.bool_)
        self._text = TextIndex(_TEXT_WEIGHTS)
        self._labels = label_words()
        columns: dict[str, Iterable[str]] = {f: [c.code for c in index.in_scheme(s)] for f, s in FACET_SCHEMES.items()}
        columns.update(kind=KINDS, source=())
        self._facets = {facet: FacetColumns(columns[facet]) for facet in FACETS}
        self._ranks: dict[str, npt.NDArray[np.int64]] = {}
        # per language with a name order: (name, IRI, row) of every row, sorted; made when first changed
        self._orders: dict[str, list[tuple[str, str, int]]] = {}

    def __len__(self) -> int:
        return len(self._row_of)

    def get(self, iri: str) -> Entry | None:
        """The entry of ``iri``, if the directory holds it."""
        row = self._row_of.get(iri)
        return self._entries[row] if row is not None else None

    def entries(self) -> list[Entry]:
        """Every entry held."""
        return [entry for entry in self._entries if entry is not None]

    def projects_of(self, organisation: str) -> list[str]:
        """The IRIs of the projects whose organisation is ``organisation``."""
        return [self._ids[row] for row in sorted(self._projects.get(organisation, ()))]

    def _link(self, row: int, organisation: str) -> None:
        """Row ``row`` is a project of ``organisation`` ("" for none)."""
        before = self._organisations[row]
        if before == organisation:
            return
        if before:
            rows = self._projects[before]
            rows.discard(row)
            if not rows:
                del self._projects[before]
        if organisation:
            self._projects.setdefault(organisation, set()).add(row)
        self._organisations[row] = organisation

    def ids(self) -> list[str]:
        """The IRI of every entry held."""
        return list(self._row_of)

    def _place(self, entry: Entry) -> int:
        """The row of ``entry`` (a new or free one if it is new), holding it."""
        row = self._row_of.get(entry.id)
        if row is None:
            row = self._free.pop() if self._free else len(self._entries)
            if row == len(self._entries):
                self._entries.append(None)
                for values in (self._ids, self._updated, self._organisations, *self._names.values()):
                    values.append("")
                if row >= self._alive.shape[0]:
                    alive = np.zeros(max(64, 2 * self._alive.shape[0]), dtype=np.bool_)
                    alive[: self._alive.shape[0]] = self._alive
                    self._alive = alive
                for facet in self._facets.values():
                    facet.grow(row + 1)
            self._row_of[entry.id] = row
        before = self._keys_before(row)
        self._entries[row] = entry
        self._ids[row], self._updated[row] = entry.id, entry.updated
        self._link(row, entry.organisation or "")
        for language, names in self._names.items():
            names[row] = _sortable(entry, language)
        self._alive[row] = True
        self._reorder(row, before)
        return row

    def _keys_before(self, row: int) -> dict[str, tuple[str, str, int] | None]:
        """The place in each computed name order that ``row`` has before it changes (None if it is new)."""
        before: dict[str, tuple[str, str, int] | None] = {}
        for key in self._ranks:
            if key.startswith("name:"):
                language = key.removeprefix("name:")
                self._name_order(language)  # made from the data as it is before the change
                held = row < len(self._ids) and row < self._ranks[key].shape[0]
                before[language] = (self._names[language][row], self._ids[row], row) if held else None
        return before

    def _name_order(self, language: str) -> list[tuple[str, str, int]]:
        if language not in self._orders:  # the rows the order has (a row just added is not yet in it)
            names, ids, rows = self._names[language], self._ids, self._ranks[f"name:{language}"].shape[0]
            self._orders[language] = sorted((names[row], ids[row], row) for row in range(rows))
        return self._orders[language]

    def _reorder(self, row: int, before: Mapping[str, tuple[str, str, int] | None]) -> None:
        """Move ``row`` in each computed name order (a bisection, then one NumPy shift); other orders are
        forgotten, to be computed again when asked for."""
        for key in [key for key in self._ranks if not key.startswith("name:")]:
            del self._ranks[key]
        for language, old in before.items():
            key, order = f"name:{language}", self._orders[language]
            rank = self._ranks[key]
            if old is not None:
                place = bisect.bisect_left(order, old)
                del order[place]
                rank[rank > place] -= 1
            if rank.shape[0] <= row:
                rank = self._ranks[key] = np.concatenate([rank, np.full(row + 1 - rank.shape[0], -1, np.int64)])
            new = (self._names[language][row], self._ids[row], row)
            place = bisect.bisect_left(order, new)
            order.insert(place, new)
            rank[rank >= place] += 1
            rank[row] = place

    def _forget_orders(self) -> None:
        self._ranks.clear()
        self._orders.clear()

    def upsert(self, entry: Entry) -> None:
        """Add ``entry`` or replace the entry with its IRI."""
        self.upsert_many([entry])

    def upsert_many(self, entries: Iterable[Entry]) -> None:
        """Add or replace many entries, each facet's rows set in one NumPy assignment."""
        entries = list(entries)
        if len(entries) > _REORDER_AT_MOST:
            self._forget_orders()  # cheaper to sort again when asked than to move each row
        placed = [(self._place(entry), entry) for entry in entries]
        rows = [row for row, _ in placed]
        for name, facet in self._facets.items():
            facet.set_many(rows, [facet_keys(entry, name) for _, entry in placed])
        for row, entry in placed:
            self._text.put(row, entry_texts(entry))

    def remove(self, iri: str) -> None:
        """Forget the entry of ``iri`` (nothing if it is not held)."""
        row = self._row_of.pop(iri, None)
        if row is None:
            return
        before = self._keys_before(row)
        self._entries[row] = None
        self._link(row, "")
        for values in (self._ids, self._updated, self._organisations, *self._names.values()):
            values[row] = ""
        self._alive[row] = False
        self._reorder(row, before)
        for facet in self._facets.values():
            facet.set(row, frozenset())
        self._text.remove(row)
        self._free.append(row)

    def sources(self) -> list[str]:
        """The nodes that entries come from."""
        return sorted({entry.source for entry in self._entries if entry is not None})

    def _sortable_names(self, language: str) -> list[str]:
        """Each row's name as sorted in ``language`` (computed for every row the first time)."""
        if language not in self._names:
            self._names[language] = [_sortable(e, language) if e is not None else "" for e in self._entries]
        return self._names[language]

    def _rank(self, order: str, language: str) -> npt.NDArray[np.int64]:
        """Each row's place when sorted by name in ``language`` (then IRI) or by time of update (newest
        first, then name and IRI)."""
        key = f"{order}:{language}"
        if key not in self._ranks:
            rows = len(self._entries)
            names, ids = self._sortable_names(language), self._ids
            ordered = sorted(range(rows), key=lambda row: (names[row], ids[row]))
            if order == "updated":  # a stable sort keeps the name order among equal times
                ordered.sort(key=self._updated.__getitem__, reverse=True)
            rank = np.empty(rows, dtype=np.int64)
            rank[ordered] = np.arange(rows)
            self._ranks[key] = rank
        return self._ranks[key]

    def state(self, languages: Iterable[str] = ()) -> IndexState:
        """What the index holds, as data (with the name orders of ``languages`` computed, for a snapshot)."""
        for language in languages:
            self._sortable_names(language)
            self._rank("name", language)
        rows = len(self._entries)
        blob, offsets = self._entries.encoded()
        return IndexState(
            entries=blob,
            offsets=offsets,
            ids=list(self._ids),
            updated=list(self._updated),
            organisations=list(self._organisations),
            names={language: list(names) for language, names in self._names.items()},
            alive=self._alive[:rows].copy(),
            text=self._text.state(),
            facets={name: facet.state(rows) for name, facet in self._facets.items()},
            ranks=dict(self._ranks),
        )

    @classmethod
    def restore(cls, state: IndexState) -> "DirectoryIndex":
        """The index that ``state`` describes (``ValueError`` if its parts do not fit together)."""
        rows = state.offsets.shape[0] - 1
        lists = [state.ids, state.updated, state.organisations, *state.names.values()]
        parts = [state.alive, *(codes for _, codes in state.facets.values()), *state.ranks.values()]
        if any(len(values) != rows for values in lists) or any(part.shape[0] != rows for part in parts):
            raise ValueError("the parts of the directory index do not have one row each")
        if set(state.facets) != set(FACETS) or (state.text.held.size and int(state.text.held.max()) >= rows):
            raise ValueError("the directory index's facets or text do not fit")
        index = cls()
        index._entries = EntryRows(state.entries, state.offsets)
        index._ids, index._updated, index._organisations = state.ids, state.updated, state.organisations
        for row, organisation in enumerate(state.organisations):
            if organisation:
                index._projects.setdefault(organisation, set()).add(row)
        index._names = dict(state.names)
        index._row_of = {iri: row for row, iri in enumerate(state.ids) if iri}
        index._free = [row for row, iri in enumerate(state.ids) if not iri]
        index._alive = state.alive.copy()
        index._text = TextIndex.restore(_TEXT_WEIGHTS, state.text)
        index._facets = {name: FacetColumns.restore(*state.facets[name]) for name in FACETS}
        index._ranks = dict(state.ranks)
        if len(index._row_of) + len(index._free) != rows or int(index._alive.sum()) != len(index._row_of):
            raise ValueError("the directory index's rows do not agree")
        return index

    def _text_scores(self, text: str, rows: int) -> npt.NDArray[np.float64] | None:
        """Each row's score for ``text`` (0 where some word matches neither its texts nor a concept's label it
        holds); None when ``text`` has no words."""
        tokens = list(dict.fromkeys(text_tokens(text, MAX_TOKENS)))
        if not tokens:
            return None
        total = np.zeros(rows, dtype=np.float64)
        matched = np.ones(rows, dtype=np.bool_)
        for token in tokens:
            scores = self._text.scores(token, rows)
            start = bisect.bisect_left(self._labels, (token,))
            end = bisect.bisect_left(self._labels, (token + "\U0010ffff",))
            for facet in LABELLED:
                keys = {key for _, name, key in self._labels[start:end] if name == facet}
                if keys:
                    scores += _LABEL_SCORE * self._facets[facet].matches(keys, rows)
            matched &= scores > 0
            total += scores
        total[~matched] = 0.0
        return total

    def _facet_counts(
        self, query: DirectoryQuery, base: npt.NDArray[np.int64], chosen: Mapping[str, Mask]
    ) -> dict[str, list[tuple[str, int]]]:
        """Each facet's ``(key, count)`` pairs over ``base`` rows passing every chosen filter but its own
        (``chosen`` holds each filter's verdict on the ``base`` rows); chosen keys are listed even at 0."""
        facets: dict[str, list[tuple[str, int]]] = {}
        for name, facet in self._facets.items():
            keep = np.ones(base.shape[0], dtype=np.bool_)
            for other, verdict in chosen.items():
                if other != name:
                    keep &= verdict
            counts = facet.counts(base[keep])
            chosen_keys = query.filters.get(name, frozenset())
            picked = {facet.column_of[key] for key in chosen_keys if key in facet.column_of}
            shown = sorted({*np.flatnonzero(counts).tolist(), *picked})
            items = [(facet.columns[column], int(counts[column])) for column in shown]
            items += [(key, 0) for key in sorted(chosen_keys) if key not in facet.column_of]
            if name == "source":  # its columns come in the order sources were first seen: list them by name
                items.sort()
            facets[name] = items
        return facets

    def search(self, query: DirectoryQuery, language: str = "en") -> DirectoryAnswer:
        """The page of entries ``query`` asks for, their total, and the facet counts around it.

        Everything after the text search works on the rows the text matched (all rows without text), so
        a query costs as much as what it selects.
        """
        rows = len(self._entries)
        alive = self._alive[:rows]
        scores = self._text_scores(query.text, rows)
        base = np.flatnonzero(alive & (scores > 0) if scores is not None else alive)
        chosen = {
            facet: self._facets[facet].matches(keys, rows)[base]
            for facet, keys in query.filters.items()
            if facet in FACETS
        }
        facets = self._facet_counts(query, base, chosen)
        keep = np.ones(base.shape[0], dtype=np.bool_)
        for verdict in chosen.values():
            keep &= verdict
        selected = base[keep]
        names = self._rank("name", language)[selected]
        if query.sort == "relevance" and scores is not None:
            order = np.lexsort((names, -scores[selected]))
        elif query.sort == "updated":
            order = np.argsort(self._rank("updated", language)[selected], kind="stable")
        else:
            order = np.argsort(names, kind="stable")
        start = (query.page - 1) * query.per_page
        page = selected[order[start : start + query.per_page]]
        entries = [entry for entry in (self._entries[row] for row in page) if entry is not None]
        return DirectoryAnswer(total=int(selected.shape[0]), entries=entries, facets=facets)


def _sortable(entry: Entry, language: str) -> str:
    """The name of ``entry`` in ``language`` as the name order compares it (words folded)."""
    return " ".join(text_tokens(entry.name(language)))
