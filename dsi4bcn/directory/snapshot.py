"""The directory index saved in the data folder, so that a node restarting over a large directory serves
it within a second or two instead of re-reading every profile.

One ``.npz`` file (NumPy arrays in a zip, each member checked by its CRC; read with ``allow_pickle=False``,
so nothing in it is ever executed): the index's arrays, its entries as JSON lines, and a JSON ``meta``
member with the lists and with what the snapshot must agree with to be trusted (``identity``: the format,
a digest of the code that builds entries and indexes them, the node's URL and the vocabulary's hash).
With it, the version of every named graph (``graph_sync``) the index reflects, so that a node can tell
which profiles changed while it was down and read those again. It is written to a temporary file and
renamed, so a crash leaves the previous snapshot; a file that cannot be read (truncated, corrupt, another
format) is ignored and the index is rebuilt from the database.
"""

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

import vocab
from dsi4bcn.directory.engine import DirectoryIndex
from dsi4bcn.directory.indexstate import IndexState, decode_entry
from dsi4bcn.directory.query import FACETS
from dsi4bcn.directory.textindex import TextState

__all__ = ["FORMAT", "SNAPSHOT_NAME", "Snapshot", "code_digest", "load_snapshot", "save_snapshot", "vocabulary_digest"]

log = logging.getLogger(__name__)
FORMAT = 1
SNAPSHOT_NAME = "directory-index.npz"
# The modules whose code decides what an index holds: a snapshot made by other code is not trusted.
_CODE = ("entries.py", "engine.py", "facetcolumns.py", "indexstate.py", "query.py", "textindex.py")
_SAMPLE = 64  # entries decoded when a snapshot is read, as a check


@cache
def code_digest() -> str:
    """A digest of the directory code that builds and indexes entries (and of matching's features)."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in [*(here / name for name in _CODE), here.parent / "matching" / "features.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def vocabulary_digest() -> str:
    """A digest of the concept schemes (labels and hierarchy decide facet keys and words)."""
    digest = hashlib.sha256()
    for path in sorted((Path(vocab.__file__).resolve().parent / "schemes").glob("*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """An index's state, what it must agree with (``identity``) and the graph versions it reflects."""

    identity: Mapping[str, str]
    versions: Mapping[str, int]
    state: IndexState


def save_snapshot(path: Path, snapshot: Snapshot) -> None:
    """Write ``snapshot`` to ``path`` (through a temporary file, so ``path`` is always whole)."""
    state = snapshot.state
    graphs = list(snapshot.versions)
    meta = {
        "format": FORMAT,
        "identity": dict(snapshot.identity),
        "ids": state.ids,
        "updated": state.updated,
        "organisations": state.organisations,
        "names": dict(state.names),
        "words": state.text.words,
        "columns": {name: columns for name, (columns, _) in state.facets.items()},
        "ranks": list(state.ranks),
        "graphs": graphs,
    }
    arrays: dict[str, Any] = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        "entries": np.frombuffer(state.entries, dtype=np.uint8),
        "offsets": state.offsets,
        "alive": state.alive,
        "versions": np.fromiter(snapshot.versions.values(), np.int64, len(graphs)),
        "text_starts": state.text.starts,
        "text_rows": state.text.rows,
        "text_frequencies": state.text.frequencies,
        "text_held": state.text.held,
        "text_lengths": state.text.lengths,
    }
    arrays.update({f"facet_{name}": codes for name, (_, codes) in state.facets.items()})
    arrays.update({f"rank_{number}": rank for number, rank in enumerate(state.ranks.values())})
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        np.savez(handle, **arrays)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


def load_snapshot(path: Path, identity: Mapping[str, str]) -> tuple[DirectoryIndex, dict[str, int]] | None:
    """The index saved at ``path`` and the graph versions it reflects, if the file is there, whole, and made
    for ``identity``; else None (logged)."""
    if not path.exists():
        return None
    try:
        snapshot = _read(path)
        keys = {*snapshot.identity, *identity}
        differ = sorted(key for key in keys if snapshot.identity.get(key) != identity.get(key))
        if differ:
            log.info("directory snapshot %s made for another %s; rebuilding", path, ", ".join(differ))
            return None
        return DirectoryIndex.restore(snapshot.state), dict(snapshot.versions)
    except Exception as error:  # noqa: BLE001 - any damage (truncated, corrupt, not ours): rebuild, never crash
        log.warning("directory snapshot %s unreadable (%s: %s); rebuilding", path, type(error).__name__, error)
        return None


def _read(path: Path) -> Snapshot:
    """The snapshot in ``path`` (any exception if it is damaged)."""
    with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError(f"format {meta.get('format') if isinstance(meta, dict) else None!r}")
        graphs, versions = meta["graphs"], data["versions"].tolist()
        if len(graphs) != len(versions):
            raise ValueError("graphs and versions differ in length")
        text = TextState(
            words=meta["words"],
            starts=data["text_starts"],
            rows=data["text_rows"],
            frequencies=data["text_frequencies"],
            held=data["text_held"],
            lengths=data["text_lengths"],
        )
        if text.starts.shape[0] != len(text.words) + 1 or int(text.starts[-1]) != text.rows.shape[0]:
            raise ValueError("text postings do not fit their words")
        state = IndexState(
            entries=data["entries"].tobytes(),
            offsets=data["offsets"],
            ids=meta["ids"],
            updated=meta["updated"],
            organisations=meta["organisations"],
            names=meta["names"],
            alive=data["alive"],
            text=text,
            facets={name: (meta["columns"][name], data[f"facet_{name}"]) for name in FACETS},
            ranks={key: data[f"rank_{number}"] for number, key in enumerate(meta["ranks"])},
        )
    _check_entries(state)
    return Snapshot(identity=meta["identity"], versions=dict(zip(graphs, versions, strict=True)), state=state)


def _check_entries(state: IndexState) -> None:
    """Entries spread over the rows decode, and each is the IRI its row says (``ValueError`` if not)."""
    offsets = state.offsets
    if offsets.ndim != 1 or int(offsets[0]) != 0 or int(offsets[-1]) != len(state.entries):
        raise ValueError("entry offsets do not fit the entries")
    if np.any(np.diff(offsets) < 0):
        raise ValueError("entry offsets go backwards")
    rows = offsets.shape[0] - 1
    for row in np.linspace(0, rows - 1, num=min(rows, _SAMPLE), dtype=np.int64).tolist():
        start, end = int(offsets[row]), int(offsets[row + 1])
        if (start == end) != (not state.ids[row]):
            raise ValueError(f"row {row} is free in one place and not in another")
        if start != end and decode_entry(state.entries[start:end]).id != state.ids[row]:
            raise ValueError(f"row {row} holds another entry")
