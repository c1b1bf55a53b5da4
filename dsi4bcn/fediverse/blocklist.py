"""Blocked domains: held in memory for the fast checks, kept in SQLite, and what a block removes there.

A block works as Mastodon's "suspend" domain block does (``app/services/block_domain_service.rb``): the
domain and its subdomains are refused everywhere (inbox, signed GETs, peering, following), and in the same
transaction as the block row, everything the node holds from or for them goes: follows both ways, queued
deliveries, activities received but not processed yet, cached actors and keys, and aggregated profiles
(deleted outright, without the tombstone an erasure leaves, so that a resync after unblocking fetches them
again). Hosts are compared in the one canonical form of ``federation.hosts.normalise_host``, so ``ｌｏｃａｌｈｏｓｔ``,
``localhost.`` and ``LOCALHOST`` are the blocked ``localhost``; a host that has no canonical form counts as
blocked.
"""

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

import aiosqlite

from dsi4bcn.graph.sync import mark_unsynced
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.localactors import utc_now
from federation.hosts import HostError, domains_of, host_in_domain, normalise_host, url_host

__all__ = ["BlockPurge", "Blocklist", "blocked_domains_in", "blocked_url", "normalise_domain"]


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


async def blocked_domains_in(connection: aiosqlite.Connection) -> list[str]:
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


async def _matching(connection: aiosqlite.Connection, query: str, domain: str) -> list[Any]:
    """The first column of the rows of ``query`` whose second column (a URL) is inside ``domain``."""
    async with connection.execute(query) as cursor:
        return [row[0] async for row in cursor if _inside(str(row[1]), domain)]


async def _delete(connection: aiosqlite.Connection, table: str, column: str, values: list[Any]) -> None:
    await connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(v,) for v in values])  # noqa: S608


async def _purge(connection: aiosqlite.Connection, domain: str, new: bool) -> BlockPurge:
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
    await mark_unsynced(connection, profiles)
    return BlockPurge(
        new, len(followers), len(following), len(deliveries), len(waiting), tuple(actors), tuple(profiles)
    )


class Blocklist:
    """Which domains (and their subdomains) the node refuses to talk to."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._domains: set[str] = set()

    async def load(self) -> None:
        """Read the blocked domains from the database (in the canonical form, whatever wrote them)."""
        self._domains = {normalise_domain(domain) or domain for domain, _, _ in await self.rows()}

    async def rows(self) -> list[tuple[str, str, str]]:
        """``(domain, reason, created)`` of every blocked domain."""
        rows = await self._db.all("SELECT domain, reason, created FROM blocked_domains ORDER BY domain")
        return [(row["domain"], row["reason"], row["created"]) for row in rows]

    def is_blocked(self, host: str) -> bool:
        """Whether ``host`` (as written in a URL, any spelling) is a blocked domain or below one.

        A host with no canonical form counts as blocked: nothing is ever sent to or accepted from it.
        """
        try:
            canonical = normalise_host(host)
        except HostError:
            return True
        return any(domain in self._domains for domain in domains_of(canonical))

    def is_blocked_url(self, url: str) -> bool:
        """``is_blocked`` for the host of ``url`` (a URL without a usable host counts as blocked)."""
        return blocked_url(url, self._domains)

    async def block(self, domain: str, reason: str = "") -> BlockPurge:
        """Block a normalised domain and purge what the node holds from and for it, in one transaction.

        The domain is refused in memory before the transaction starts, so that nothing checked against the
        list can slip in between the purge and the end of the block.
        """
        known = domain in self._domains
        self._domains.add(domain)
        try:
            async with self._db.transaction() as connection:
                cursor = await connection.execute(
                    "INSERT OR IGNORE INTO blocked_domains (domain, reason, created) VALUES (?, ?, ?)",
                    (domain, reason, utc_now()),
                )
                return await _purge(connection, domain, cursor.rowcount == 1)
        except BaseException:
            if not known:
                self._domains.discard(domain)
            raise

    async def unblock(self, domain: str) -> bool:
        """Unblock a domain; whether it was blocked."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute("DELETE FROM blocked_domains WHERE domain = ?", (domain,))
        self._domains.discard(domain)
        return cursor.rowcount == 1
