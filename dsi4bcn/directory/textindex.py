"""Full-text search over the directory: an inverted index in memory with prefix matching and BM25 ranking.

Each row's text comes in weighted fields (names, summaries, concept labels). Words are read as
``query.text_tokens`` reads them (letters and digits; case and accents folded, as SQLite FTS5's
``unicode61 remove_diacritics 2`` does), so "Impressió", "IMPRESSIO" and "impressio" are one word. A query
word matches every indexed word it begins; every query word must match; a row's score is the sum, over
the query's words, of the BM25 weight of the words they matched (``scores`` gives one query word's).
Postings are NumPy arrays, built lazily per word, so a query is a few ``bincount`` calls whatever the
number of rows matched: measured, SQLite FTS5 with ``bm25()`` took 17 ms for one common word at 20,000
rows (docs/benchmarks.md). ``state`` and ``restore`` turn the index into arrays and back (the directory's
snapshot); a restored row's own words are read from those arrays only when the row changes.
"""

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dsi4bcn.directory.query import text_tokens

__all__ = ["TextIndex", "TextState"]

_K1, _B = 1.2, 0.75
MAX_EXPANSION = 2000  # indexed words one query word may stand for (the most frequent are kept)


@dataclass(frozen=True)
class TextState:
    """A text index as arrays: word ``i``'s rows and frequencies are ``rows[starts[i]:starts[i + 1]]`` and the
    same slice of ``frequencies``; ``held`` lists the rows indexed and ``lengths`` their weighted lengths."""

    words: list[str]
    starts: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int64]
    frequencies: npt.NDArray[np.float64]
    held: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.float64]


@dataclass(frozen=True)
class _Restored:
    """What ``restore`` read, with each row's postings (their places ordered by row) and each row's length."""

    state: TextState
    order: npt.NDArray[np.int64]
    by_row: npt.NDArray[np.int64]
    word_of: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.float64]


