"""The node's SQLite database: open it in WAL mode and bring its schema up to date.

SQLite is the source of truth for everything a node owns; ``PRAGMA user_version`` holds the number of
the last migration applied, and each migration runs in its own transaction.
"""

import asyncio
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

__all__ = [
    "SCHEMA_VERSION",
    "Connection",
    "Database",
    "DatabaseError",
    "Row",
    "migrate",
    "migrations",
    "open_database",
    "storable_text",
]

# The connection a transaction hands out, and a row of a query: outside ``storage/`` these names stand for
# aiosqlite's types, so that only this package imports aiosqlite (functions that write inside a caller's
# transaction take a ``Connection``).
Connection = aiosqlite.Connection
Row = aiosqlite.Row


class DatabaseError(RuntimeError):
    """The database cannot be used (newer schema than this program, unreadable file)."""


_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """Every bundled migration as ``(number, name, sql)``, in order."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("dsi4bcn.storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise DatabaseError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


SCHEMA_VERSION = len(migrations())


async def migrate(connection: aiosqlite.Connection) -> int:
    """Apply the migrations the database lacks; return the schema version reached."""
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    if current > SCHEMA_VERSION:
        raise DatabaseError(f"the database has schema version {current}, newer than this program's {SCHEMA_VERSION}")
    for number, _name, sql in migrations():
        if number <= current:
            continue
        # executescript commits first; wrap each migration so that it applies whole or not at all.
        await connection.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    return SCHEMA_VERSION


async def open_database(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) the database at ``path``, in WAL mode, migrated to the latest schema.

    A new file (and a new data folder) is private to its owner: it holds the actors' private keys, and
    SQLite gives its ``-wal`` and ``-shm`` files the mode of the database.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))  # the mode applies only if it is created
    connection = await aiosqlite.connect(path, isolation_level=None)
    try:
        connection.row_factory = aiosqlite.Row
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA busy_timeout = 5000")
        await migrate(connection)
    except BaseException:
        await connection.close()
        raise
    return connection


# The errors after which a quick read is done through the node's connection instead: busy, locked, unopenable.
_WAIT_ELSEWHERE = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN})


class Database:
    """The node's one connection, with a lock so that transactions from different tasks never interleave.

    Given the file's ``path``, it also reads small things at once (``read_here``) on a second, read-only
    connection in the caller's thread.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path | None = None) -> None:
        self.connection = connection
        self._lock = asyncio.Lock()
        self._path = path
        self._reader: sqlite3.Connection | None = None

    async def read_here(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Every row of a short read by an index (a page's few dozen keys), done in the calling thread on a
        read-only connection, which sees what was last committed (WAL lets it read while the node writes).

        A trip to the connection's thread costs more than such a query: two thread switches, each waiting
        for the GIL while the event loop's thread works. Without a ``path``, or if the read fails (the file
        busy past 0.2 s), it is done through the connection as ``all`` does.
        """
        if self._path is not None:
            try:
                if self._reader is None:
                    self._reader = sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro", uri=True)
                    self._reader.row_factory = sqlite3.Row
                    self._reader.execute("PRAGMA busy_timeout = 200")
                return self._reader.execute(sql, tuple(params)).fetchall()
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF not in _WAIT_ELSEWHERE:
                    raise
        return await self.all(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` if the block raises."""
        async with self._lock:
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                await self.connection.execute("ROLLBACK")
                raise
            await self.connection.execute("COMMIT")

    async def all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Every row of a query (one trip to the database's thread, not three: execute, fetch, close)."""
        return list(await self.connection.execute_fetchall(sql, tuple(params)))

    async def all_between_writes(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Every row of a query, read while no transaction is open.

        A plain read can run between another task's statements and be acted on after that task has
        committed and moved on; a read that must agree with what other tasks do right after their
        commits (which deliveries are owed and not in flight) takes the transaction lock instead.
        """
        async with self._lock:
            return await self.all(sql, params)

    async def one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """The first row of a query, or None."""
        async with self.connection.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def data_version(self) -> int:
        """SQLite's ``data_version``: changes whenever another connection (another worker process of the
        node) has committed since this connection last asked."""
        row = await self.one("PRAGMA data_version")
        return int(row[0]) if row else 0

    async def close(self) -> None:
        """Close the connections."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        await self.connection.close()


def storable_text(text: str) -> str:
    """``text`` with anything UTF-8 cannot encode (lone surrogates) escaped, so that SQLite takes it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
