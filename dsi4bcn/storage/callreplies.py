"""Replies to this node's calls (table ``call_replies``): notes from anyone on the fediverse, kept pending
until the caller approves (or hides) them; only approved ones are shown."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.database import Database, Row

__all__ = ["CallReplies", "Reply"]


@dataclass(frozen=True)
class Reply:
    """A checked note in reply to a call, its author and whether the caller approved it."""

    id: str
    call: str
    author: str
    note: Mapping[str, Any]
    state: str  # pending, approved or hidden
    received: str


def _reply(row: Row) -> Reply:
    return Reply(row["id"], row["call"], row["author"], json.loads(row["body"]), row["state"], row["received"])


class CallReplies:
    """Writes and reads of ``call_replies``; each write is one statement."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def store(self, reply: Reply) -> str:
        """Keep a reply (an edit by its author replaces it and asks for approval again); the outcome."""
        body = json.dumps(reply.note, ensure_ascii=False, separators=(",", ":"))
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO call_replies (id, call, author, body, received) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET body = excluded.body, received = excluded.received,"
                " state = 'pending' WHERE call_replies.author = excluded.author AND call_replies.call = excluded.call",
                (reply.id, reply.call, reply.author, body, reply.received),
            )
            if cursor.rowcount == 0:
                return "ignored: a reply with that id by another author is held"
        return "reply kept for the caller's approval"

    async def delete(self, reply_id: str, author: str) -> bool:
        """Drop a reply its author deleted; whether one was held."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM call_replies WHERE id = ? AND author = ?", (reply_id, author)
            )
            return cursor.rowcount > 0

    async def decide(self, call: str, reply_id: str, state: str) -> bool:
        """Approve or hide a reply to ``call``; whether there was one."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE call_replies SET state = ? WHERE id = ? AND call = ?", (state, reply_id, call)
            )
            return cursor.rowcount > 0

    async def of_call(self, call: str, *, approved_only: bool = False) -> list[Reply]:
        """The replies to one call, oldest first (only the approved ones, if asked)."""
        where = "call = ?" + (" AND state = 'approved'" if approved_only else "")
        rows = await self.db.all(
            f"SELECT * FROM call_replies WHERE {where} ORDER BY received, id",  # noqa: S608
            (call,),
        )
        return [_reply(row) for row in rows]
