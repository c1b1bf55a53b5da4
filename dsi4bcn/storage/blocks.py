"""Blocked domains in SQLite, and what a block purges from every other table in the same transaction.

A block removes everything the node holds from or for the domain and its subdomains: follows both ways,
queued deliveries, activities received but not processed yet (marked refused), cached actors and keys,
and received profiles (deleted outright, without a tombstone, so that a resync after unblocking fetches
them again). Hosts are compared in the canonical form of ``federation.hosts.normalise_host``.
"""

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

from dsi4bcn.storage.database import Connection, Database
from dsi4bcn.storage.graphstate import mark_unsynced
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.mediastore import drop_profile_images_in
from federation.hosts import HostError, domains_of, host_in_domain, normalise_host, url_host

__all__ = ["BlockPurge", "BlockedDomains", "blocked_domains_in", "blocked_url", "normalise_domain"]


def normalise_domain(text: str) -> str | None:
    """A domain as blocks store it (``federation.hosts.normalise_host``'s form), or None if it has none."""
    try:
        return normalise_host(text.strip())
    except HostError:
        return None


def blocked_url(url: str, domains: Collection[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or below one; a URL without a usable host counts."""
    try:
        host = url_host(url)
    except HostError:
        return True
    return any(domain in domains for domain in domains_of(host))


async def blocked_domains_in(connection: Connection) -> list[str]:
    """Inside a transaction: the blocked domains, so that a write can skip them even while a block is being
    written (the in-memory list may not be loaded in that process, and this cannot race the block)."""
    async with connection.execute("SELECT domain FROM blocked_domains") as cursor:
        return [normalise_domain(str(row[0])) or str(row[0]) async for row in cursor]


@dataclass(frozen=True)
class BlockPurge:
    """What a block removed."""

    new: bool
    followers: int = 0
    following: int = 0
    deliveries: int = 0
    activities: int = 0
    actors: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Counts, as the admin API shows them."""
        return {field.name: _count(getattr(self, field.name)) for field in fields(self) if field.name != "new"}


def _count(value: int | tuple[str, ...]) -> int:
    return value if isinstance(value, int) else len(value)


def _inside(url: str, domain: str) -> bool:
    try:
        return host_in_domain(url_host(url), domain)
    except HostError:
        return False


async def _matching(connection: Connection, query: str, domain: str) -> list[Any]:
    """The first column of the rows of ``query`` whose second column (a URL) is inside ``domain``."""
    async with connection.execute(query) as cursor:
        return [row[0] async for row in cursor if _inside(str(row[1]), domain)]


async def _delete(connection: Connection, table: str, column: str, values: list[Any]) -> None:
    await connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(v,) for v in values])  # noqa: S608


async def _purge(connection: Connection, domain: str, new: bool) -> BlockPurge:
    followers = await _matching(connection, "SELECT DISTINCT actor, actor FROM followers", domain)
    await _delete(connection, "followers", "actor", followers)
    following = await _matching(connection, "SELECT DISTINCT actor, actor FROM following", domain)
    await _delete(connection, "following", "actor", following)
    deliveries = await _matching(connection, "SELECT id, inbox FROM deliveries", domain)
    await _delete(connection, "deliveries", "id", deliveries)
    waiting = await _matching(connection, "SELECT seq, actor FROM inbox WHERE processed IS NULL", domain)
    await connection.executemany(
        "UPDATE inbox SET processed = ?, outcome = 'refused: the domain is blocked' WHERE seq = ?",
        [(utc_now(), seq) for seq in waiting],
    )
    actors = await _matching(connection, "SELECT id, id FROM remote_actors", domain)
    keys = await _matching(connection, "SELECT key_id, key_id FROM remote_keys", domain)
    await _delete(connection, "remote_keys", "key_id", keys)
    await _delete(connection, "remote_keys", "owner", actors)
    await _delete(connection, "remote_actors", "id", actors)
    # Received profiles go without a tombstone (which would make the same version count as stale when it
    # is fetched again); tombstones of profiles erased before stay, holding only an IRI and a time.
    profiles = await _matching(connection, "SELECT actor, actor FROM remote_profiles WHERE deleted IS NULL", domain)
    await _delete(connection, "remote_profiles", "actor", profiles)
    await drop_profile_images_in(connection, profiles)
    await mark_unsynced(connection, profiles)
    return BlockPurge(
        new, len(followers), len(following), len(deliveries), len(waiting), tuple(actors), tuple(profiles)
    )


class BlockedDomains:
    """The ``blocked_domains`` table; a block and its purge are one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def rows(self) -> list[tuple[str, str, str]]:
        """``(domain, reason, created)`` of every blocked domain, by domain."""
        rows = await self.db.all("SELECT domain, reason, created FROM blocked_domains ORDER BY domain")
        return [(row["domain"], row["reason"], row["created"]) for row in rows]

    async def block(self, domain: str, reason: str = "") -> BlockPurge:
        """Record a block of a normalised domain and purge what is held from and for it, in one transaction
        (``new`` says whether the domain was not blocked yet)."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO blocked_domains (domain, reason, created) VALUES (?, ?, ?)",
                (domain, reason, utc_now()),
            )
            return await _purge(connection, domain, cursor.rowcount == 1)

    async def unblock(self, domain: str) -> bool:
        """Remove a block; whether the domain was blocked."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute("DELETE FROM blocked_domains WHERE domain = ?", (domain,))
        return cursor.rowcount == 1
