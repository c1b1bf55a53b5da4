"""Confirm at the origin the deletions the inbox cannot verify, and erase what the origin says is gone.

A profile aggregated by backfill or resync was never fetched as an actor, so its key is unknown; once its
origin deleted it, the key cannot be fetched either (the actor answers 410). Its signed self-``Delete``
therefore cannot be verified, and its body is never trusted. The origin is authoritative instead: the actor
is fetched from its own URL (a signed GET by the instance actor) and erased only if that answers 410 or 404.
An actor that still answers 200 is alive (the ``Delete`` was forged or replayed), and any other answer
(timeout, 5xx) leaves the profile to the next resync. Only profiles held from a peer are looked up, at most
one check runs per actor at once, and an actor found alive is not fetched again for a while, so forged
``Delete``s cannot make the node fetch at will.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from federation.errors import ActivityError, FetchError

__all__ = ["DeletionCheck"]

log = logging.getLogger(__name__)
_GONE = frozenset({404, 410})
_ALIVE_FOR = 60.0  # seconds an actor found alive is not fetched again


class DeletionCheck:
    """Fetches the actors of unverifiable self-``Delete``s from their origin; erases those that are gone."""

    def __init__(
        self,
        directory: RemoteDirectory,
        ingestor: Ingestor,
        peer_for: Callable[[str], Awaitable[str | None]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = directory
        self._ingestor = ingestor
        self._peer_for = peer_for
        self._clock = clock
        self._running: dict[str, asyncio.Task[bool]] = {}
        self._alive: dict[str, float] = {}

    def confirm(self, actor: str) -> asyncio.Task[bool] | None:
        """Check ``actor`` at its origin in the background (unless a check is running or it was just found
        alive); the task answers whether a profile was erased."""
        running = self._running.get(actor)
        if running is not None and not running.done():
            return running
        seen = self._alive.get(actor)
        if seen is not None and self._clock() - seen < _ALIVE_FOR:
            return None
        task = asyncio.create_task(self._confirm(actor), name=f"confirm deletion of {actor}")
        self._running[actor] = task
        task.add_done_callback(lambda _done: self._running.pop(actor, None))
        return task

    async def stop(self) -> None:
        """Cancel the checks still running (the next resync covers them)."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _confirm(self, actor: str) -> bool:
        peer = await self._peer_for(actor)
        if peer is None or not await self._ingestor.holds(actor):
            return False  # nothing of it is held: nothing to erase, and nothing is fetched
        try:
            await self._directory.fetch_actor(actor)
        except FetchError as error:
            if error.status in _GONE:
                erased = await self._ingestor.erase(actor, peer=peer)
                log.info("%s answered %s at its origin: profile erased (%s)", actor, error.status, erased)
                return erased
            log.info("cannot confirm the deletion of %s at its origin: %s", actor, error)
            return False
        except ActivityError as error:
            log.info("cannot confirm the deletion of %s at its origin: %s", actor, error)
            return False
        self._alive[actor] = self._clock()
        if len(self._alive) > 10_000:
            self._alive.clear()
        log.info("ignored a Delete of %s: it still answers at its origin", actor)
        return False
