"""Persistent state of local actors in SQLite: profiles, key pairs, timestamps, tombstones.

Every write is one transaction, made only after the caller has validated the whole profile, so a request
either changes everything it asked for or nothing.
"""

import asyncio
import builtins
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from dsi4bcn.i18n import Phrase
from dsi4bcn.profiles.actorrecords import ActorRecord, InstanceRecord
from dsi4bcn.profiles.validation import Kind
from dsi4bcn.storage.database import Connection, Database
from federation.keys import generate_key_pair
from federation.types import KeyPair

__all__ = ["Conflict", "ProfileStore", "WriteHook", "later_than", "utc_now"]

# Runs inside a profile write's transaction: (connection, new record, created).
WriteHook = Callable[[Connection, ActorRecord, bool], Awaitable[None]]


def utc_now() -> str:
    """The current time as an ActivityStreams ``xsd:dateTime`` (UTC, seconds, ``Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def later_than(previous: str | None) -> str:
    """Now, or one second after ``previous`` when now is not later.

    A profile's ``updated`` is its version: peers keep the newer of two versions and take an equal one
    for the copy they hold. Timestamps have whole seconds, so without this an edit made in the same
    second as the one before would never reach them.
    """
    now = utc_now()
    if previous is None or now > previous:
        return now
    moment = datetime.fromisoformat(previous.replace("Z", "+00:00")) + timedelta(seconds=1)
    return moment.isoformat().replace("+00:00", "Z")


class Conflict(Exception):
    """A write that contradicts the stored state (slug of another kind, deleted, still in use)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _canonical_json(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def _retired(text: str | None) -> tuple[tuple[int, str], ...]:
    """The retired keys still published, newest first, from the JSON the query makes of them."""
    pairs = [(int(number), str(pem)) for number, pem in json.loads(text or "[]")]
    return tuple(sorted(pairs, reverse=True))


def _record(row: aiosqlite.Row) -> ActorRecord:
    return ActorRecord(
        kind=row["kind"],
        slug=row["slug"],
        organisation=row["organisation"],
        fields=json.loads(row["profile"]),
        public_key_pem=row["public_key_pem"],
        published=row["published"],
        updated=row["updated"],
        deleted=row["deleted"],
        key_number=row["key_number"],
        retired_keys=_retired(row["retired"]),
    )


# The retired keys still in their grace period come with the actor (migration 0015, docs/key-rotation.md).
_RETIRED = (
    "SELECT json_group_array(json_array(number, public_key_pem)) FROM retired_keys"
    " WHERE retired_keys.local = {local} AND dropped IS NULL"
)
_COLUMNS = (
    "slug, kind, organisation, profile, public_key_pem, published, updated, deleted, key_number,"
    f" ({_RETIRED.format(local='actors.slug')}) AS retired"
)


class ProfileStore:
    """Organisations, projects and the instance actor, kept in the node's database."""

    def __init__(self, database: Database) -> None:
        self._db = database
        # Serialises read-check-write sequences (the database lock only covers one transaction).
        self._write_lock = asyncio.Lock()
        # Bumped on every change, so that rendered documents (and records below) can be cached safely.
        self.generation = 0
        self._records: dict[str, ActorRecord | None] = {}
        self._records_generation = -1

    @property
    def write_lock(self) -> asyncio.Lock:
        """The lock every read-check-write of actors holds (a key rotation takes it too)."""
        return self._write_lock

    def changed(self) -> None:
        """Note a change made outside this class (a key rotation): cached records and documents go."""
        self.generation += 1

    async def record_in(self, connection: Connection, slug: str) -> ActorRecord:
        """Inside a transaction: the actor ``slug`` as it stands (it must exist)."""
        return await self._get(connection, slug)

    async def instance_in(self, connection: Connection) -> InstanceRecord:
        """Inside a transaction: the instance actor as it stands (it must exist)."""
        names = ("instance_public_key_pem", "instance_created", "instance_key_number")
        async with connection.execute("SELECT name, value FROM node_settings WHERE name IN (?, ?, ?)", names) as cursor:
            settings = {str(row[0]): str(row[1]) for row in await cursor.fetchall()}
        async with connection.execute(_RETIRED.format(local="''")) as cursor:
            row = await cursor.fetchone()
        return InstanceRecord(
            settings["instance_public_key_pem"],
            settings["instance_created"],
            key_number=int(settings.get("instance_key_number", 1)),
            retired_keys=_retired(row[0] if row else None),
        )

    async def _instance_record(self) -> InstanceRecord | None:
        settings = await self._settings("instance_public_key_pem", "instance_created", "instance_key_number")
        if "instance_public_key_pem" not in settings or "instance_created" not in settings:
            return None
        row = await self._db.one(_RETIRED.format(local="''"))
        return InstanceRecord(
            settings["instance_public_key_pem"],
            settings["instance_created"],
            key_number=int(settings.get("instance_key_number", 1)),
            retired_keys=_retired(row[0] if row else None),
        )

    async def instance(self) -> InstanceRecord:
        """The instance actor, created with a fresh key pair on first use."""
        known = await self._instance_record()
        if known is not None:
            return known
        async with self._write_lock:
            known = await self._instance_record()
            if known is not None:
                return known
            keys = await asyncio.to_thread(generate_key_pair)
            created = utc_now()
            async with self._db.transaction() as connection:
                await connection.executemany(
                    "INSERT INTO node_settings (name, value) VALUES (?, ?)",
                    [
                        ("instance_private_key_pem", keys.private_pem),
                        ("instance_public_key_pem", keys.public_pem),
                        ("instance_created", created),
                    ],
                )
            self.generation += 1
            return InstanceRecord(keys.public_pem, created)

    async def _settings(self, *names: str) -> dict[str, str]:
        marks = ", ".join("?" for _ in names)
        rows = await self._db.all(f"SELECT name, value FROM node_settings WHERE name IN ({marks})", names)  # noqa: S608
        return {row["name"]: row["value"] for row in rows}

    async def get(self, slug: str) -> ActorRecord | None:
        """The actor with this slug, deleted or not, or None (kept in memory until the next write)."""
        if self._records_generation != self.generation:
            self._records.clear()
            self._records_generation = self.generation
        if slug in self._records:
            return self._records[slug]
        generation = self.generation
        row = await self._db.one(f"SELECT {_COLUMNS} FROM actors WHERE slug = ?", (slug,))  # noqa: S608
        record = _record(row) if row else None
        if generation == self.generation and len(self._records) < 10_000:
            self._records[slug] = record
        return record

    async def list(self, kind: Kind, organisation: str | None = None) -> list[ActorRecord]:
        """Live actors of one kind (optionally of one organisation), by slug."""
        query = f"SELECT {_COLUMNS} FROM actors WHERE kind = ? AND deleted IS NULL"  # noqa: S608
        params: tuple[str, ...] = (kind,)
        if organisation is not None:
            query += " AND organisation = ?"
            params = (kind, organisation)
        return [_record(row) for row in await self._db.all(query + " ORDER BY slug", params)]

    async def all_records(self) -> "builtins.list[ActorRecord]":
        """Every organisation and project, deleted ones included, by slug."""
        rows = await self._db.all(f"SELECT {_COLUMNS} FROM actors ORDER BY slug")  # noqa: S608
        return [_record(row) for row in rows]

    async def count(self, kind: Kind) -> int:
        """How many live actors of one kind there are."""
        row = await self._db.one("SELECT count(*) FROM actors WHERE kind = ? AND deleted IS NULL", (kind,))
        return int(row[0]) if row else 0

    async def put(
        self,
        kind: Kind,
        slug: str,
        fields: Mapping[str, Any],
        organisation: str | None,
        then: WriteHook | None = None,
        keys: KeyPair | None = None,
    ) -> tuple[ActorRecord, bool]:
        """Create or replace a profile; return it and whether it was created.

        Raises ``Conflict`` if the slug belongs to an actor of the other kind or to a deleted one.
        Writing the same profile again changes nothing (``updated`` is kept). ``then`` runs inside the
        same transaction with the new record (to queue the activities that announce the change). A new
        actor gets ``keys``, or a key pair made here, before the write lock is taken: making one takes a
        good part of a second of CPU, and other writes need not wait for it.
        """
        if keys is None and await self.get(slug) is None:
            keys = await asyncio.to_thread(generate_key_pair)
        async with self._write_lock:
            existing = await self.get(slug)
            if existing is not None and existing.deleted:
                raise Conflict("slug_deleted", value=slug)
            if existing is not None and existing.kind != kind:
                raise Conflict("slug_taken", value=slug, kind=Phrase(existing.kind))
            if (
                existing is not None
                and dict(existing.fields) == dict(fields)
                and (existing.organisation == organisation)
            ):
                return existing, False
            now = later_than(existing.updated if existing is not None else None)
            profile = _canonical_json(fields)
            if existing is None and keys is None:  # it was there at the look above, and is gone now
                keys = await asyncio.to_thread(generate_key_pair)
            async with self._db.transaction() as connection:
                if existing is None and keys is not None:
                    await connection.execute(
                        "INSERT INTO actors (slug, kind, organisation, profile, private_key_pem,"
                        " public_key_pem, published, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (slug, kind, organisation, profile, keys.private_pem, keys.public_pem, now, now),
                    )
                else:
                    await connection.execute(
                        "UPDATE actors SET organisation = ?, profile = ?, updated = ? WHERE slug = ?",
                        (organisation, profile, now, slug),
                    )
                record = await self._get(connection, slug)
                if then is not None:
                    await then(connection, record, existing is None)
            self.generation += 1
            return record, existing is None

    async def delete(self, kind: Kind, slug: str, then: WriteHook | None = None) -> ActorRecord | None:
        """Mark a profile deleted (its URL then answers 410); None if there is no such live profile.

        An organisation that still has live projects cannot be deleted (``Conflict``).
        """
        async with self._write_lock:
            existing = await self.get(slug)
            if existing is None or existing.kind != kind or existing.deleted:
                return None
            if kind == "organisation":
                projects = await self.list("project", organisation=slug)
                if projects:
                    raise Conflict("has_projects", value=", ".join(p.slug for p in projects))
            now = later_than(existing.updated)
            async with self._db.transaction() as connection:
                await connection.execute("UPDATE actors SET deleted = ?, updated = ? WHERE slug = ?", (now, now, slug))
                record = await self._get(connection, slug)
                if then is not None:
                    await then(connection, record, False)
            self.generation += 1
            return record

    async def _get(self, connection: aiosqlite.Connection, slug: str) -> ActorRecord:
        async with connection.execute(f"SELECT {_COLUMNS} FROM actors WHERE slug = ?", (slug,)) as cursor:  # noqa: S608
            row = await cursor.fetchone()
        assert row is not None
        return _record(row)

    async def private_key_pem(self, slug: str) -> str:
        """The private key of a local actor (``''`` names the instance actor); KeyError if none."""
        if slug == "":
            row = await self._db.one("SELECT value FROM node_settings WHERE name = 'instance_private_key_pem'")
        else:
            row = await self._db.one("SELECT private_key_pem FROM actors WHERE slug = ?", (slug,))
        if row is None:
            raise KeyError(slug)
        return str(row[0])
