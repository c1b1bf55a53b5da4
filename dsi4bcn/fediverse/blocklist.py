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

from dsi4bcn.storage.blocks import BlockedDomains, BlockPurge, blocked_url, normalise_domain
from dsi4bcn.storage.database import Database
from federation.hosts import HostError, domains_of, normalise_host

# BlockPurge, blocked_url and normalise_domain live with the table (storage.blocks); offered here too, as
# the domain-block side of the node.
__all__ = ["BlockPurge", "Blocklist", "blocked_url", "normalise_domain"]


class Blocklist:
    """Which domains (and their subdomains) the node refuses to talk to."""

    def __init__(self, database: Database) -> None:
        self._table = BlockedDomains(database)
        self._domains: set[str] = set()

    async def load(self) -> None:
        """Read the blocked domains from the database (in the canonical form, whatever wrote them)."""
        self._domains = {normalise_domain(domain) or domain for domain, _, _ in await self.rows()}

    async def rows(self) -> list[tuple[str, str, str]]:
        """``(domain, reason, created)`` of every blocked domain."""
        return await self._table.rows()

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
            return await self._table.block(domain, reason)
        except BaseException:
            if not known:
                self._domains.discard(domain)
            raise

    async def unblock(self, domain: str) -> bool:
        """Unblock a domain; whether it was blocked."""
        unblocked = await self._table.unblock(domain)
        self._domains.discard(domain)
        return unblocked
