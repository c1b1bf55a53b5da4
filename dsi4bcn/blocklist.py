"""Blocked domains, held in memory for the inbox's fast check and kept in SQLite."""

from dsi4bcn.fedstore import FederationStore

__all__ = ["Blocklist", "normalise_domain"]


def normalise_domain(text: str) -> str | None:
    """A lower-case domain name (IDNA-encoded), or None if ``text`` is not one."""
    candidate = text.strip().lower().rstrip(".")
    try:
        encoded = candidate.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = encoded.split(".")
    if not encoded or len(encoded) > 253 or any(not label or len(label) > 63 for label in labels):
        return None
    if not all(c.isalnum() or c == "-" for label in labels for c in label):
        return None
    return encoded


class Blocklist:
    """Which domains (and their subdomains) the node refuses to talk to."""

    def __init__(self, store: FederationStore) -> None:
        self._store = store
        self._domains: set[str] = set()

    async def load(self) -> None:
        """Read the blocked domains from the database."""
        self._domains = {domain for domain, _, _ in await self._store.blocked_domains()}

    def is_blocked(self, host: str) -> bool:
        """Whether ``host`` is a blocked domain or below one."""
        if not self._domains or not host:
            return False
        labels = host.lower().split(".")
        return any(".".join(labels[start:]) in self._domains for start in range(len(labels)))

    async def block(self, domain: str, reason: str = "") -> bool:
        """Block a domain (dropping follows from and to it); whether it was new."""
        new = await self._store.block(domain, reason)
        self._domains.add(domain)
        return new

    async def unblock(self, domain: str) -> bool:
        """Unblock a domain; whether it was blocked."""
        removed = await self._store.unblock(domain)
        self._domains.discard(domain)
        return removed
