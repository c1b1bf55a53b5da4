"""Per-client query slots with a short waiting line, so that a burst waits instead of being refused.

A client runs at most ``running`` queries at once. Further queries wait their turn, first come first
served, in a line of at most ``waiting`` per client, for at most ``wait`` seconds; a federating client
(Comunica sends its sub-queries in parallel) therefore gets its answers a little later rather than 429.
A query that finds the line full, or that waited too long, is refused with ``SlotRefused`` (429): that
client keeps exceeding its share. "Client" is whatever key the caller gives (``dsi4bcn.web.clientaddress``).
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

__all__ = ["QUERY_STOP_ALLOWANCE", "ClientSlots", "SlotRefused"]

# Seconds to stop a query that passed its time limit: the graph process is restarted, and the slot is free
# once the new one answers. A query in line waits the limit and this, so that it outwaits one that runs to
# the limit; a restart took over 5 s on a busy two-core machine, so the allowance is generous (the line
# itself is bounded per client).
QUERY_STOP_ALLOWANCE = 30.0


class SlotRefused(Exception):
    """No slot for this query: the client's line is full, or the query waited past the limit."""


@dataclass
class _Client:
    running: int = 0
    waiting: deque[asyncio.Future[None]] = field(default_factory=deque)


class ClientSlots:
    """Slots for queries, ``running`` at once per client, with up to ``waiting`` more in line."""

    def __init__(self, running: int, waiting: int, wait: float) -> None:
        self.running = running
        self.waiting = waiting
        self.wait = wait
        self._clients: dict[str, _Client] = {}

    def in_use(self, client: str) -> tuple[int, int]:
        """How many queries of ``client`` run and how many wait."""
        state = self._clients.get(client)
        return (state.running, len(state.waiting)) if state else (0, 0)

    @contextlib.asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        """Hold one of ``client``'s slots for the ``async with`` block; ``SlotRefused`` if none comes."""
        await self._acquire(client)
        try:
            yield
        finally:
            self._release(client)

    async def _acquire(self, client: str) -> None:
        state = self._clients.setdefault(client, _Client())
        if state.running < self.running and not state.waiting:
            state.running += 1
            return
        if len(state.waiting) >= self.waiting:
            raise SlotRefused(f"too many queries at once from this client ({self.running} run, {self.waiting} wait)")
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.waiting.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.wait)
        except BaseException as error:
            if turn.done() and not turn.cancelled():
                self._release(client)  # the slot was handed over just as we gave up: pass it on
            else:
                turn.cancel()
                with contextlib.suppress(ValueError):
                    state.waiting.remove(turn)
                self._forget_if_idle(client)
            if isinstance(error, TimeoutError):
                raise SlotRefused(f"this client's queries waited more than {self.wait:g} s for a slot") from error
            raise

    def _release(self, client: str) -> None:
        state = self._clients[client]
        while state.waiting:
            turn = state.waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot goes to the next in line; running stays the same
                return
        state.running -= 1
        self._forget_if_idle(client)

    def _forget_if_idle(self, client: str) -> None:
        state = self._clients.get(client)
        if state is not None and not state.running and not state.waiting:
            del self._clients[client]
