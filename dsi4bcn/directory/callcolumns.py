"""The calls' list as NumPy columns, changed in place: one row per call, with its purpose and district as
small integers, its end, deadline and publication as seconds, and its skills as a row of a boolean matrix
closed upwards (a call asking for web development is also under software development, so that a broader
skill's count is what choosing it finds).

A change touches one row, never the whole list: rebuilding the columns took 90 ms at 10,000 calls (the
times parsed again, every row's skills set again), paid by the next page after any call changed. The
order (newest first, then by IRI) is kept as a sorted list of keys and each row's rank in it, updated by
bisection; a search sorts only the rows it found by their rank. Rows of removed calls are reused.
"""

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

import numpy as np
import numpy.typing as npt

from dsi4bcn.directory.callquery import PURPOSES
from vocab.concepts import concept_index

__all__ = ["DISTRICTS", "NEVER", "CallColumns", "seconds", "skill_columns"]

NEVER = int(np.iinfo(np.int64).max)
DISTRICTS = 11  # district codes are 1 to 10; 0 is none


def seconds(moment: str | None) -> int:
    """A stored time (UTC, ``Z``) as seconds since the epoch; ``NEVER`` for none."""
    if moment is None:
        return NEVER
    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())


@cache
def skill_columns() -> tuple[tuple[str, ...], Mapping[str, tuple[int, ...]]]:
    """Every skill code in a fixed order, and each code's columns: its own and its broader skills'."""
    index = concept_index()
    codes = tuple(concept.code for concept in index.in_scheme("skill"))
    column = {code: number for number, code in enumerate(codes)}
    closure = {}
    for concept in index.in_scheme("skill"):
        above = [parent.code for parent in index.ancestors(concept.iri) if parent.scheme == "skill"]
        closure[concept.code] = tuple(column[code] for code in (concept.code, *above) if code in column)
    return codes, closure


class CallColumns:
    """The columns of the listed calls; rows are handed out by ``put`` and given back by ``drop``."""

    alive: npt.NDArray[np.bool_]
    purpose: npt.NDArray[np.int8]
    district: npt.NDArray[np.int16]
    ends: npt.NDArray[np.int64]
    deadline: npt.NDArray[np.int64]
    rank: npt.NDArray[np.int64]  # each live row's place in the order; NEVER for a free row
    skills: npt.NDArray[np.bool_]  # rows × skill columns

    def __init__(self, capacity: int = 64) -> None:
        self._size = 0  # rows ever used
        self._free: list[int] = []
        self._keys: list[tuple[int, str]] = []  # (-published, iri) of live rows, sorted
        self._allocate(max(capacity, 16))

    def _allocate(self, capacity: int) -> None:
        """Make every column ``capacity`` rows long, keeping what they hold."""
        width = len(skill_columns()[0])
        for name, dtype, fill, shape in (
            ("alive", np.bool_, False, (capacity,)),
            ("purpose", np.int8, 0, (capacity,)),
            ("district", np.int16, 0, (capacity,)),
            ("ends", np.int64, NEVER, (capacity,)),
            ("deadline", np.int64, NEVER, (capacity,)),
            ("rank", np.int64, NEVER, (capacity,)),
            ("skills", np.bool_, False, (capacity, width)),
        ):
            fresh = np.full(shape, fill, dtype=dtype)
            fresh[: self._size] = getattr(self, name)[: self._size] if self._size else fill
            setattr(self, name, fresh)

    def _row(self) -> int:
        if self._free:
            return self._free.pop()
        if self._size == len(self.alive):
            self._allocate(2 * len(self.alive))
        self._size += 1
        return self._size - 1

    def put(
        self, iri: str, *, purpose: str, district: str | None, skills: Sequence[str], times: Sequence[str | None]
    ) -> int:
        """A new row for a call (``times`` its end, deadline and publication); its row number."""
        row = self._row()
        ends, deadline, published = times
        _, closure = skill_columns()
        self.purpose[row] = PURPOSES.index(purpose)
        self.district[row] = int(district or 0)
        self.ends[row], self.deadline[row] = seconds(ends), seconds(deadline)
        self.skills[row] = False
        for code in skills:
            self.skills[row, list(closure.get(code, ()))] = True
        key = self.key(iri, published)
        position = bisect_left(self._keys, key)
        self._keys.insert(position, key)
        if position < len(self._keys) - 1:  # not the last: the rows after it move down one
            ranks = self.rank[: self._size]
            ranks[(ranks >= position) & (ranks != NEVER)] += 1
        self.rank[row] = position
        self.alive[row] = True
        return row

    @staticmethod
    def key(iri: str, published: str | None) -> tuple[int, str]:
        """Where a call goes in the order: newest first, then by IRI (``put`` is fastest in this order)."""
        return (-seconds(published) if published else 0, iri)

    def drop(self, row: int) -> None:
        """Give back the row of a call taken off the list."""
        position = int(self.rank[row])
        del self._keys[position]
        ranks = self.rank[: self._size]
        ranks[(ranks > position) & (ranks != NEVER)] -= 1
        self.rank[row] = NEVER
        self.alive[row] = False
        self._free.append(row)

    def masks(self, filters: Mapping[str, frozenset[str]]) -> list[npt.NDArray[np.bool_]]:
        """For each facet (purpose, skill, district), the rows its filter lets through."""
        rows = self._size
        found = [np.ones(rows, dtype=np.bool_) for _ in range(3)]
        if purposes := filters.get("purpose"):
            found[0] = np.isin(self.purpose[:rows], [PURPOSES.index(purpose) for purpose in purposes])
        if skills := filters.get("skill"):
            codes, _ = skill_columns()
            wanted = [codes.index(code) for code in skills if code in codes]
            found[1] = np.asarray(self.skills[:rows, wanted].any(axis=1), dtype=np.bool_)
        if districts := filters.get("district"):
            found[2] = np.isin(self.district[:rows], [int(code) for code in districts])
        return found

    @property
    def size(self) -> int:
        """Rows in use or given back (the length of every column's live part)."""
        return self._size
