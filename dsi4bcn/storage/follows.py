"""Follows both ways: remote actors following local ones (``followers``), and local actors following
remote ones (``following``, where the instance actor ``''`` follows its peers)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.blocks import blocked_domains_in, blocked_url
from dsi4bcn.storage.database import Connection, Database, Row
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.remoteactorcache import delivery_inbox

__all__ = ["Follower", "Follows", "follower_inboxes_in"]


@dataclass(frozen=True)
class Follower:
    """A remote actor following a local one."""

    local: str
    actor: str
    follow_id: str
    follow: Mapping[str, Any]
    accepted: bool
    created: str


_FOLLOWER_INBOXES = (
    "SELECT a.id, a.inbox, a.shared_inbox FROM followers f"
    " JOIN remote_actors a ON a.id = f.actor WHERE f.local = ? AND f.accepted = 1"
)


async def follower_inboxes_in(connection: Connection, local: str) -> list[str]:
    """Inside a transaction: where to deliver to all accepted followers of ``local``, one entry per shared
    inbox (or personal inbox)."""
    async with connection.execute(_FOLLOWER_INBOXES, (local,)) as cursor:
        return list(dict.fromkeys([delivery_inbox(row[0], row[1], row[2]) async for row in cursor]))


def _follower(row: Row) -> Follower:
    return Follower(
        row["local"],
        row["actor"],
        row["follow_id"],
        json.loads(row["follow"]),
        bool(row["accepted"]),
        row["created"],
    )


class Follows:
    """Queries and writes of ``followers`` and ``following``; every write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def add_follower(self, local: str, actor: str, follow: Mapping[str, Any], accepted: bool) -> None:
        """Record (or renew) a follow of ``local`` by ``actor``, unless ``actor``'s domain is blocked (a Follow
        received before the block and processed after it)."""
        async with self.db.transaction() as connection:
            if blocked_url(actor, await blocked_domains_in(connection)):
                return
            await connection.execute(
                "INSERT INTO followers (local, actor, follow_id, follow, accepted, created) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (local, actor) DO UPDATE SET follow_id = excluded.follow_id,"
                " follow = excluded.follow, accepted = max(accepted, excluded.accepted)",
                (local, actor, str(follow.get("id")), json.dumps(follow), int(accepted), utc_now()),
            )

    async def remove_follower(self, actor: str, local: str | None = None, follow_id: str | None = None) -> int:
        """Forget follows by ``actor`` of ``local``, or the one with ``follow_id``; how many went."""
        async with self.db.transaction() as connection:
            if local is not None:
                cursor = await connection.execute("DELETE FROM followers WHERE actor = ? AND local = ?", (actor, local))
            else:
                cursor = await connection.execute(
                    "DELETE FROM followers WHERE actor = ? AND follow_id = ?", (actor, follow_id)
                )
            return cursor.rowcount

    async def follower(self, local: str, actor: str) -> Follower | None:
        """One follow of ``local`` by ``actor``."""
        row = await self.db.one("SELECT * FROM followers WHERE local = ? AND actor = ?", (local, actor))
        return _follower(row) if row else None

    async def followers(
        self, local: str, *, accepted: bool = True, limit: int = 1000, offset: int = 0
    ) -> list[Follower]:
        """Followers of a local actor, oldest first."""
        rows = await self.db.all(
            "SELECT * FROM followers WHERE local = ? AND accepted = ? ORDER BY created, actor LIMIT ? OFFSET ?",
            (local, int(accepted), limit, offset),
        )
        return [_follower(row) for row in rows]

    async def count_followers(self, local: str) -> int:
        """How many accepted followers a local actor has."""
        row = await self.db.one("SELECT count(*) FROM followers WHERE local = ? AND accepted = 1", (local,))
        return int(row[0]) if row else 0

    async def follower_inboxes(self, local: str) -> list[str]:
        """Where to deliver to all accepted followers: one entry per shared inbox (or personal inbox)."""
        rows = await self.db.all(_FOLLOWER_INBOXES, (local,))
        return list(dict.fromkeys(delivery_inbox(row[0], row[1], row[2]) for row in rows))

    async def follow(self, local: str, actor: str, follow_id: str) -> None:
        """Record that ``local`` asked to follow ``actor``."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO following (local, actor, follow_id, state, created) VALUES (?, ?, ?, 'pending', ?)"
                " ON CONFLICT (local, actor) DO UPDATE SET follow_id = excluded.follow_id, state = 'pending'",
                (local, actor, follow_id, utc_now()),
            )

    async def answer_follow(self, actor: str, accepted: bool, follow_id: str | None, local: str | None) -> int:
        """Mark our follow of ``actor`` accepted or rejected (found by follow id, else by local actor)."""
        state = "accepted" if accepted else "rejected"
        async with self.db.transaction() as connection:
            if follow_id is not None:
                cursor = await connection.execute(
                    "UPDATE following SET state = ? WHERE actor = ? AND follow_id = ?",
                    (state, actor, follow_id),
                )
                if cursor.rowcount:
                    return cursor.rowcount
            if local is None:
                return 0
            cursor = await connection.execute(
                "UPDATE following SET state = ? WHERE actor = ? AND local = ?", (state, actor, local)
            )
            return cursor.rowcount

    async def following(
        self, local: str, *, state: str | None = None, limit: int = 1000, offset: int = 0
    ) -> list[tuple[str, str]]:
        """``(actor, state)`` of everyone a local actor follows or asked to follow (optionally one state)."""
        rows = await self.db.all(
            "SELECT actor, state FROM following WHERE local = ? AND (? IS NULL OR state = ?)"
            " ORDER BY created, actor LIMIT ? OFFSET ?",
            (local, state, state, limit, offset),
        )
        return [(row["actor"], row["state"]) for row in rows]

    async def count_following(self, local: str) -> int:
        """How many accepted follows a local actor has."""
        row = await self.db.one("SELECT count(*) FROM following WHERE local = ? AND state = 'accepted'", (local,))
        return int(row[0]) if row else 0

    async def asked_to_follow(self, local: str, actor: str) -> bool:
        """Whether ``local`` follows or asked to follow ``actor`` (in any state)."""
        row = await self.db.one("SELECT 1 FROM following WHERE local = ? AND actor = ?", (local, actor))
        return row is not None
