"""One facet of the directory as NumPy arrays: the keys each row holds, as a padded matrix of column numbers.

A row's keys are column numbers in one row of ``codes`` (``-1`` pads), so a row changes in place; counts
are one ``bincount`` over the selected rows' codes. For filters, the rows of each column (the transposed
matrix, sorted by column) are derived from ``codes`` when first needed after a change, so a filter costs
as much as the rows it selects.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["FacetColumns", "Mask"]

Mask = npt.NDArray[np.bool_]
_KNOWN_SETS = 100_000


class FacetColumns:
    """The keys each row holds in one facet; new keys get new columns."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.columns = list(columns)
        self.column_of = {key: number for number, key in enumerate(self.columns)}
        self.codes = np.full((0, 1), -1, dtype=np.int32)
        self._by_column: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
        self._known: dict[frozenset[str], list[int]] = {}  # the columns of key sets already seen

    def state(self, rows: int) -> tuple[list[str], npt.NDArray[np.int32]]:
        """The columns' keys and a copy of the first ``rows`` rows of codes (for the directory's snapshot)."""
        return list(self.columns), self.codes[:rows].copy()

    @classmethod
    def restore(cls, columns: Sequence[str], codes: npt.NDArray[np.int32]) -> "FacetColumns":
        """The facet whose keys and codes ``state`` gave."""
        facet = cls(columns)
        if codes.ndim != 2 or codes.shape[1] < 1 or (codes.size and int(codes.max()) >= len(facet.columns)):
            raise ValueError("facet codes do not fit their columns")
        facet.codes = np.ascontiguousarray(codes, dtype=np.int32)
        return facet

    def grow(self, rows: int) -> None:
        """Make room for ``rows`` rows (doubling, so that adding rows one by one stays linear)."""
        if rows > self.codes.shape[0]:
            bigger = np.full((max(rows, 2 * self.codes.shape[0], 64), self.codes.shape[1]), -1, dtype=np.int32)
            bigger[: self.codes.shape[0]] = self.codes
            self.codes = bigger

    def _columns(self, keys: frozenset[str]) -> list[int]:
        known = self._known.get(keys)
        if known is not None:
            return known
        columns = []
        for key in sorted(keys):
            if key not in self.column_of:
                self.column_of[key] = len(self.columns)
                self.columns.append(key)
            columns.append(self.column_of[key])
        if len(self._known) < _KNOWN_SETS:
            self._known[keys] = columns
        return columns

    def _widen(self, width: int) -> None:
        if width > self.codes.shape[1]:
            wider = np.full((self.codes.shape[0], width), -1, dtype=np.int32)
            wider[:, : self.codes.shape[1]] = self.codes
            self.codes = wider

    def set(self, row: int, keys: frozenset[str]) -> None:
        """Row ``row`` holds ``keys`` (and no others)."""
        columns = self._columns(keys)
        self._by_column = None
        self._widen(len(columns))
        self.codes[row] = -1
        self.codes[row, : len(columns)] = columns

    def set_many(self, rows: Sequence[int], keys: Sequence[frozenset[str]]) -> None:
        """Each of ``rows`` holds the keys at the same place in ``keys`` (one NumPy assignment)."""
        columns = [self._columns(held) for held in keys]
        self._by_column = None
        self._widen(max((len(held) for held in columns), default=0))
        self.codes[np.asarray(rows, dtype=np.int64)] = -1
        flat_rows = [row for row, held in zip(rows, columns, strict=True) for _ in held]
        places = [place for held in columns for place in range(len(held))]
        values = [column for held in columns for column in held]
        self.codes[flat_rows, places] = values

    def _transposed(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(starts, rows)``: the rows holding column ``c`` are ``rows[starts[c]:starts[c + 1]]``."""
        if self._by_column is None:
            held = self.codes >= 0
            columns = self.codes[held].astype(np.int64)
            rows = np.nonzero(held)[0].astype(np.int64)
            order = np.argsort(columns, kind="stable")
            starts = np.zeros(len(self.columns) + 1, dtype=np.int64)
            np.cumsum(np.bincount(columns, minlength=len(self.columns)), out=starts[1:])
            self._by_column = (starts, rows[order])
        return self._by_column

    def matches(self, keys: Iterable[str], rows: int) -> Mask:
        """Which of the first ``rows`` rows hold any of ``keys``."""
        starts, by_column = self._transposed()
        mask = np.zeros(rows, dtype=np.bool_)
        for key in keys:
            column = self.column_of.get(key)
            if column is not None and column < len(starts) - 1:
                found = by_column[starts[column] : starts[column + 1]]
                mask[found[found < rows]] = True
        return mask

    def counts(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """For each column, how many of ``rows`` hold it."""
        chosen = self.codes[rows]
        return np.bincount(chosen.ravel() + 1, minlength=len(self.columns) + 1)[1:]
