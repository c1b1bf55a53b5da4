"""Notes local actors post (table ``notes``) and the public activities of the outbox, as served to readers."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.deliveries import enqueue
from dsi4bcn.storage.localactors import utc_now

__all__ = ["Notes"]


class Notes:
    """Posted notes and public sent activities; a new note and its deliveries are one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database
        # Bumped by every new note, so that pages listing posts can be cached until the next one.
        self.generation = 0

    async def add_note(
        self,
        note_id: str,
        local: str,
        note: Mapping[str, Any],
        create: Mapping[str, Any],
        inboxes: Iterable[str],
    ) -> int:
        """Store a new note and queue its ``Create`` for the followers, in one transaction; how many inboxes."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO notes (id, local, body, published) VALUES (?, ?, ?, ?)",
                (note_id, local, json.dumps(note, ensure_ascii=False), note["published"]),
            )
            count = await enqueue(connection, local=local, activity=create, inboxes=inboxes, public=True)
        self.generation += 1
        return count

    async def delete_note(self, note_id: str, local: str, delete: Mapping[str, Any], inboxes: Iterable[str]) -> bool:
        """Mark a live note of ``local`` deleted, withdraw its ``Create`` from the outbox and queue its
        ``Delete``, in one transaction; whether there was such a note."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE notes SET deleted = ? WHERE id = ? AND local = ? AND deleted IS NULL",
                (utc_now(), note_id, local),
            )
            if cursor.rowcount == 0:
                return False
            # Its Create, which embeds it, leaves the outbox and stops being served.
            await connection.execute(
                "UPDATE outbox SET public = 0 WHERE local = ? AND type = 'Create'"
                " AND json_extract(body, '$.object.id') = ?",
                (local, note_id),
            )
            await enqueue(connection, local=local, activity=delete, inboxes=inboxes, public=True)
        self.generation += 1
        return True

    async def count_notes(self) -> int:
        """How many notes local actors have posted and not deleted (NodeInfo's ``localPosts``)."""
        row = await self.db.one("SELECT count(*) FROM notes WHERE deleted IS NULL")
        return int(row[0]) if row else 0

    async def note(self, note_id: str) -> tuple[str, Mapping[str, Any], str | None] | None:
        """``(local, note, deleted)`` of a stored note, or None."""
        row = await self.db.one("SELECT local, body, deleted FROM notes WHERE id = ?", (note_id,))
        return (row["local"], json.loads(row["body"]), row["deleted"]) if row else None

    async def latest(self, local: str | None, limit: int) -> list[tuple[str, Mapping[str, Any]]]:
        """``(local, note)`` of the newest ``limit`` notes not deleted, of one local actor or (None) of all."""
        where = "deleted IS NULL" + ("" if local is None else " AND local = ?")
        rows = await self.db.all(
            f"SELECT local, body FROM notes WHERE {where} ORDER BY published DESC, rowid DESC LIMIT ?",  # noqa: S608
            ((local,) if local is not None else ()) + (limit,),
        )
        return [(row["local"], json.loads(row["body"])) for row in rows]

    async def outbox_page(self, local: str, *, limit: int, offset: int) -> list[Mapping[str, Any]]:
        """Public activities of a local actor, newest first."""
        rows = await self.db.all(
            "SELECT body FROM outbox WHERE local = ? AND public = 1 ORDER BY seq DESC LIMIT ? OFFSET ?",
            (local, limit, offset),
        )
        return [json.loads(row["body"]) for row in rows]

    async def count_outbox(self, local: str) -> int:
        """How many public activities a local actor has sent."""
        row = await self.db.one("SELECT count(*) FROM outbox WHERE local = ? AND public = 1", (local,))
        return int(row[0]) if row else 0

    async def public_activity(self, activity_id: str) -> tuple[str, Mapping[str, Any]] | None:
        """``(local, activity)`` of a public activity we sent, or None."""
        row = await self.db.one("SELECT local, body FROM outbox WHERE activity_id = ? AND public = 1", (activity_id,))
        return (row["local"], json.loads(row["body"])) if row else None
