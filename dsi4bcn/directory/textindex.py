"""Full-text search over the directory: an inverted index in memory with prefix matching and BM25 ranking.

Each row's text comes in weighted fields (names, summaries, concept labels). Words are read as
``query.text_tokens`` reads them (letters and digits; case and accents folded, as SQLite FTS5's
``unicode61 remove_diacritics 2`` does), so "Impressió", "IMPRESSIO" and "impressio" are one word. A query
word matches every indexed word it begins; every query word must match; a row's score is the sum, over
the query's words, of the BM25 weight of the words they matched (``scores`` gives one query word's).
Postings are NumPy arrays, built lazily per word, so a query is a few ``bincount`` calls whatever the
number of rows matched: measured, SQLite FTS5 with ``bm25()`` took 17 ms for one common word at 20,000
rows (docs/benchmarks.md).
"""

import bisect
import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dsi4bcn.directory.query import text_tokens

__all__ = ["TextIndex"]

_K1, _B = 1.2, 0.75
MAX_EXPANSION = 2000  # indexed words one query word may stand for (the most frequent are kept)


class TextIndex:
    """Rows' weighted texts, searchable by word prefixes."""

    def __init__(self, weights: Sequence[float]) -> None:
        self._weights = tuple(weights)
        self._postings: dict[str, dict[int, float]] = {}  # word -> {row: weighted frequency}
        self._row_words: dict[int, dict[str, float]] = {}
        self._lengths: dict[int, float] = {}
        self._total_length = 0.0
        self._arrays: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
        self._sorted: list[str] | None = None

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
            if word not in self._postings:
                self._postings[word] = {}
                self._sorted = None
            self._postings[word][row] = frequency
            self._arrays.pop(word, None)

    def remove(self, row: int) -> None:
        """Forget ``row``."""
        words = self._row_words.pop(row, None)
        if words is None:
            return
        self._total_length -= self._lengths.pop(row)
        for word in words:
            postings = self._postings[word]
            del postings[row]
            self._arrays.pop(word, None)
            if not postings:
                del self._postings[word]
                self._sorted = None

    def _expand(self, prefix: str) -> list[str]:
        """The indexed words that begin with ``prefix``."""
        if self._sorted is None:
            self._sorted = sorted(self._postings)
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        words = self._sorted[start:end]
        if len(words) > MAX_EXPANSION:
            words = sorted(words, key=lambda word: -len(self._postings[word]))[:MAX_EXPANSION]
        return words

    def _array(self, word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The rows holding ``word`` and their BM25 weights for it."""
        if word not in self._arrays:
            postings = self._postings[word]
            rows = np.fromiter(postings.keys(), np.int64, len(postings))
            frequencies = np.fromiter(postings.values(), np.float64, len(postings))
            lengths = np.fromiter((self._lengths[row] for row in postings), np.float64, len(postings))
            count = max(len(self._row_words), 1)
            average = self._total_length / count or 1.0
            idf = math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
            scores = idf * frequencies * (_K1 + 1) / (frequencies + _K1 * (1 - _B + _B * lengths / average))
            self._arrays[word] = (rows, scores)
        return self._arrays[word]

    def scores(self, prefix: str, rows: int) -> npt.NDArray[np.float64]:
        """Each of the first ``rows`` rows' BM25 score for the words beginning with ``prefix`` (0 if none)."""
        arrays = [self._array(word) for word in self._expand(prefix)]
        if not arrays:
            return np.zeros(rows, dtype=np.float64)
        found = np.concatenate([a[0] for a in arrays])
        weights = np.concatenate([a[1] for a in arrays])
        return np.asarray(np.bincount(found, weights=weights, minlength=rows)[:rows], dtype=np.float64)
