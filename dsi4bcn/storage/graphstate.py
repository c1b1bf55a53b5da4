"""Which named graphs the graph store must (re)write, which it has written, and which were set aside.

The ``graph_sync`` table says, per named graph, its version, whether the store holds it (``synced``),
whether it was ever written (``written``) and why the store refused it (``failed``); ``node_settings``
keeps the hash of the vocabulary last written.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dsi4bcn.storage.database import Connection, Database, storable_text

__all__ = ["GraphState", "SetAside", "SyncLag", "UnsyncedGraph", "mark_unsynced"]


@dataclass(frozen=True)
class UnsyncedGraph:
    """A graph waiting to be written: the version to write and whether the store ever held it."""

    graph: str
    version: int
    written: bool


@dataclass(frozen=True)
class SetAside:
    """A graph the store refused, and why."""

    graph: str
    reason: str


@dataclass(frozen=True)
class SyncLag:
    """How far the store is behind SQLite: graphs waiting to be written, graphs set aside, and since when
    (Unix seconds) the oldest waiting one has waited (None if none waits)."""

    pending: int
    set_aside: int
    waiting_since: float | None


async def mark_unsynced(connection: Connection, graphs: Iterable[str]) -> None:
    """Inside a transaction: these graphs must be written (again) to the store. Each waits from now
    (``unsynced_since``, read by ``GraphState.lag``), unless it was already waiting (then since then)."""
    now = time.time()
    await connection.executemany(
        "INSERT INTO graph_sync (graph, unsynced_since) VALUES (?, ?) ON CONFLICT (graph) DO UPDATE SET"
        " version = version + 1, synced = 0, failed = NULL, unsynced_since ="
        " CASE WHEN synced = 1 OR failed IS NOT NULL THEN excluded.unsynced_since ELSE unsynced_since END",
        [(graph, now) for graph in graphs],
    )


async def _mark_everything(connection: Connection, *, held: bool) -> None:
    """Inside a transaction: every graph, and every live received profile, must be written (again). ``held``:
    the store may hold an older version of any of them (write them as replacements, old provenance removed)."""
    now = time.time()
    await connection.execute(
        "UPDATE graph_sync SET synced = 0, written = ?, failed = NULL, version = version + 1, unsynced_since ="
        " CASE WHEN synced = 1 OR failed IS NOT NULL THEN ? ELSE unsynced_since END",
        (int(held), now),
    )
    await connection.execute(
        "INSERT OR IGNORE INTO graph_sync (graph, unsynced_since, written)"
        " SELECT actor, ?, ? FROM remote_profiles WHERE deleted IS NULL",
        (now, int(held)),
    )


async def _set_store(connection: Connection, identity: str) -> None:
    await connection.execute(
        "INSERT INTO node_settings (name, value) VALUES ('graph_store', ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (identity,),
    )


class GraphState:
    """Reads and writes of the sync state of the named graphs; every write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def vocabulary_hash(self) -> str | None:
        """The hash of the vocabulary last marked for writing, or None if none was."""
        row = await self.db.one("SELECT value FROM node_settings WHERE name = 'vocabulary_hash'")
        return str(row[0]) if row else None

    async def add_graphs(self, graphs: Iterable[str], *, vocabulary: tuple[str, str] | None = None) -> None:
        """Give each of ``graphs`` a sync row if it has none; with ``vocabulary`` ``(graph, hash)``, also mark
        the vocabulary's graph unsynced and remember its hash, in the same transaction."""
        async with self.db.transaction() as connection:
            now = time.time()
            await connection.executemany(
                "INSERT OR IGNORE INTO graph_sync (graph, unsynced_since) VALUES (?, ?)", [(g, now) for g in graphs]
            )
            if vocabulary is not None:
                graph, digest = vocabulary
                await mark_unsynced(connection, [graph])
                await connection.execute(
                    "INSERT INTO node_settings (name, value) VALUES ('vocabulary_hash', ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (digest,),
                )

    async def mark_all_unsynced(self) -> None:
        """Every graph (and every live received profile) must be written again to an emptied store."""
        async with self.db.transaction() as connection:
            await _mark_everything(connection, held=False)

    async def adopt_store(self, identity: str) -> str | None:
        """Remember which store the sync state describes; if it was another one, every graph is marked to be
        written again, as replacements (the new store may hold none of them, or older versions, or graphs
        erased since), in the same transaction. Returns the previous store's identity if it changed."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute("SELECT value FROM node_settings WHERE name = 'graph_store'")
            row = await cursor.fetchone()
            previous = str(row[0]) if row else None
            if previous == identity:
                return None
            if previous is not None:
                await _mark_everything(connection, held=True)
            await _set_store(connection, identity)
            return previous

    async def record_store(self, identity: str) -> None:
        """Record ``identity`` as the store the sync state describes, marking nothing: it was filled by
        other means with what the state says is synced (``dsi4bcn graph adopt``)."""
        async with self.db.transaction() as connection:
            await _set_store(connection, identity)

    async def count_unsynced(self) -> int:
        """How many graphs the store does not hold as they are now (set aside or not)."""
        row = await self.db.one("SELECT count(*) FROM graph_sync WHERE synced = 0")
        return int(row[0]) if row else 0

    async def count_pending(self) -> int:
        """How many graphs wait to be written (not counting those set aside)."""
        row = await self.db.one("SELECT count(*) FROM graph_sync WHERE synced = 0 AND failed IS NULL")
        return int(row[0]) if row else 0

    async def unsynced(self, limit: int) -> list[UnsyncedGraph]:
        """Up to ``limit`` graphs waiting to be written (not those set aside)."""
        rows = await self.db.all(
            "SELECT graph, version, written FROM graph_sync WHERE synced = 0 AND failed IS NULL LIMIT ?", (limit,)
        )
        return [UnsyncedGraph(str(row["graph"]), int(row["version"]), bool(row["written"])) for row in rows]

    async def mark_written(self, graphs: Sequence[str]) -> None:
        """These graphs have been (or are about to be) written to the store at least once."""
        async with self.db.transaction() as connection:
            await connection.executemany("UPDATE graph_sync SET written = 1 WHERE graph = ?", [(g,) for g in graphs])

    async def mark_synced(self, versions: Sequence[tuple[str, int]]) -> None:
        """The store holds these ``(graph, version)``: synced, unless the graph changed meanwhile."""
        async with self.db.transaction() as connection:
            async with connection.execute(
                "SELECT coalesce(max(synced_seq), 0) + 1 FROM graph_sync WHERE synced_seq > 0"
            ) as cursor:
                row = await cursor.fetchone()
            sequence = int(row[0]) if row else 1
            await connection.executemany(
                "UPDATE graph_sync SET synced = 1, synced_seq = ? WHERE graph = ? AND version = ?",
                [(sequence, graph, version) for graph, version in versions],
            )

    async def latest_batch(self) -> int:
        """The number of the last batch of graphs written to the store (0 before the first)."""
        row = await self.db.one("SELECT coalesce(max(synced_seq), 0) FROM graph_sync WHERE synced_seq > 0")
        return int(row[0]) if row else 0

    async def written_since(self, batch: int, limit: int = 5000) -> tuple[list[str], int]:
        """The graphs written to the store in batches after ``batch`` (up to ``limit`` of them, whole
        batches first), and the number of the last batch they include."""
        rows = await self.db.all(
            "SELECT graph, synced_seq FROM graph_sync WHERE synced_seq > ? ORDER BY synced_seq LIMIT ?",
            (batch, limit),
        )
        if not rows:
            return [], batch
        last = int(rows[-1][1])
        if len(rows) == limit and int(rows[0][1]) != last:  # the last batch may be cut: leave it for next time
            rows = [row for row in rows if int(row[1]) != last]
            last = int(rows[-1][1])
        return [str(row[0]) for row in rows], last

    async def set_aside(self, graph: str, version: int, reason: str) -> None:
        """Record that the store refused this version of ``graph``, and why (kept to 500 characters)."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE graph_sync SET failed = ? WHERE graph = ? AND version = ?",
                (storable_text(reason[:500]), graph, version),
            )

    async def set_aside_graphs(self, limit: int) -> tuple[int, list[SetAside]]:
        """How many graphs are set aside, and the first ``limit`` of them (by name) with their reasons."""
        count = await self.db.one("SELECT count(*) FROM graph_sync WHERE synced = 0 AND failed IS NOT NULL")
        rows = await self.db.all(
            "SELECT graph, failed FROM graph_sync WHERE synced = 0 AND failed IS NOT NULL ORDER BY graph LIMIT ?",
            (limit,),
        )
        return (int(count[0]) if count else 0), [SetAside(row[0], row[1]) for row in rows]

    async def graph_names(self) -> list[str]:
        """Every named graph with a sync row (held by the store or about to be written)."""
        return [str(row[0]) for row in await self.db.all("SELECT graph FROM graph_sync")]

    async def last_modified(self) -> str | None:
        """The latest ``updated`` of any local or received profile, or None if there is none."""
        row = await self.db.one(
            "SELECT max(u) FROM (SELECT max(updated) AS u FROM actors"
            " UNION ALL SELECT max(updated) FROM remote_profiles)"
        )
        return str(row[0]) if row and row[0] else None

    async def lag(self) -> SyncLag:
        """The graphs the store does not hold as they are now, and the oldest wait (read for ``/metrics``)."""
        pending = await self.db.one(
            "SELECT count(*), min(unsynced_since) FROM graph_sync WHERE synced = 0 AND failed IS NULL"
        )
        aside = await self.db.one("SELECT count(*) FROM graph_sync WHERE synced = 0 AND failed IS NOT NULL")
        since = pending[1] if pending else None
        return SyncLag(
            int(pending[0]) if pending else 0, int(aside[0]) if aside else 0, float(since) if since else None
        )
