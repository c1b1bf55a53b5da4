"""The peer nodes this node aggregates (table ``peers``): their instance actors, follows and sync progress."""

from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.database import Database, storable_text
from dsi4bcn.storage.localactors import utc_now

__all__ = ["Peer", "PeerStore"]


@dataclass(frozen=True)
class Peer:
    """A node this node aggregates."""

    actor: str
    origin: str
    inbox: str
    profiles: str | None
    follow_id: str
    added: str
    backfill_total: int
    backfill_done: int
    last_sync: str | None
    last_error: str | None

    def as_json(self) -> dict[str, Any]:
        """The peer as the admin API shows it."""
        return {
            "actor": self.actor,
            "origin": self.origin,
            "added": self.added,
            "lastSync": self.last_sync,
            "lastError": self.last_error,
            "backfill": {"total": self.backfill_total, "done": self.backfill_done},
        }


class PeerStore:
    """Reads and writes of ``peers``; every write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def all(self) -> list[Peer]:
        """Every peer, by origin."""
        return [Peer(**dict(row)) for row in await self.db.all("SELECT * FROM peers ORDER BY origin")]

    async def actors(self) -> list[str]:
        """The instance actors of every peer, sorted."""
        return [str(row[0]) for row in await self.db.all("SELECT actor FROM peers ORDER BY actor")]

    async def find(self, actor: str, origin: str) -> Peer | None:
        """The peer whose instance actor is ``actor`` or whose origin is ``origin``, or None."""
        row = await self.db.one("SELECT * FROM peers WHERE actor = ? OR origin = ?", (actor, origin))
        return Peer(**dict(row)) if row else None

    async def origins(self) -> dict[str, str]:
        """``{origin: instance actor}`` of every peer."""
        return {row["origin"]: row["actor"] for row in await self.db.all("SELECT actor, origin FROM peers")}

    async def add(self, *, actor: str, origin: str, inbox: str, profiles: str | None, follow_id: str) -> None:
        """Record a peer (or renew its inbox, profiles collection and follow). Adding a peer again starts its
        backfill's progress and clears its last error (the resync that follows tells anew); the time of its
        last complete sync stays until a newer one."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO peers (actor, origin, inbox, profiles, follow_id, added) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (actor) DO UPDATE SET inbox = excluded.inbox, profiles = excluded.profiles,"
                " follow_id = excluded.follow_id, backfill_total = 0, backfill_done = 0, last_error = NULL",
                (actor, origin, inbox, profiles, follow_id, utc_now()),
            )

    async def remove(self, actor: str) -> None:
        """Forget a peer and the instance actor's follow of it, in one transaction."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM peers WHERE actor = ?", (actor,))
            await connection.execute("DELETE FROM following WHERE local = '' AND actor = ?", (actor,))

    async def set_follow_id(self, actor: str, follow_id: str) -> None:
        """Record the id of the instance actor's (new) follow of a peer."""
        async with self.db.transaction() as connection:
            await connection.execute("UPDATE peers SET follow_id = ? WHERE actor = ?", (follow_id, actor))

    async def note_progress(
        self,
        actor: str,
        *,
        total: int | None = None,
        done: int | None = None,
        synced: bool = False,
        error: str | None = None,
    ) -> None:
        """Record a resync's progress in one transaction: profiles listed, profiles handled, a finished sync
        (clears the last error), or an error (kept to 500 characters)."""
        async with self.db.transaction() as connection:
            if total is not None:
                await connection.execute("UPDATE peers SET backfill_total = ? WHERE actor = ?", (total, actor))
            if done is not None:
                await connection.execute("UPDATE peers SET backfill_done = ? WHERE actor = ?", (done, actor))
            if synced:
                await connection.execute(
                    "UPDATE peers SET last_sync = ?, last_error = NULL WHERE actor = ?", (utc_now(), actor)
                )
            if error is not None:
                await connection.execute(
                    "UPDATE peers SET last_error = ? WHERE actor = ?", (storable_text(error[:500]), actor)
                )
