"""Remote actors and their public keys as last fetched (tables ``remote_actors`` and ``remote_keys``)."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsi4bcn.storage.database import Database, Row
from federation.activities import same_origin

__all__ = ["RemoteActor", "RemoteActorCache", "RemoteKey", "delivery_inbox"]


def delivery_inbox(actor: str, inbox: str, shared_inbox: str | None) -> str:
    """The shared inbox if it is on the actor's origin (rows stored before ``read_actor`` checked that
    included), else the actor's own inbox."""
    return shared_inbox if shared_inbox and same_origin(shared_inbox, actor) else inbox


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
        return delivery_inbox(self.id, self.inbox, self.shared_inbox)


@dataclass(frozen=True)
class RemoteKey:
    """A remote public key and the actor that owns it."""

    key_id: str
    owner: str
    public_key_pem: str
    fetched: str


def _actor(row: Row) -> RemoteActor:
    return RemoteActor(row["id"], row["inbox"], row["shared_inbox"], json.loads(row["document"]), row["fetched"])


class RemoteActorCache:
    """Fetched remote actors and keys; every write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def remember_actor(self, actor: RemoteActor, keys: Sequence[tuple[str, str]]) -> None:
        """Store a fetched actor and its public keys ``(key_id, pem)``, which replace those it had."""
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
            # The document is the actor's word on its keys: one it no longer lists (a rotated key whose
            # grace period ended) is forgotten, so that a signature made with it no longer verifies. A
            # document with no usable key at all changes none (some servers leave keys out of an Update).
            listed = [key_id for key_id, _pem in keys]
            if listed:
                marks = ", ".join("?" for _ in listed)
                await connection.execute(
                    f"DELETE FROM remote_keys WHERE owner = ? AND key_id NOT IN ({marks})",  # noqa: S608
                    (actor.id, *listed),
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

    async def keys_of(self, owner: str) -> set[tuple[str, str]]:
        """The stored keys of ``owner``, as ``(key_id, pem)``."""
        rows = await self.db.all("SELECT key_id, public_key_pem FROM remote_keys WHERE owner = ?", (owner,))
        return {(str(row[0]), str(row[1])) for row in rows}

    async def remove_actor(self, actor: str) -> None:
        """Forget everything about a deleted remote actor in one transaction: its cached keys and document,
        and its follows both ways."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM followers WHERE actor = ?", (actor,))
            await connection.execute("DELETE FROM following WHERE actor = ?", (actor,))
            await connection.execute("DELETE FROM remote_keys WHERE owner = ?", (actor,))
            await connection.execute("DELETE FROM remote_actors WHERE id = ?", (actor,))
