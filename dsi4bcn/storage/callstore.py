"""Calls for collaboration of local actors (table ``calls``): each change, its activity for followers and
peers, and its graph marked unsynced, in one transaction ("send in the same transaction as the change")."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from dsi4bcn.profiles.calldocuments import CallRecord
from dsi4bcn.profiles.validation import KINDS, Kind
from dsi4bcn.storage.database import Connection, Database, Row
from dsi4bcn.storage.deliveries import enqueue
from dsi4bcn.storage.graphstate import mark_unsynced

__all__ = ["Calls"]

_COLUMNS = "c.id, c.iri, a.kind, c.local, c.body, c.published, c.updated, c.closed, c.deleted"
_FROM = "FROM calls c JOIN actors a ON a.slug = c.local"


def _record(row: Row) -> CallRecord:
    kind: Kind = next(k for k in KINDS if k == row["kind"])
    return CallRecord(
        id=row["id"],
        kind=kind,
        author=row["local"],
        fields=json.loads(row["body"]),
        published=row["published"],
        updated=row["updated"],
        closed=row["closed"],
        deleted=row["deleted"],
    )


async def _send(
    connection: Connection, iri: str, local: str, activity: Mapping[str, Any], inboxes: Iterable[str]
) -> None:
    await enqueue(connection, local=local, activity=activity, inboxes=inboxes, public=True)
    await mark_unsynced(connection, [iri])


class Calls:
    """The calls of local actors; every write sends its activity and marks the call's graph unsynced."""

    def __init__(self, database: Database) -> None:
        self.db = database
        # Bumped by every change, so that pages listing calls can be cached until the next one.
        self.generation = 0

    async def add(self, record: CallRecord, *, iri: str, activity: Mapping[str, Any], inboxes: Iterable[str]) -> None:
        """Store a new call and queue its ``Create``."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO calls (id, iri, local, body, published, updated) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    iri,
                    record.author,
                    json.dumps(record.fields, ensure_ascii=False),
                    record.published,
                    record.updated,
                ),
            )
            await _send(connection, iri, record.author, activity, inboxes)
        self.generation += 1

    async def change(
        self, record: CallRecord, *, iri: str, activity: Mapping[str, Any], inboxes: Iterable[str]
    ) -> bool:
        """Write a live call's new fields, ``updated`` and ``closed``, and queue its ``Update``; whether it was live."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE calls SET body = ?, updated = ?, closed = ? WHERE id = ? AND local = ? AND deleted IS NULL",
                (
                    json.dumps(record.fields, ensure_ascii=False),
                    record.updated,
                    record.closed,
                    record.id,
                    record.author,
                ),
            )
            if cursor.rowcount == 0:
                return False
            await _send(connection, iri, record.author, activity, inboxes)
        self.generation += 1
        return True

    async def delete(
        self, record: CallRecord, *, iri: str, deleted: str, activity: Mapping[str, Any], inboxes: Iterable[str]
    ) -> bool:
        """Delete a live call (its content goes, its id stays taken), withdraw its ``Create`` from the outbox
        and queue its ``Delete``; whether it was live."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE calls SET body = '{}', deleted = ? WHERE id = ? AND local = ? AND deleted IS NULL",
                (deleted, record.id, record.author),
            )
            if cursor.rowcount == 0:
                return False
            await connection.execute(
                "UPDATE outbox SET public = 0 WHERE local = ? AND type IN ('Create', 'Update')"
                " AND json_extract(body, '$.object.id') = ?",
                (record.author, iri),
            )
            await _send(connection, iri, record.author, activity, inboxes)
        self.generation += 1
        return True

    async def get(self, call_id: str) -> CallRecord | None:
        """A call by its id, live or deleted; None if there never was one."""
        row = await self.db.one(f"SELECT {_COLUMNS} {_FROM} WHERE c.id = ?", (call_id,))
        return _record(row) if row else None

    async def of_author(self, local: str) -> list[CallRecord]:
        """The live calls of one local actor, newest first."""
        rows = await self.db.all(
            f"SELECT {_COLUMNS} {_FROM} WHERE c.local = ? AND c.deleted IS NULL ORDER BY c.published DESC, c.id",
            (local,),
        )
        return [_record(row) for row in rows]

    async def live(self, *, limit: int, offset: int = 0) -> list[CallRecord]:
        """Live calls of every local actor (open, upcoming, expired or closed), newest first."""
        rows = await self.db.all(
            f"SELECT {_COLUMNS} {_FROM} WHERE c.deleted IS NULL ORDER BY c.published DESC, c.id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_record(row) for row in rows]

    async def count_live(self) -> int:
        """How many calls are not deleted."""
        row = await self.db.one("SELECT count(*) FROM calls WHERE deleted IS NULL")
        return int(row[0]) if row else 0
