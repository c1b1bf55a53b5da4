"""Backups of a real node database while another connection keeps writing, and restores that check
everything before they change anything."""

import asyncio
import hashlib
import json
import shutil
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsi4bcn.storage.backups import BackupRefused, make_backup, read_backup, restore_backup
from dsi4bcn.storage.database import SCHEMA_VERSION, open_database


def _new_data_folder(folder: Path) -> Path:
    """A data folder with a migrated database, a node setting and an admin token."""

    async def create() -> None:
        connection = await open_database(folder / "dsi4bcn.sqlite3")
        await connection.execute("INSERT INTO node_settings (name, value) VALUES ('instance_created', 'then')")
        await connection.execute("INSERT INTO graph_sync (graph, synced, written) VALUES ('urn:g', 1, 1)")
        await connection.close()

    asyncio.run(create())
    (folder / "admin-token").write_text("a-token-of-at-least-16-chars\n")
    (folder / "admin-token").chmod(0o600)
    (folder / "graph").mkdir()
    (folder / "graph" / "000001.sst").write_bytes(b"derived")
    return folder


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return _new_data_folder(tmp_path / "data")


@pytest.fixture
def backup(data_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "backup"
    make_backup(data_dir, target, base_url="https://node.example")
    return target


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def writer(data_dir: Path) -> Iterator[threading.Event]:
    """Another connection committing pairs of rows (a follower and its delivery) as fast as it can."""
    stop = threading.Event()

    def write() -> None:
        connection = sqlite3.connect(data_dir / "dsi4bcn.sqlite3", isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 5000")
        number = 0
        while not stop.is_set():
            number += 1
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO outbox (activity_id, local, type, body, public, published) VALUES (?, 'a', 'Create', "
                "'{}', 1, 'now')",
                (f"urn:a:{number}",),
            )
            connection.execute(
                "INSERT INTO deliveries (activity_id, inbox, host, next_attempt, created) VALUES (?, 'i', 'h', 0, 'n')",
                (f"urn:a:{number}",),
            )
            connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    yield stop
    stop.set()
    thread.join(10)


def test_a_backup_taken_while_another_connection_writes_is_one_consistent_snapshot(
    data_dir: Path, tmp_path: Path, writer: threading.Event
) -> None:
    copies = []
    for number in range(3):
        target = tmp_path / f"backup-{number}"
        manifest = make_backup(data_dir, target)
        copies.append(target / "dsi4bcn.sqlite3")
        assert manifest["schemaVersion"] == SCHEMA_VERSION
        assert set(manifest["files"]) == {"dsi4bcn.sqlite3", "admin-token"}
        assert (target / "admin-token").read_text() == "a-token-of-at-least-16-chars\n"
        assert not (target / "graph").exists()
        assert stat.S_IMODE((target / "dsi4bcn.sqlite3").stat().st_mode) == 0o600
    writer.set()
    counts = []
    for copy in copies:
        outbox, deliveries = _rows(copy, "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM deliveries)")[0]
        assert outbox == deliveries  # never half a transaction
        assert _rows(copy, "PRAGMA journal_mode") == [("delete",)]  # one file
        counts.append(outbox)
    assert counts[-1] > 0 and counts == sorted(counts)


def test_a_backup_refuses_a_folder_without_a_database_or_a_target_in_use(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(BackupRefused) as refused:
        make_backup(tmp_path / "nowhere", tmp_path / "b1")
    assert refused.value.code == "cli_backup_no_database" and not (tmp_path / "b1").exists()
    (tmp_path / "b2").mkdir()
    (tmp_path / "b2" / "something").write_text("keep")
    with pytest.raises(BackupRefused) as refused:
        make_backup(data_dir, tmp_path / "b2")
    assert refused.value.code == "cli_backup_target_not_empty"
    assert [p.name for p in (tmp_path / "b2").iterdir()] == ["something"]


def test_a_restore_brings_back_the_database_and_token_and_marks_the_graph_for_rebuilding(
    backup: Path, tmp_path: Path
) -> None:
    target = tmp_path / "restored"
    manifest = restore_backup(backup, target)
    assert manifest["baseUrl"] == "https://node.example"
    assert (target / "admin-token").read_text() == "a-token-of-at-least-16-chars\n"
    assert _rows(target / "dsi4bcn.sqlite3", "SELECT value FROM node_settings") == [("then",)]
    assert _rows(target / "dsi4bcn.sqlite3", "SELECT synced, written FROM graph_sync") == [(0, 0)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the staging folder is gone


def _refusal(backup: Path, target: Path, **options: bool) -> str:
    before = _snapshot(target) if target.exists() else None
    with pytest.raises(BackupRefused) as refused:
        restore_backup(backup, target, **options)
    assert (_snapshot(target) if target.exists() else None) == before  # nothing changed
    return refused.value.code


def test_a_restore_refuses_a_changed_file_a_missing_manifest_and_a_non_empty_folder(
    backup: Path, data_dir: Path, tmp_path: Path
) -> None:
    token = backup / "admin-token"
    token.write_text(token.read_text() + "x")
    assert _refusal(backup, tmp_path / "r1") == "cli_backup_checksum"
    assert _refusal(tmp_path / "r1-missing", tmp_path / "r2") == "cli_backup_no_manifest"
    fresh = tmp_path / "fresh"
    make_backup(data_dir, fresh)
    assert _refusal(fresh, data_dir) == "cli_restore_not_empty"


def test_a_restore_refuses_a_database_newer_than_this_program(backup: Path, tmp_path: Path) -> None:
    database = backup / "dsi4bcn.sqlite3"
    connection = sqlite3.connect(database)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["dsi4bcn.sqlite3"]["sha256"] = hashlib.sha256(database.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    assert _refusal(backup, tmp_path / "r") == "cli_backup_newer_schema"


def test_force_replaces_a_stopped_node_s_folder_but_not_one_a_node_has_open(
    backup: Path, data_dir: Path, tmp_path: Path
) -> None:
    connection = sqlite3.connect(data_dir / "dsi4bcn.sqlite3")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("SELECT count(*) FROM actors").fetchall()
    try:
        assert _refusal(backup, data_dir, force=True) == "cli_restore_in_use"
    finally:
        connection.close()
    (data_dir / "admin-token").write_text("another-token-of-16-chars-or-more\n")
    restore_backup(backup, data_dir, force=True)
    assert (data_dir / "admin-token").read_text() == "a-token-of-at-least-16-chars\n"
    assert not (data_dir / "graph").exists()  # derived, rebuilt at start
    assert read_backup(backup)["schemaVersion"] == SCHEMA_VERSION


def test_a_backup_of_an_earlier_release_is_restored_at_this_program_s_schema(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parents[3] / "fixtures" / "schemas" / "schema-0009.sqlite3"
    old = tmp_path / "old"
    old.mkdir()
    shutil.copyfile(fixture, old / "dsi4bcn.sqlite3")
    assert make_backup(old, tmp_path / "backup")["schemaVersion"] == 9
    restore_backup(tmp_path / "backup", tmp_path / "restored")
    restored = tmp_path / "restored" / "dsi4bcn.sqlite3"
    assert _rows(restored, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    keys = "SELECT slug, private_key_pem FROM actors ORDER BY slug"
    assert _rows(restored, keys) == _rows(fixture, keys)
    assert _rows(restored, "SELECT DISTINCT synced, written FROM graph_sync") == [(0, 0)]
