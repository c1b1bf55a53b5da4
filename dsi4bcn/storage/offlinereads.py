"""Reads of a node's database file from another process than the node (``dsi4bcn doctor``), read-only.

WAL lets a second, read-only connection read the last commit while the node writes; nothing here writes.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from dsi4bcn.storage.database import SCHEMA_VERSION, DatabaseError

__all__ = ["SCHEMA_VERSION", "DatabaseError", "connect_read_only", "local_actor", "schema_version"]


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database file at ``path`` that waits up to 5 s for the node's writes."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.execute("PRAGMA busy_timeout = 5000")
    return connection


def schema_version(path: Path) -> int:
    """The database's ``PRAGMA user_version``: the number of the last migration applied to it;
    ``DatabaseError`` if the file cannot be read as a database."""
    try:
        with closing(connect_read_only(path)) as connection:
            return int(connection.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as error:
        raise DatabaseError(f"{path}: {error}") from error


def local_actor(path: Path) -> tuple[str, str] | None:
    """``(kind, slug)`` of one live organisation or project of the node (the oldest), or None (none yet,
    or the file unreadable)."""
    try:
        with closing(connect_read_only(path)) as connection:
            row = connection.execute(
                "SELECT kind, slug FROM actors WHERE deleted IS NULL ORDER BY published, slug LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return None
    return (str(row[0]), str(row[1])) if row else None
