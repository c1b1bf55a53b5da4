"""The directory's snapshot: an index saved and read back answers exactly as the index it was made from and
as one built afresh from the same entries, before and after further changes; a damaged, foreign or stale
file is refused (None), never a crash."""

import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsi4bcn.directory.engine import DirectoryIndex
from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.query import DirectoryQuery
from dsi4bcn.directory.snapshot import SNAPSHOT_NAME, Snapshot, load_snapshot, save_snapshot
from tests.unit.dsi4bcn.directory.test_engine_reference import _entries, _queries

IDENTITY = {"format": "1", "code": "c", "base_url": "https://node.example", "authority": "node.example"}


def _same(left: DirectoryIndex, right: DirectoryIndex, query: DirectoryQuery) -> None:
    for language in ("ca", "en"):
        a, b = left.search(query, language), right.search(query, language)
        assert [entry.id for entry in a.entries] == [entry.id for entry in b.entries]
        assert a.entries == b.entries and a.total == b.total
        assert a.facets == b.facets


def _round_trip(index: DirectoryIndex, folder: Path, versions: dict[str, int]) -> DirectoryIndex:
    path = folder / SNAPSHOT_NAME
    save_snapshot(path, Snapshot(IDENTITY, versions, index.state(("ca", "es", "en"))))
    loaded = load_snapshot(path, IDENTITY)
    assert loaded is not None
    restored, read_versions = loaded
    assert read_versions == versions
    return restored


@settings(max_examples=40, deadline=None)
@given(_entries(), st.lists(_queries(), min_size=1, max_size=3), st.integers(0, 3), st.data())
def test_a_restored_index_answers_as_a_fresh_one(
    entries: list[Entry], queries: list[DirectoryQuery], removed: int, data: st.DataObject
) -> None:
    queries = [replace(q, sort=data.draw(st.sampled_from(["name", "relevance", "updated"]))) for q in queries]
    index = DirectoryIndex()
    index.upsert_many(entries)
    for entry in entries[:removed]:  # free rows and moved rows in the saved index
        index.remove(entry.id)
    for query in queries:
        index.search(query)  # some orders computed before the save
    with tempfile.TemporaryDirectory() as folder:
        restored = _round_trip(index, Path(folder), {entry.id: 1 for entry in entries})
    fresh = DirectoryIndex()
    fresh.upsert_many(entries[removed:])
    for query in queries:
        _same(restored, index, query)
        _same(restored, fresh, query)
    # The same changes to the restored and the fresh index: re-added, renamed, removed entries
    changes = entries[:removed] + [
        replace(entry, names={"ca": "Hort nou"}, summaries={"en": "lab"}, updated="2026-02-02T00:00:00Z")
        for entry in entries[removed : removed + 2]
    ]
    gone = [entry.id for entry in entries[removed + 2 : removed + 3]]
    for target in (restored, fresh):
        target.upsert_many(changes)
        for iri in gone:
            target.remove(iri)
    final = {entry.id: entry for entry in entries[removed:]} | {entry.id: entry for entry in changes}
    rebuilt = DirectoryIndex()  # no order computed before: every order sorted once, not moved row by row
    rebuilt.upsert_many(entry for iri, entry in final.items() if iri not in gone)
    for query in [*queries, DirectoryQuery(text="hort lab", sort="relevance")]:
        _same(restored, fresh, query)
        _same(restored, rebuilt, query)


def _saved(folder: Path) -> Path:
    index = DirectoryIndex()
    index.upsert_many(
        Entry(
            id=f"https://a.example/p/{n}",
            kind="project",
            names={"ca": f"Taller {n}"},
            summaries={},
            source="a.example",
            local=False,
            updated="2025-01-01T00:00:00Z",
        )
        for n in range(200)
    )
    path = folder / SNAPSHOT_NAME
    save_snapshot(path, Snapshot(IDENTITY, {"g": 3}, index.state()))
    return path


def test_a_snapshot_for_another_node_code_or_vocabulary_is_not_used(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    assert load_snapshot(path, IDENTITY) is not None
    for key in IDENTITY:
        assert load_snapshot(path, {**IDENTITY, key: "other"}) is None
    assert load_snapshot(tmp_path / "missing.npz", IDENTITY) is None
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file, renamed


@pytest.mark.parametrize("damage", ["truncated", "empty", "flipped", "garbage", "member missing", "bad meta"])
def test_a_damaged_snapshot_is_refused_not_fatal(tmp_path: Path, damage: str) -> None:
    path = _saved(tmp_path)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "flipped":  # inside the entries' JSON: the member's CRC no longer matches
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("entries.npy")
        at = info.header_offset + 30 + len(info.filename) + 200
        path.write_bytes(data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1 :])
    elif damage == "garbage":
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    else:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
        if damage == "member missing":
            del arrays["text_rows"]
        else:
            arrays["meta"] = np.frombuffer(b'{"format": 1, "identity": [1]}', dtype=np.uint8)
        with path.open("wb") as handle:
            np.savez(handle, **arrays)
    assert load_snapshot(path, IDENTITY) is None


def test_parts_that_do_not_fit_together_are_refused(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    with np.load(path, allow_pickle=False) as saved:
        arrays = {name: saved[name] for name in saved.files}
    arrays["alive"] = arrays["alive"][:-1]  # one row short
    with path.open("wb") as handle:
        np.savez(handle, **arrays)
    assert load_snapshot(path, IDENTITY) is None
