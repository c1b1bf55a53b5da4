"""Key rotation in SQLite: a local actor's (or the instance actor's) key replaced, the old one retired.

A rotation is one transaction: the old key pair goes to ``retired_keys`` with the end of its grace period,
the new one takes its place with the next key number, and the caller's ``announce`` queues the ``Update``
in the same transaction (its id is kept, so that the deliverer signs it with the old key). When the grace
period ends, ``drop`` marks the retired key dropped (no longer published), erases its private key and lets
the caller queue a second ``Update`` without it. docs/key-rotation.md says why.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.storage.database import Connection, Database
from dsi4bcn.storage.localactors import ProfileStore, later_than, utc_now
from federation.types import KeyPair

__all__ = ["Announce", "KeyRotations", "RetiredKey", "Rotation", "SigningKey"]

# Inside the rotation's (or the drop's) transaction: queue the Update of the actor (its record, or None
# for the instance actor) and return the Update's id, or None if nobody was owed one.
Announce = Callable[[Connection, ActorRecord | None], Awaitable[str | None]]


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the actor (``''`` the instance actor), its old and new key numbers, the end
    of the old key's grace period (Unix seconds) and the ``Update`` that announced it (if any)."""

    local: str
    old_number: int
    new_number: int
    expires: float
    update_id: str | None


@dataclass(frozen=True)
class RetiredKey:
    """A retired key whose grace period has not been closed yet."""

    local: str
    number: int
    expires: float


@dataclass(frozen=True)
class SigningKey:
    """The key an activity must be signed with when it is not the actor's current one."""

    local: str
    number: int
    private_pem: str


class KeyRotations:
    """Rotations and retired keys of the node's actors."""

    def __init__(self, database: Database, profiles: ProfileStore) -> None:
        self._db = database
        self._profiles = profiles

    async def rotate(self, local: str, keys: KeyPair, *, grace: float, now: float, announce: Announce) -> Rotation:
        """Replace ``local``'s key pair with ``keys``; the old one stays published for ``grace`` seconds.

        Raises ``KeyError`` if there is no such live actor.
        """
        if local == "":
            await self._profiles.instance()  # made on first use, before the lock is taken
        async with self._profiles.write_lock:
            async with self._db.transaction() as connection:
                if local == "":
                    old_number, public_pem, private_pem = await _instance_keys(connection)
                    await _set_instance_keys(connection, keys, old_number + 1)
                else:
                    old_number, public_pem, private_pem = await _actor_keys(connection, local)
                    version = await _next_version(connection, local)
                    await connection.execute(
                        "UPDATE actors SET private_key_pem = ?, public_key_pem = ?, key_number = ?,"
                        " updated = ? WHERE slug = ?",
                        (keys.private_pem, keys.public_pem, old_number + 1, version, local),
                    )
                # Retired before the record is read, so that the announced document still lists the old key.
                await connection.execute(
                    "INSERT INTO retired_keys (local, number, public_key_pem, private_key_pem, retired, expires)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (local, old_number, public_pem, private_pem, utc_now(), now + grace),
                )
                record = await self._profiles.record_in(connection, local) if local else None
                update_id = await announce(connection, record)
                await connection.execute(
                    "UPDATE retired_keys SET update_id = ? WHERE local = ? AND number = ?",
                    (update_id, local, old_number),
                )
            self._profiles.changed()
        return Rotation(local, old_number, old_number + 1, now + grace, update_id)

    async def due(self, now: float) -> list[RetiredKey]:
        """Retired keys whose grace period is over but which are still published."""
        rows = await self._db.all(
            "SELECT local, number, expires FROM retired_keys WHERE dropped IS NULL AND expires <= ? ORDER BY expires",
            (now,),
        )
        return [RetiredKey(row["local"], row["number"], row["expires"]) for row in rows]

    async def next_expiry(self) -> float | None:
        """When the next grace period ends (Unix seconds), or None if no retired key is published."""
        row = await self._db.one("SELECT min(expires) FROM retired_keys WHERE dropped IS NULL")
        return float(row[0]) if row and row[0] is not None else None

    async def drop(self, key: RetiredKey, *, announce: Announce) -> None:
        """End ``key``'s grace period: no longer published, its private key erased, the actor's new
        document announced (its ``updated`` moved on, so that peers take it as a newer version)."""
        async with self._profiles.write_lock:
            async with self._db.transaction() as connection:
                await connection.execute(
                    "UPDATE retired_keys SET dropped = ?, private_key_pem = NULL WHERE local = ? AND number = ?",
                    (utc_now(), key.local, key.number),
                )
                record = None
                if key.local != "":
                    cursor = await connection.execute("SELECT deleted FROM actors WHERE slug = ?", (key.local,))
                    row = await cursor.fetchone()
                    if row is None or row[0] is not None:  # deleted meanwhile: nothing to announce
                        self._profiles.changed()
                        return
                    await connection.execute(
                        "UPDATE actors SET updated = ? WHERE slug = ?",
                        (await _next_version(connection, key.local), key.local),
                    )
                    record = await self._profiles.record_in(connection, key.local)
                await announce(connection, record)
            self._profiles.changed()

    async def signing_keys(self) -> dict[str, SigningKey]:
        """The ``Update``s that announce a rotation and are still to be signed with the retired key, by id."""
        rows = await self._db.all(
            "SELECT update_id, local, number, private_key_pem FROM retired_keys"
            " WHERE dropped IS NULL AND update_id IS NOT NULL AND private_key_pem IS NOT NULL"
        )
        return {row["update_id"]: SigningKey(row["local"], row["number"], row["private_key_pem"]) for row in rows}


async def _actor_keys(connection: Connection, slug: str) -> tuple[int, str, str]:
    cursor = await connection.execute(
        "SELECT key_number, public_key_pem, private_key_pem FROM actors WHERE slug = ? AND deleted IS NULL", (slug,)
    )
    row = await cursor.fetchone()
    if row is None:
        raise KeyError(slug)
    return int(row[0]), str(row[1]), str(row[2])


async def _next_version(connection: Connection, slug: str) -> str:
    cursor = await connection.execute("SELECT updated FROM actors WHERE slug = ?", (slug,))
    row = await cursor.fetchone()
    return later_than(row[0] if row else None)


async def _instance_keys(connection: Connection) -> tuple[int, str, str]:
    cursor = await connection.execute(
        "SELECT name, value FROM node_settings WHERE name IN"
        " ('instance_key_number', 'instance_public_key_pem', 'instance_private_key_pem')"
    )
    settings = {str(name): str(value) for name, value in await cursor.fetchall()}
    return (
        int(settings.get("instance_key_number", 1)),
        settings["instance_public_key_pem"],
        settings["instance_private_key_pem"],
    )


async def _set_instance_keys(connection: Connection, keys: KeyPair, number: int) -> None:
    await connection.executemany(
        "INSERT INTO node_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [
            ("instance_private_key_pem", keys.private_pem),
            ("instance_public_key_pem", keys.public_pem),
            ("instance_key_number", str(number)),
        ],
    )
