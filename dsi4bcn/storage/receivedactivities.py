"""Activities received in the inbox (table ``inbox``): stored once verified, processed later in order."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.database import Database, Row, storable_text
from dsi4bcn.storage.localactors import utc_now

__all__ = ["Incoming", "ReceivedActivities"]


@dataclass(frozen=True)
class Incoming:
    """A stored, verified activity waiting to be processed."""

    seq: int
    activity_id: str
    actor: str
    activity: Mapping[str, Any]
    key_id: str = ""


def _stored_activity(row: Row) -> Mapping[str, Any]:
    # Bodies were checked before they were stored; one that no longer parses is processed as empty
    # (and refused for it), never left at the head of the queue.
    try:
        activity = json.loads(row["body"])
    except (ValueError, RecursionError):
        return {}
    return activity if isinstance(activity, Mapping) else {}


class ReceivedActivities:
    """The stored inbox: writes of a batch are one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def store_incoming(self, rows: Sequence[tuple[str, str, str, str]]) -> list[bool]:
        """Store verified activities ``(activity_id, actor, body, key_id)`` in one transaction.

        Returns, for each, whether it was new; a replayed id stores nothing.
        """
        ids = [row[0] for row in rows]
        marks = ", ".join("?" for _ in ids)
        received = utc_now()
        async with self.db.transaction() as connection:
            query = f"SELECT activity_id FROM inbox WHERE activity_id IN ({marks})"  # noqa: S608 - placeholders only
            async with connection.execute(query, ids) as cursor:
                known = {row[0] async for row in cursor}
            seen: set[str] = set()
            results: list[bool] = []
            fresh: list[tuple[str, str, str, str, str]] = []
            for activity_id, actor, body, key_id in rows:
                new = activity_id not in known and activity_id not in seen
                seen.add(activity_id)
                results.append(new)
                if new:
                    fresh.append((activity_id, actor, body, key_id, received))
            await connection.executemany(
                "INSERT INTO inbox (activity_id, actor, body, key_id, received) VALUES (?, ?, ?, ?, ?)", fresh
            )
        return results

    async def unprocessed(self, limit: int = 100) -> list[Incoming]:
        """The oldest stored activities not processed yet."""
        rows = await self.db.all(
            "SELECT seq, activity_id, actor, body, key_id FROM inbox WHERE processed IS NULL ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [
            Incoming(row["seq"], row["activity_id"], row["actor"], _stored_activity(row), row["key_id"]) for row in rows
        ]

    async def mark_processed(self, outcomes: Sequence[tuple[int, str]]) -> None:
        """Record that activities ``(seq, outcome)`` were processed, in one transaction."""
        processed = utc_now()
        async with self.db.transaction() as connection:
            await connection.executemany(
                "UPDATE inbox SET processed = ?, outcome = ? WHERE seq = ?",
                [(processed, storable_text(outcome[:500]), seq) for seq, outcome in outcomes],
            )
