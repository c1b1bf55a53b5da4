"""Backups of a node's data folder, taken while the node runs, and their restore.

A backup is a folder: ``dsi4bcn.sqlite3`` (a copy made with SQLite's online backup API from a second,
read-only connection: WAL lets it read one consistent snapshot while the node keeps writing, so the node
need not stop nor be asked), the secrets kept beside it (``admin-token``) and ``manifest.json`` (the
program's version, the schema version, when, the base URL if known, and each file's SHA-256 and size).
Everything the node owns is in the database: profiles and their key pairs, the instance actor's key, the
node's settings, follows, posts, the delivery queue, received profiles and posts, accounts, calls, and the
images (table ``media``). What is not copied is derived from it and rebuilt at start: the graph store
(``graph/``, written again from SQLite: the restored database marks every graph unsynced) and the
directory's snapshot (``directory-index.npz``).

A restore checks the whole backup first (manifest, checksums, schema not newer than this program, SQLite's
integrity check) and changes nothing unless every check passes; it then puts the files in place through a
staging folder, brings the database to this program's schema and marks the graph for rebuilding.
Failures are ``BackupRefused(code, **params)``, the codes being ``cli_*`` messages of ``dsi4bcn.i18n``.
"""

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dsi4bcn import __version__
from dsi4bcn.storage.database import SCHEMA_VERSION, Database, DatabaseError, open_database
from dsi4bcn.storage.graphstate import GraphState
from dsi4bcn.storage.offlinereads import connect_read_only, schema_version

__all__ = [
    "DATABASE_NAME",
    "DERIVED",
    "MANIFEST_NAME",
    "SECRETS",
    "BackupRefused",
    "make_backup",
    "read_backup",
    "restore_backup",
]