class TextIndex:
    """Rows' weighted texts, searchable by word prefixes.

    A restored index keeps the restored postings as arrays (``_base``: word -> its place in them) and turns
    a word's postings into a dict (``_postings``) only when a row holding it changes.
    """

    def __init__(self, weights: Sequence[float]) -> None:
        self._weights = tuple(weights)
        self._postings: dict[str, dict[int, float]] = {}  # word -> {row: weighted frequency}
        self._base: dict[str, int] = {}  # restored words whose postings are still as restored
        self._row_words: dict[int, dict[str, float]] = {}  # rows written since restored
        self._lengths: dict[int, float] = {}
        self._total_length = 0.0
        # word -> its rows, their frequencies and lengths (scores use the counts of the moment)
        self._arrays: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
        self._sorted: list[str] | None = None
        self._restored: _Restored | None = None

    def state(self) -> TextState:
        """The index as arrays (words sorted)."""
        words = self._words()
        rows: list[npt.NDArray[np.int64]] = []
        frequencies: list[npt.NDArray[np.float64]] = []
        for word in words:
            found, weights, _ = self._posting_arrays(word)
            rows.append(found)
            frequencies.append(weights)
        starts = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(np.fromiter((part.shape[0] for part in rows), np.int64, len(rows)), out=starts[1:])
        held = np.fromiter(self._lengths.keys(), np.int64, len(self._lengths))
        lengths = np.fromiter(self._lengths.values(), np.float64, len(self._lengths))
        return TextState(
            words,
            starts,
            np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
            np.concatenate(frequencies) if frequencies else np.zeros(0, dtype=np.float64),
            held,
            lengths,
        )

    @classmethod
    def restore(cls, weights: Sequence[float], state: TextState) -> "TextIndex":
        """An index holding what ``state`` holds."""
        index = cls(weights)
        index._base = {word: number for number, word in enumerate(state.words)}
        index._lengths = dict(zip(state.held.tolist(), state.lengths.tolist(), strict=True))
        index._total_length = float(sum(sorted(index._lengths.values())))
        index._sorted = list(state.words)
        order = np.argsort(state.rows, kind="stable")
        word_of = np.repeat(np.arange(len(state.words), dtype=np.int64), np.diff(state.starts))
        lengths = np.zeros(int(state.held.max()) + 1 if state.held.size else 0, dtype=np.float64)
        lengths[state.held] = state.lengths
        index._restored = _Restored(state, order, state.rows[order], word_of, lengths)
        return index

    def _words(self) -> list[str]:
        """Every indexed word, sorted."""
        if self._sorted is None:
            self._sorted = sorted(self._postings.keys() | self._base.keys())
        return self._sorted

    def _size(self, word: str) -> int:
        """How many rows hold ``word``."""
        if word in self._postings:
            return len(self._postings[word])
        assert self._restored is not None
        number = self._base[word]
        return int(self._restored.state.starts[number + 1] - self._restored.state.starts[number])

    def _changing(self, word: str) -> dict[int, float] | None:
        """The postings of ``word`` as a dict that may be changed (a restored word's made now)."""
        found = self._postings.get(word)
        if found is None and word in self._base:
            assert self._restored is not None
            state, number = self._restored.state, self._base.pop(word)
            start, end = int(state.starts[number]), int(state.starts[number + 1])
            found = dict(zip(state.rows[start:end].tolist(), state.frequencies[start:end].tolist(), strict=True))
            self._postings[word] = found
        return found

    def _restored_words(self, row: int) -> dict[str, float] | None:
        """The words of a row as restored (None if the row was not restored or has changed since)."""
        if self._restored is None or row not in self._lengths:
            return None
        restored = self._restored
        places = restored.order[np.searchsorted(restored.by_row, row) : np.searchsorted(restored.by_row, row, "right")]
        words, frequencies = restored.word_of[places].tolist(), restored.state.frequencies[places].tolist()
        return {restored.state.words[w]: f for w, f in zip(words, frequencies, strict=True)}

    def put(self, row: int, texts: Sequence[str]) -> None:
        """Index (or re-index) the texts of ``row``, one per field."""
        self.remove(row)
        words: dict[str, float] = {}
        length = 0.0
        for weight, text in zip(self._weights, texts, strict=True):
            counted = Counter(text_tokens(text))
            for token, count in counted.items():
                words[token] = words.get(token, 0.0) + weight * count
            length += weight * counted.total()
        self._row_words[row] = words
        self._lengths[row] = length
        self._total_length += length
        for word, frequency in words.items():
            postings = self._changing(word)
            if postings is None:
                postings = self._postings[word] = {}
                self._sorted = None
            postings[row] = frequency
            self._arrays.pop(word, None)

    def remove(self, row: int) -> None:
        """Forget ``row``."""
        words = self._row_words.pop(row, None)
        if words is None:
            words = self._restored_words(row)
        if words is None:
            return
        self._total_length -= self._lengths.pop(row)
        for word in words:
            postings = self._changing(word)
            assert postings is not None
            del postings[row]
            self._arrays.pop(word, None)
            if not postings:
                del self._postings[word]
                self._sorted = None

    def _expand(self, prefix: str) -> list[str]:
        """The indexed words that begin with ``prefix``."""
        ordered = self._words()
        start = bisect.bisect_left(ordered, prefix)
        end = bisect.bisect_left(ordered, prefix + "\U0010ffff")
        words = ordered[start:end]
        if len(words) > MAX_EXPANSION:
            words = sorted(words, key=lambda word: -self._size(word))[:MAX_EXPANSION]
        return words

    def _posting_arrays(
        self, word: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The rows holding ``word``, their frequencies of it and their lengths."""
        postings = self._postings.get(word)
        if postings is not None:
            rows = np.fromiter(postings.keys(), np.int64, len(postings))
            frequencies = np.fromiter(postings.values(), np.float64, len(postings))
            lengths = np.fromiter((self._lengths[row] for row in postings), np.float64, len(postings))
            return rows, frequencies, lengths
        assert self._restored is not None  # a restored word whose rows are all as restored
        state, number = self._restored.state, self._base[word]
        start, end = int(state.starts[number]), int(state.starts[number + 1])
        rows = state.rows[start:end]
        return rows, state.frequencies[start:end], self._restored.lengths[rows]

    def _array(self, word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The rows holding ``word`` and their BM25 weights for it (with the counts of the moment)."""
        if word not in self._arrays:
            self._arrays[word] = self._posting_arrays(word)
        rows, frequencies, lengths = self._arrays[word]
        count = max(len(self._lengths), 1)
        average = self._total_length / count or 1.0
        idf = math.log(1 + (count - rows.shape[0] + 0.5) / (rows.shape[0] + 0.5))
        return rows, idf * frequencies * (_K1 + 1) / (frequencies + _K1 * (1 - _B + _B * lengths / average))

    def scores(self, prefix: str, rows: int) -> npt.NDArray[np.float64]:
        """Each of the first ``rows`` rows' BM25 score for the words beginning with ``prefix`` (0 if none)."""
        arrays = [self._array(word) for word in self._expand(prefix)]
        if not arrays:
            return np.zeros(rows, dtype=np.float64)
        found = np.concatenate([a[0] for a in arrays])
        weights = np.concatenate([a[1] for a in arrays])
        return np.asarray(np.bincount(found, weights=weights, minlength=rows)[:rows], dtype=np.float64)
