"""The directory index as plain data (what its snapshot holds), and its entries kept as JSON until read.

A node restarting over a large directory reads its index back from a snapshot instead of rebuilding it
(``snapshot``); 120,000 entries turned back into objects would cost seconds, so ``EntryRows`` keeps the
snapshot's entries as one block of JSON lines and decodes a row only when it is read (a page of results
reads a few). Rows written since are kept as objects.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.textindex import TextState

__all__ = ["EntryRows", "IndexState", "decode_entry", "encode_entry"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_entry(entry: Entry) -> bytes:
    """``entry`` as one line of JSON."""
    fields = [
        entry.id,
        entry.kind,
        dict(entry.names),
        dict(entry.summaries),
        entry.source,
        entry.local,
        entry.updated,
        {facet: sorted(keys) for facet, keys in entry.concepts.items()},
        entry.latitude,
        entry.longitude,
        entry.organisation,
    ]
    return _ENCODER.encode(fields).encode("utf-8")


def decode_entry(data: bytes) -> Entry:
    """The entry ``encode_entry`` wrote (``ValueError`` if ``data`` is not one)."""
    fields: Any = json.loads(data)
    if not isinstance(fields, list) or len(fields) != 11:
        raise ValueError("not a directory entry")
    iri, kind, names, summaries, source, local, updated, concepts, latitude, longitude, organisation = fields
    return Entry(
        id=iri,
        kind=kind,
        names=names,
        summaries=summaries,
        source=source,
        local=local,
        updated=updated,
        concepts={facet: frozenset(keys) for facet, keys in concepts.items()},
        latitude=latitude,
        longitude=longitude,
        organisation=organisation,
    )


class EntryRows:
    """Each row's entry (None for a free row): a snapshot's rows as JSON until read, later ones as objects."""

    def __init__(self, blob: bytes = b"", offsets: npt.NDArray[np.int64] | None = None) -> None:
        self._blob = blob
        self._offsets = offsets if offsets is not None else np.zeros(1, dtype=np.int64)
        self._length: int = int(self._offsets.shape[0]) - 1
        self._written: dict[int, Entry | None] = {}  # rows set since the snapshot
        self._decoded: dict[int, Entry] = {}  # snapshot rows already read

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, row: int) -> Entry | None:
        if row in self._written:
            return self._written[row]
        if row >= self._length or row < 0:
            raise IndexError(row)
        found = self._decoded.get(row)
        if found is None:
            start, end = int(self._offsets[row]), int(self._offsets[row + 1])
            if start == end:
                return None
            found = self._decoded[row] = decode_entry(self._blob[start:end])
        return found

    def __setitem__(self, row: int, entry: Entry | None) -> None:
        if row >= self._length or row < 0:
            raise IndexError(row)
        self._written[row] = entry
        self._decoded.pop(row, None)

    def __iter__(self) -> Iterator[Entry | None]:
        return (self[row] for row in range(self._length))

    def append(self, entry: Entry | None) -> None:
        """A new last row."""
        self._written[self._length] = entry
        self._length += 1

    def encoded(self) -> tuple[bytes, npt.NDArray[np.int64]]:
        """Every row as JSON lines (a free row as nothing) and where each row's line starts and ends."""
        parts: list[bytes] = []
        for row in range(self._length):
            if row in self._written:
                entry = self._written[row]
                parts.append(encode_entry(entry) if entry is not None else b"")
            else:
                parts.append(self._blob[int(self._offsets[row]) : int(self._offsets[row + 1])])
        offsets = np.zeros(self._length + 1, dtype=np.int64)
        np.cumsum(np.fromiter((len(part) for part in parts), np.int64, len(parts)), out=offsets[1:])
        return b"".join(parts), offsets


@dataclass(frozen=True)
class IndexState:
    """Everything a ``DirectoryIndex`` holds, as arrays, lists and JSON lines.

    Per row: its entry (``entries`` from ``offsets[row]`` to ``offsets[row + 1]``, empty if the row is free),
    its IRI, time of update and organisation ("" for none), and its name as sorted in each language
    already used (``names``); then which rows are alive, the text index, each facet's columns and codes,
    and the sort orders already computed (``ranks``).
    """

    entries: bytes
    offsets: npt.NDArray[np.int64]
    ids: list[str]
    updated: list[str]
    organisations: list[str]
    names: Mapping[str, list[str]]
    alive: npt.NDArray[np.bool_]
    text: TextState
    facets: Mapping[str, tuple[list[str], npt.NDArray[np.int32]]]
    ranks: Mapping[str, npt.NDArray[np.int64]]