DATABASE_NAME = "dsi4bcn.sqlite3"
MANIFEST_NAME = "manifest.json"
FORMAT = "dsi4bcn-backup/1"
# Files of the data folder kept beside the database, private like it.
SECRETS = ("admin-token",)
# What the data folder holds that a backup leaves out, and why.
DERIVED = {
    "graph/": "the graph store: written again from SQLite at start",
    "directory-index.npz": "the directory's snapshot: built again from SQLite at start",
    "dumps/": "copies of the graph kept for /graph downloads: made again when asked",
}
# What a restore with --force replaces in a data folder that is not empty.
_REPLACED = (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm", *SECRETS, *DERIVED)


class BackupRefused(Exception):
    """A backup or restore that cannot be done: a ``cli_*`` message code and its parameters."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _integrity(path: Path) -> str:
    """SQLite's verdict on the file: "ok", or what is wrong."""
    try:
        with closing(connect_read_only(path)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    return "; ".join(str(row[0]) for row in rows[:5])


def _private_file(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner only (SQLite keeps the mode it finds)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _copy_database(source: Path, target: Path) -> int:
    """Copy the live database ``source`` to the new file ``target``; return its schema version.

    One backup step over all pages: the read transaction sees one snapshot and, in WAL mode, does not stop
    the node's writers (a copy in several steps would start again after each of their commits).
    """
    _private_file(target)
    with closing(connect_read_only(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # a single file, whatever the original's journal
        version = int(copy.execute("PRAGMA user_version").fetchone()[0])
    verdict = _integrity(target)
    if verdict != "ok":
        raise BackupRefused("cli_backup_damaged", path=str(source), reason=verdict)
    return version


def _digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def _is_empty_folder(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def make_backup(data_dir: Path, target: Path, *, base_url: str | None = None) -> dict[str, Any]:
    """Back up the data folder ``data_dir`` (its node may be running) into the new folder ``target``;
    return the manifest written there."""
    source = data_dir / DATABASE_NAME
    if not source.is_file():
        raise BackupRefused("cli_backup_no_database", path=str(data_dir))
    if target.exists() and not _is_empty_folder(target):
        raise BackupRefused("cli_backup_target_not_empty", path=str(target))
    created_target = not target.exists()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        version = _copy_database(source, target / DATABASE_NAME)
        files = [DATABASE_NAME]
        for name in SECRETS:
            if (data_dir / name).is_file():
                _private_file(target / name)
                shutil.copyfile(data_dir / name, target / name)
                files.append(name)
        manifest = {
            "format": FORMAT,
            "dsi4bcnVersion": __version__,
            "schemaVersion": version,
            "created": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "baseUrl": base_url,
            "files": {name: _digest(target / name) for name in files},
            "notIncluded": DERIVED,
        }
        (target / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except BaseException:
        if created_target:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                child.unlink()
        raise
    return manifest


def _read_manifest(backup: Path) -> dict[str, Any]:
    path = backup / MANIFEST_NAME
    if not path.is_file():
        raise BackupRefused("cli_backup_no_manifest", path=str(backup))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise BackupRefused("cli_backup_bad_manifest", path=str(path), reason=str(error)) from error
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("schemaVersion"), int)
        or not isinstance(files, dict)
        or DATABASE_NAME not in files
        or not set(files) <= {DATABASE_NAME, *SECRETS}
        or not all(isinstance(entry, dict) and isinstance(entry.get("sha256"), str) for entry in files.values())
    ):
        raise BackupRefused("cli_backup_bad_manifest", path=str(path), reason=f"not a {FORMAT} manifest")
    return manifest


def read_backup(backup: Path) -> dict[str, Any]:
    """The manifest of the backup folder ``backup`` once every check passes: each file there with its
    checksum, a schema no newer than this program's, a database SQLite finds intact."""
    manifest = _read_manifest(backup)
    for name, entry in manifest["files"].items():
        path = backup / name
        if not path.is_file():
            raise BackupRefused("cli_backup_missing_file", path=str(path))
        if _digest(path)["sha256"] != entry["sha256"]:
            raise BackupRefused("cli_backup_checksum", path=str(path))
    database = backup / DATABASE_NAME
    try:
        version = max(schema_version(database), manifest["schemaVersion"])
    except DatabaseError as error:
        raise BackupRefused("cli_backup_damaged", path=str(database), reason=str(error)) from error
    if version > SCHEMA_VERSION:
        raise BackupRefused("cli_backup_newer_schema", path=str(backup), found=version, known=SCHEMA_VERSION)
    verdict = _integrity(database)
    if verdict != "ok":
        raise BackupRefused("cli_backup_damaged", path=str(database), reason=verdict)
    return manifest


def _check_not_in_use(data_dir: Path) -> None:
    """Refuse a data folder whose database a running node holds open.

    Leaving WAL mode needs the only connection to the file; a node keeps one open as long as it runs.
    """
    database = data_dir / DATABASE_NAME
    if not database.is_file():
        return
    try:
        with closing(sqlite3.connect(database, timeout=0.5)) as connection:
            mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise BackupRefused("cli_restore_in_use", path=str(data_dir)) from error
        return  # a damaged file that the restore replaces anyway
    if str(mode).lower() != "delete":
        raise BackupRefused("cli_restore_in_use", path=str(data_dir))


async def _upgrade_and_mark_graphs(path: Path) -> None:
    """Bring the restored database to this program's schema; mark every graph for writing again."""
    connection = await open_database(path)
    database = Database(connection, path)
    try:
        await GraphState(database).mark_all_unsynced()
    finally:
        await database.close()


@contextmanager
def _staging(data_dir: Path) -> Iterator[Path]:
    """A private folder beside ``data_dir`` (same file system, so files move into place by renaming)."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}-restore-", dir=data_dir.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def restore_backup(backup: Path, data_dir: Path, *, force: bool = False) -> dict[str, Any]:
    """Put the backup folder ``backup`` into the data folder ``data_dir``; return its manifest.

    The folder must be empty or absent unless ``force`` (then its database, secrets and derived files are
    replaced, provided no node has its database open). Nothing is changed until every check has passed.
    """
    manifest = read_backup(backup)
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupRefused("cli_restore_not_empty", path=str(data_dir))
    if data_dir.is_dir() and not _is_empty_folder(data_dir):
        if not force:
            raise BackupRefused("cli_restore_not_empty", path=str(data_dir))
        _check_not_in_use(data_dir)
    with _staging(data_dir) as staging:
        for name in manifest["files"]:
            _private_file(staging / name)
            shutil.copyfile(backup / name, staging / name)
        asyncio.run(_upgrade_and_mark_graphs(staging / DATABASE_NAME))
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in _REPLACED:
            old = data_dir / name.rstrip("/")
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
        for child in staging.iterdir():
            child.replace(data_dir / child.name)
    return manifest
