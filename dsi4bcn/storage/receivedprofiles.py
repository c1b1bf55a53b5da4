"""Profiles received from peer nodes (table ``remote_profiles``): raw documents, their triples, tombstones.

The functions ending in ``_in`` run inside a caller's transaction, so that the check against what is
held, the write and the graph's sync mark are one transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from dsi4bcn.storage.database import Connection, Database
from dsi4bcn.storage.graphstate import mark_unsynced
from dsi4bcn.storage.mediastore import drop_profile_images_in

__all__ = [
    "HeldVersion",
    "NewProfile",
    "ReceivedDocument",
    "ReceivedProfile",
    "ReceivedProfiles",
    "erase_in",
    "held_versions_in",
    "write_profiles_in",
]


@dataclass(frozen=True)
class HeldVersion:
    """The version held of a profile: the origin's ``updated``, and when it was erased (None if live)."""

    updated: str
    deleted: str | None


@dataclass(frozen=True)
class NewProfile:
    """A checked profile to store: ``document`` is its JSON text, ``ntriples`` its triples."""

    actor: str
    peer: str
    document: str
    ntriples: str
    activity_id: str | None
    key_id: str | None
    received: str
    updated: str


@dataclass(frozen=True)
class ReceivedProfile:
    """A live received profile as the graph sync writes it: triples and provenance."""

    actor: str
    peer: str
    ntriples: str
    activity_id: str | None
    key_id: str | None
    received: str
    updated: str


@dataclass(frozen=True)
class ReceivedDocument:
    """A live received profile as its page shows it: the peer it came from, the document and its triples."""

    actor: str
    peer: str
    document: str
    ntriples: str
    received: str
    updated: str


async def held_versions_in(connection: Connection, actors: Sequence[str]) -> dict[str, HeldVersion]:
    """Inside a transaction: the held version (live or erased) of each of ``actors`` that has one."""
    marks = ", ".join("?" for _ in actors)
    query = f"SELECT actor, updated, deleted FROM remote_profiles WHERE actor IN ({marks})"  # noqa: S608
    async with connection.execute(query, list(actors)) as cursor:
        return {row["actor"]: HeldVersion(row["updated"], row["deleted"]) async for row in cursor}


async def write_profiles_in(connection: Connection, profiles: Sequence[NewProfile]) -> None:
    """Inside a transaction: store these profiles, replacing any version or tombstone held."""
    await connection.executemany(
        "INSERT INTO remote_profiles (actor, peer, document, ntriples, activity_id, key_id, received,"
        " updated, deleted, first_received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (actor) DO UPDATE"
        " SET peer = excluded.peer, document = excluded.document, ntriples = excluded.ntriples,"
        " activity_id = excluded.activity_id, key_id = excluded.key_id, received = excluded.received,"
        " updated = excluded.updated, deleted = NULL, first_received = CASE WHEN remote_profiles.deleted IS NULL"
        " THEN coalesce(remote_profiles.first_received, excluded.received) ELSE excluded.received END",
        [
            (p.actor, p.peer, p.document, p.ntriples, p.activity_id, p.key_id, p.received, p.updated, p.received)
            for p in profiles
        ],
    )


async def erase_in(connection: Connection, actor: str, peer: str, when: str, origin_time: str) -> None:
    """Inside a transaction: keep only a tombstone (so that an older copy cannot come back), no document,
    no triples.

    ``when`` is the local time (``received``, ``deleted``); ``origin_time`` (``updated``) is the origin's,
    the only one a later version is compared with.
    """
    await connection.execute(
        "INSERT INTO remote_profiles (actor, peer, document, ntriples, received, updated, deleted, first_received)"
        " VALUES (?, ?, NULL, NULL, ?, ?, ?, ?) ON CONFLICT (actor) DO UPDATE SET document = NULL, ntriples = NULL,"
        " activity_id = NULL, key_id = NULL, updated = excluded.updated, deleted = excluded.deleted",
        (actor, peer, when, origin_time, when, when),
    )


class ReceivedProfiles:
    """Reads of received profiles, and dropping a peer's profiles with their graphs' sync marks."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def holds(self, actor: str) -> bool:
        """Whether a live (not erased) profile of ``actor`` is held."""
        row = await self.db.one("SELECT 1 FROM remote_profiles WHERE actor = ? AND deleted IS NULL", (actor,))
        return row is not None

    async def held(self, peer: str) -> dict[str, str]:
        """``{actor: updated}`` of the live profiles held from ``peer``."""
        rows = await self.db.all(
            "SELECT actor, updated FROM remote_profiles WHERE peer = ? AND deleted IS NULL", (peer,)
        )
        return {row["actor"]: row["updated"] for row in rows}

    async def remove_peer(self, peer: str) -> list[str]:
        """Drop every profile (and tombstone) received from ``peer`` and mark their graphs unsynced, in one
        transaction; the actors dropped."""
        async with self.db.transaction() as connection:
            async with connection.execute("SELECT actor FROM remote_profiles WHERE peer = ?", (peer,)) as cursor:
                actors = [row[0] async for row in cursor]
            await connection.execute("DELETE FROM remote_profiles WHERE peer = ?", (peer,))
            await drop_profile_images_in(connection, actors)
            await mark_unsynced(connection, actors)
        return actors

    async def live(self, actors: Sequence[str]) -> dict[str, ReceivedProfile]:
        """The live received profiles among ``actors``, read in one query."""
        marks = ", ".join("?" for _ in actors)
        query = (
            "SELECT actor, peer, ntriples, activity_id, key_id, received, updated FROM remote_profiles"  # noqa: S608
            f" WHERE deleted IS NULL AND actor IN ({marks})"
        )
        return {
            row["actor"]: ReceivedProfile(
                row["actor"],
                row["peer"],
                row["ntriples"],
                row["activity_id"],
                row["key_id"],
                row["received"],
                row["updated"],
            )
            for row in await self.db.all(query, actors)
        }

    async def document(self, actor: str) -> ReceivedDocument | None:
        """The live received profile of ``actor`` with its document, or None if none is held."""
        row = await self.db.one(
            "SELECT actor, peer, document, ntriples, received, updated FROM remote_profiles"
            " WHERE actor = ? AND deleted IS NULL",
            (actor,),
        )
        if row is None:
            return None
        return ReceivedDocument(
            row["actor"], row["peer"], row["document"], row["ntriples"] or "", row["received"], row["updated"]
        )

    async def ntriples(self, actor: str) -> str | None:
        """The triples of ``actor``'s live profile, or None if none is held."""
        row = await self.db.one("SELECT ntriples FROM remote_profiles WHERE actor = ? AND deleted IS NULL", (actor,))
        return str(row[0]) if row else None

    async def page(self, after: str, limit: int) -> list[tuple[str, str]]:
        """``(actor, ntriples)`` of up to ``limit`` live profiles whose actors sort after ``after``, in order."""
        rows = await self.db.all(
            "SELECT actor, ntriples FROM remote_profiles WHERE deleted IS NULL AND actor > ? ORDER BY actor LIMIT ?",
            (after, limit),
        )
        return [(str(row[0]), str(row[1])) for row in rows]
