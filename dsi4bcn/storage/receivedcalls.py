"""Calls for collaboration of aggregated profiles (table ``remote_calls``): stored only for a live received
profile held from the peer that sent them, each write with its graph marked unsynced in one transaction,
and gone with their author (the migration's triggers)."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.database import Database, Row
from dsi4bcn.storage.graphstate import mark_unsynced

__all__ = ["ReceivedCall", "ReceivedCalls"]

_CHUNK = 500  # IRIs looked up in one query
_SELECT = "SELECT iri, author, peer, document, ntriples, ends, updated, received FROM remote_calls"


@dataclass(frozen=True)
class ReceivedCall:
    """A stored call of an aggregated profile: its canonical document and N-Triples, and where it came from."""

    iri: str
    author: str
    peer: str
    document: Mapping[str, Any]
    ntriples: str
    ends: str | None
    updated: str
    received: str


def _call(row: Row) -> ReceivedCall:
    return ReceivedCall(
        iri=row["iri"],
        author=row["author"],
        peer=row["peer"],
        document=json.loads(row["document"]),
        ntriples=row["ntriples"],
        ends=row["ends"],
        updated=row["updated"],
        received=row["received"],
    )


class ReceivedCalls:
    """Writes and reads of ``remote_calls``; each write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def store(self, call: ReceivedCall) -> str:
        """Store (or replace with a newer version) a checked call of a live profile held from its peer; the
        outcome. A deleted call stays deleted; a call held under another author is never replaced."""
        body = json.dumps(call.document, ensure_ascii=False, separators=(",", ":"))
        async with self.db.transaction() as connection:
            async with connection.execute(
                "SELECT 1 FROM remote_profiles WHERE actor = ? AND peer = ? AND deleted IS NULL",
                (call.author, call.peer),
            ) as cursor:
                if await cursor.fetchone() is None:
                    return "ignored: its author is not a profile aggregated from a peer"
            cursor = await connection.execute(
                "INSERT INTO remote_calls (iri, author, peer, document, ntriples, ends, updated, received)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (iri) DO UPDATE SET document = excluded.document, ntriples = excluded.ntriples,"
                " ends = excluded.ends, updated = excluded.updated, received = excluded.received"
                " WHERE remote_calls.author = excluded.author AND remote_calls.deleted IS NULL"
                " AND remote_calls.updated <= excluded.updated",
                (call.iri, call.author, call.peer, body, call.ntriples, call.ends, call.updated, call.received),
            )
            if cursor.rowcount == 0:
                return "ignored: that call is deleted, another author's, or held in a newer version"
            await mark_unsynced(connection, [call.iri])
        return "call stored"

    async def delete(self, iri: str, author: str, deleted: str) -> bool:
        """Mark the call ``iri`` of ``author`` deleted (its content and its graph go); whether one was held."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE remote_calls SET document = NULL, ntriples = NULL, deleted = ?"
                " WHERE iri = ? AND author = ? AND deleted IS NULL",
                (deleted, iri, author),
            )
            if cursor.rowcount == 0:
                return False
            await mark_unsynced(connection, [iri])
        return True

    async def get(self, iri: str) -> ReceivedCall | None:
        """A live received call, or None."""
        row = await self.db.one(
            "SELECT iri, author, peer, document, ntriples, ends, updated, received FROM remote_calls"
            " WHERE iri = ? AND deleted IS NULL",
            (iri,),
        )
        return _call(row) if row is not None else None

    async def live(self, *, after: str = "", limit: int = 1000) -> list[ReceivedCall]:
        """Live received calls in the order of their IRIs, from the first after ``after``: a page of at most
        ``limit`` (read page by page, as the calls' list is built at start)."""
        rows = await self.db.all(
            "SELECT iri, author, peer, document, ntriples, ends, updated, received FROM remote_calls"
            " WHERE deleted IS NULL AND iri > ? ORDER BY iri LIMIT ?",
            (after, limit),
        )
        return [_call(row) for row in rows]

    async def held(self, iris: Iterable[str]) -> dict[str, ReceivedCall]:
        """Those of ``iris`` that are live received calls, by IRI."""
        wanted, found = list(dict.fromkeys(iris)), dict[str, ReceivedCall]()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"{_SELECT} WHERE deleted IS NULL AND iri IN ({marks})"
            rows = await self.db.all(sql, chunk)
            found.update((row["iri"], _call(row)) for row in rows)
        return found

    async def ntriples(self, iri: str) -> str | None:
        """The N-Triples of a live received call, or None."""
        row = await self.db.one("SELECT ntriples FROM remote_calls WHERE iri = ? AND deleted IS NULL", (iri,))
        return str(row[0]) if row else None

    async def page(self, after: str, limit: int) -> list[tuple[str, str]]:
        """``(iri, ntriples)`` of live received calls after ``after``, in IRI order (loading in pages)."""
        rows = await self.db.all(
            "SELECT iri, ntriples FROM remote_calls WHERE iri > ? AND deleted IS NULL ORDER BY iri LIMIT ?",
            (after, limit),
        )
        return [(row["iri"], row["ntriples"]) for row in rows]
