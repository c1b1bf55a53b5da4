"""How big the graph is, counted in the background and read from memory.

Counting every quad is a scan of the store: milliseconds for a community node, 50 s for an aggregator of a
million profiles (``len()`` of the embedded store, and its named graphs), too slow for a status page or a
VoID description, and, past the graph process's limit, a restart that stops every query. So one supervised
loop counts after the sync writes, pausing between counts ten times as long as the last one took (at
least 0.1 s), and the status and VoID read the last count with when it was made (``Counted``). A reader of
a small graph (its last count took under a second) waits for the count that follows the latest change,
cutting that pause short, so that a community node's status is exact; a large one's is as of
``Counted.at``.
"""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from dsi4bcn.graph.process import GraphError, QueryTimeout
from dsi4bcn.graph.store import GraphStore

__all__ = ["Counted", "GraphCounts"]

log = logging.getLogger(__name__)

_LIMIT = 600.0  # a count that takes longer is given up (and the embedded store's process restarted)
_RETRY = 30.0  # after a failed count (an external store down)
_QUICK = 1.0  # seconds: a graph counted this fast is counted again for a reader after a change


@dataclass(frozen=True)
class Counted:
    """A count of the store: triples and named graphs, when it ended (Unix time), how long it took, and
    the number of changes it includes (``GraphCounts.changed`` calls before it began)."""

    triples: int
    graphs: int
    at: float
    seconds: float
    changes: int


class GraphCounts:
    """The latest count of ``store``; ``run`` keeps it current, ``changed`` asks for another."""

    def __init__(self, store: GraphStore, *, least_wait: float = 0.1, spacing: float = 10.0) -> None:
        self._store = store
        self._least_wait = least_wait
        self._spacing = spacing
        self._latest: Counted | None = None
        self._changes = 1  # the state at start is a change: counted first
        self._wanted = asyncio.Event()
        self._wanted.set()
        self._hurry = asyncio.Event()  # a reader waits for a quick count: end the pause
        self._done = asyncio.Event()  # set, and replaced, at the end of each count

    @property
    def latest(self) -> Counted | None:
        """The last count made, or None before the first one ends."""
        return self._latest

    async def current(self, wait: float) -> Counted | None:
        """The last count; waiting up to ``wait`` seconds for the first one, or, for a graph counted in under
        a second, for one that includes every change so far. None if no count ended in time."""
        changes = self._changes
        deadline = time.monotonic() + wait
        while (latest := self._latest) is None or (latest.changes < changes and latest.seconds < _QUICK):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if latest is not None:
                self._hurry.set()
            try:
                await asyncio.wait_for(self._done.wait(), left)
            except TimeoutError:
                break
        return self._latest

    async def changed(self, _graphs: list[str] | None = None) -> None:
        """The graph sync wrote graphs: count again when the loop may (a ``GraphSync.on_written`` listener)."""
        self._changes += 1
        self._wanted.set()

    async def run(self) -> None:
        """Count whenever asked, spaced by the time counts take; until cancelled."""
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            changes, started = self._changes, time.monotonic()
            try:
                stats = await self._store.stats(limit=_LIMIT)
            except (GraphError, QueryTimeout) as error:
                log.warning("counting the graph failed (%s); trying again in %g s", error, _RETRY)
                self._wanted.set()
                await asyncio.sleep(_RETRY)
                continue
            took = time.monotonic() - started
            self._latest = Counted(stats["triples"], stats["graphs"], time.time(), took, changes)
            done, self._done = self._done, asyncio.Event()
            done.set()
            self._hurry.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), max(self._least_wait, self._spacing * took))
