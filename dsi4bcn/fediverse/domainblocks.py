"""Blocking and unblocking a domain across the services that hold something of it."""

from collections.abc import Callable

from dsi4bcn.fediverse.blocklist import Blocklist, BlockPurge
from dsi4bcn.fediverse.peering import Peering
from dsi4bcn.fediverse.remoteactors import RemoteDirectory

__all__ = ["DomainBlocks"]


class DomainBlocks:
    """Blocks a domain in the blocklist and makes the directory, the peering and the graph sync follow."""

    def __init__(
        self,
        blocklist: Blocklist,
        directory: RemoteDirectory,
        peering: Peering,
        wake_graph_sync: Callable[[], None],
    ) -> None:
        self._blocklist = blocklist
        self._directory = directory
        self._peering = peering
        self._wake_graph_sync = wake_graph_sync

    async def block(self, domain: str, reason: str) -> BlockPurge:
        """Block a normalised domain: refuse it from now on and purge what is held from and for it (follows
        both ways, queued deliveries, unprocessed activities, cached actors and keys, aggregated profiles);
        running resyncs of its peers stop, and the graph drops the purged profiles."""
        purge = await self._blocklist.block(domain, reason)
        self._directory.forget_blocked(self._blocklist.is_blocked_url)
        self._peering.stop_blocked()
        if purge.profiles:
            self._wake_graph_sync()
        return purge

    async def unblock(self, domain: str) -> tuple[bool, list[str]]:
        """Unblock a domain; whether it was blocked, and the peers on it followed and resynced again."""
        if not await self._blocklist.unblock(domain):
            return False, []
        return True, await self._peering.resume()
