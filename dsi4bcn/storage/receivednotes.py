"""Posts of aggregated profiles (table ``remote_notes``): stored only for a live received profile, bounded
per author and in all, and gone with their author (the migration's triggers remove them when the profile
is erased, its peer removed or its domain blocked).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.database import Database

__all__ = ["MAX_NOTES", "MAX_NOTES_PER_AUTHOR", "ReceivedNote", "ReceivedNotes"]

MAX_NOTES_PER_AUTHOR = 50
MAX_NOTES = 5000


@dataclass(frozen=True)
class ReceivedNote:
    """A stored post of an aggregated profile: its author, the checked note and its author's document."""

    author: str
    note: Mapping[str, Any]
    author_document: Mapping[str, Any]


class ReceivedNotes:
    """Writes and reads of ``remote_notes``; each write is one transaction."""

    def __init__(self, database: Database, *, per_author: int = MAX_NOTES_PER_AUTHOR, total: int = MAX_NOTES) -> None:
        self.db = database
        self._per_author = per_author
        self._total = total

    async def store(self, note: Mapping[str, Any], *, author: str, peer: str, received: str) -> str:
        """Store (or replace) a checked note of ``author``, a live profile held from ``peer``; the outcome.

        A note held under the same id by another author is never replaced. The oldest notes beyond the
        bounds (per author, then in all) are dropped in the same transaction.
        """
        note_id, published = str(note["id"]), str(note["published"])
        body = json.dumps(note, ensure_ascii=False, separators=(",", ":"))
        async with self.db.transaction() as connection:
            async with connection.execute(
                "SELECT 1 FROM remote_profiles WHERE actor = ? AND peer = ? AND deleted IS NULL", (author, peer)
            ) as cursor:
                if await cursor.fetchone() is None:
                    return "ignored: its author is not a profile aggregated from a peer"
            cursor = await connection.execute(
                "INSERT INTO remote_notes (id, author, body, published, received) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET body = excluded.body, published = excluded.published,"
                " received = excluded.received WHERE remote_notes.author = excluded.author",
                (note_id, author, body, published, received),
            )
            if cursor.rowcount == 0:
                return "ignored: a note with that id by another author is held"
            await connection.execute(
                "DELETE FROM remote_notes WHERE author = ? AND id NOT IN (SELECT id FROM remote_notes"
                " WHERE author = ? ORDER BY published DESC, rowid DESC LIMIT ?)",
                (author, author, self._per_author),
            )
            await connection.execute(
                "DELETE FROM remote_notes WHERE id NOT IN (SELECT id FROM remote_notes"
                " ORDER BY published DESC, rowid DESC LIMIT ?)",
                (self._total,),
            )
        return "note stored"

    async def delete(self, note_id: str, author: str) -> int:
        """Remove the note ``note_id`` if ``author`` wrote it; how many were removed (0 or 1)."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute("DELETE FROM remote_notes WHERE id = ? AND author = ?", (note_id, author))
            return cursor.rowcount

    async def latest(self, author: str | None, limit: int) -> list[ReceivedNote]:
        """The newest ``limit`` notes of one author or (None) of every author, each with its author's
        document (notes of profiles no longer held are never listed)."""
        where = "p.deleted IS NULL" + ("" if author is None else " AND n.author = ?")
        rows = await self.db.all(
            "SELECT n.author, n.body, p.document FROM remote_notes n JOIN remote_profiles p ON p.actor = n.author"  # noqa: S608
            f" WHERE {where} ORDER BY n.published DESC, n.rowid DESC LIMIT ?",
            ((author,) if author is not None else ()) + (limit,),
        )
        return [ReceivedNote(row["author"], json.loads(row["body"]), _object(row["document"])) for row in rows]

    async def count(self) -> int:
        """How many notes are held."""
        row = await self.db.one("SELECT count(*) FROM remote_notes")
        return int(row[0]) if row else 0


def _object(text: str | None) -> Mapping[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}
