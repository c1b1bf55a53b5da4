"""Persistent federation state: remote actors and keys, follows, inbox, outbox, notes, delivery queue.

The delivery queue itself is in ``dsi4bcn.storage.deliveries``; this store adds the rest on top of it.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from dsi4bcn.fediverse.blocklist import blocked_domains_in, blocked_url
from dsi4bcn.storage.database import storable_text
from dsi4bcn.storage.deliveries import DeliveryQueue, enqueue
from dsi4bcn.storage.localactors import utc_now
from federation.activities import same_origin

__all__ = [
    "FederationStore",
    "Follower",
    "Incoming",
    "RemoteActor",
    "RemoteKey",
    "follower_inboxes_in",
]


@dataclass(frozen=True)
class RemoteActor:
    """A remote actor as last fetched."""

    id: str
    inbox: str
    shared_inbox: str | None
    document: Mapping[str, Any]
    fetched: str

    @property
    def delivery_inbox(self) -> str:
        """Where fan-out goes: the shared inbox when there is one on the actor's origin."""
        return _delivery_inbox(self.id, self.inbox, self.shared_inbox)


@dataclass(frozen=True)
class RemoteKey:
    """A remote public key and the actor that owns it."""

    key_id: str
    owner: str
    public_key_pem: str
    fetched: str


@dataclass(frozen=True)
class Follower:
    """A remote actor following a local one."""

    local: str
    actor: str
    follow_id: str
    follow: Mapping[str, Any]
    accepted: bool
    created: str


@dataclass(frozen=True)
class Incoming:
    """A stored, verified activity waiting to be processed."""

    seq: int
    activity_id: str
    actor: str
    activity: Mapping[str, Any]
    key_id: str = ""


def _delivery_inbox(actor: str, inbox: str, shared_inbox: str | None) -> str:
    """The shared inbox if it is on the actor's origin (rows stored before ``read_actor`` checked that
    included), else the actor's own inbox."""
    return shared_inbox if shared_inbox and same_origin(shared_inbox, actor) else inbox


def _stored_activity(row: aiosqlite.Row) -> Mapping[str, Any]:
    # Bodies were checked before they were stored; one that no longer parses is processed as empty
    # (and refused for it), never left at the head of the queue.
    try:
        activity = json.loads(row["body"])
    except (ValueError, RecursionError):
        return {}
    return activity if isinstance(activity, Mapping) else {}


_FOLLOWER_INBOXES = (
    "SELECT a.id, a.inbox, a.shared_inbox FROM followers f"
    " JOIN remote_actors a ON a.id = f.actor WHERE f.local = ? AND f.accepted = 1"
)


async def follower_inboxes_in(connection: aiosqlite.Connection, local: str) -> list[str]:
    """Inside a transaction: where to deliver to all accepted followers of ``local``, one entry per shared
    inbox (or personal inbox)."""
    async with connection.execute(_FOLLOWER_INBOXES, (local,)) as cursor:
        return list(dict.fromkeys([_delivery_inbox(row[0], row[1], row[2]) async for row in cursor]))


def _actor(row: aiosqlite.Row) -> RemoteActor:
    return RemoteActor(row["id"], row["inbox"], row["shared_inbox"], json.loads(row["document"]), row["fetched"])


def _follower(row: aiosqlite.Row) -> Follower:
    return Follower(
        row["local"],
        row["actor"],
        row["follow_id"],
        json.loads(row["follow"]),
        bool(row["accepted"]),
        row["created"],
    )


class FederationStore(DeliveryQueue):
    """Queries and writes of the federation tables; every write is one transaction."""

    # --- remote actors and keys ------------------------------------------------------------------

    async def remember_actor(self, actor: RemoteActor, keys: Sequence[tuple[str, str]]) -> None:
        """Store a fetched actor and its public keys ``(key_id, pem)``."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO remote_actors (id, inbox, shared_inbox, document, fetched) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,"
                " document = excluded.document, fetched = excluded.fetched",
                (actor.id, actor.inbox, actor.shared_inbox, json.dumps(actor.document), actor.fetched),
            )
            await connection.executemany(
                "INSERT INTO remote_keys (key_id, owner, public_key_pem, fetched) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (key_id) DO UPDATE SET owner = excluded.owner,"
                " public_key_pem = excluded.public_key_pem, fetched = excluded.fetched",
                [(key_id, actor.id, pem, actor.fetched) for key_id, pem in keys],
            )

    async def actor(self, actor_id: str) -> RemoteActor | None:
        """A known remote actor, or None."""
        row = await self.db.one("SELECT * FROM remote_actors WHERE id = ?", (actor_id,))
        return _actor(row) if row else None

    async def key(self, key_id: str) -> RemoteKey | None:
        """A known remote key, or None."""
        row = await self.db.one("SELECT * FROM remote_keys WHERE key_id = ?", (key_id,))
        return RemoteKey(row["key_id"], row["owner"], row["public_key_pem"], row["fetched"]) if row else None

    async def key_id_of(self, owner: str) -> str | None:
        """The id of a stored key of ``owner``, or None."""
        row = await self.db.one("SELECT key_id FROM remote_keys WHERE owner = ? LIMIT 1", (owner,))
        return str(row[0]) if row else None

    # --- followers and following ------------------------------------------------------------------

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

    async def remove_actor(self, actor: str) -> None:
        """Forget everything about a deleted remote actor: follows both ways, cached keys and document."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM followers WHERE actor = ?", (actor,))
            await connection.execute("DELETE FROM following WHERE actor = ?", (actor,))
            await connection.execute("DELETE FROM remote_keys WHERE owner = ?", (actor,))
            await connection.execute("DELETE FROM remote_actors WHERE id = ?", (actor,))

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
        return list(dict.fromkeys(_delivery_inbox(row[0], row[1], row[2]) for row in rows))

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

    # --- inbox ----------------------------------------------------------------------------------------

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

    # --- outbox, notes and deliveries -----------------------------------------------------------------

    async def add_note(
        self,
        note_id: str,
        local: str,
        note: Mapping[str, Any],
        create: Mapping[str, Any],
        inboxes: Iterable[str],
    ) -> int:
        """Store a new note and queue its ``Create`` for the followers, in one transaction."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO notes (id, local, body, published) VALUES (?, ?, ?, ?)",
                (note_id, local, json.dumps(note, ensure_ascii=False), note["published"]),
            )
            return await enqueue(connection, local=local, activity=create, inboxes=inboxes, public=True)

    async def count_notes(self) -> int:
        """How many notes local actors have posted and not deleted (NodeInfo's ``localPosts``)."""
        row = await self.db.one("SELECT count(*) FROM notes WHERE deleted IS NULL")
        return int(row[0]) if row else 0

    async def note(self, note_id: str) -> tuple[str, Mapping[str, Any], str | None] | None:
        """``(local, note, deleted)`` of a stored note, or None."""
        row = await self.db.one("SELECT local, body, deleted FROM notes WHERE id = ?", (note_id,))
        return (row["local"], json.loads(row["body"]), row["deleted"]) if row else None

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
