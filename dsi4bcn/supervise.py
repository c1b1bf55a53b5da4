"""Keep background loops running: a loop that fails is logged and started again after a pause.

Every long-lived task of a node (inbox processing, delivery, peering, graph sync, the matcher) runs under
``supervised``. Work is isolated unit by unit inside each loop (one activity, delivery, profile or graph
fails alone and is recorded), so a restart here is the last line of defence, for what escaped that: the
loop is restarted with a growing pause (1 s doubling to 60 s, back to 1 s after a minute of good running),
never left dead while the node goes on answering 202.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["LoopHealth", "Supervisor", "stop_tasks", "supervised", "wait_for_event"]

log = logging.getLogger(__name__)
_FIRST_PAUSE = 1.0
_LONGEST_PAUSE = 60.0
_GOOD_RUN = 60.0


async def wait_for_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` have passed; whether it was set.

    A cancellation always goes through. Python 3.11's ``asyncio.wait_for`` returns normally instead when the
    event is set in the same turn of the loop as the cancel (a loop poked as its node stops), and a loop
    that waits that way then runs on, and its node's shutdown waits for it for ever."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


@dataclass
class LoopHealth:
    """How a supervised loop has fared: restarts and the last failure, for the admin API."""

    name: str
    restarts: int = 0
    last_error: str | None = None

    def failed(self, error: BaseException) -> None:
        """Record a failure of the loop."""
        self.restarts += 1
        self.last_error = f"{type(error).__name__}: {error}"[:500]

    def as_json(self) -> dict[str, object]:
        """What the admin API shows."""
        return {"name": self.name, "restarts": self.restarts, "lastError": self.last_error}


async def supervised(
    name: str,
    run: Callable[[], Awaitable[None]],
    *,
    health: LoopHealth | None = None,
    first_pause: float = _FIRST_PAUSE,
    until_done: bool = False,
) -> None:
    """Run ``run()`` until cancelled, restarting it whenever it raises (or returns, unless ``until_done``:
    then a normal return is the end, as for a one-off job such as loading an index)."""
    pause = first_pause
    while True:
        started = time.monotonic()
        try:
            await run()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the loop is restarted: logging it is the point
            log.exception("the %s loop failed; restarting it in %.0f s", name, pause)
            if health is not None:
                health.failed(error)
        else:
            if until_done:
                return
            log.warning("the %s loop ended; restarting it in %.0f s", name, pause)
        if time.monotonic() - started > _GOOD_RUN:
            pause = first_pause
        await asyncio.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


async def stop_tasks(tasks: Iterable[asyncio.Task[Any] | None]) -> None:
    """Cancel tasks and wait for them; a task that had failed is logged, never raised into a shutdown."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    for task, outcome in zip(running, await asyncio.gather(*running, return_exceptions=True), strict=True):
        if isinstance(outcome, Exception):
            log.error("the %s task had failed: %s: %s", task.get_name(), type(outcome).__name__, outcome)


class Supervisor:
    """The supervised loops of a node: started by name, their health kept for the admin API, stopped together."""

    def __init__(self) -> None:
        self.loops: dict[str, LoopHealth] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, run: Callable[[], Awaitable[None]], *, until_done: bool = False) -> None:
        """Start ``run`` as a loop restarted whenever it fails (see ``supervised``)."""
        health = self.loops[name] = LoopHealth(name)
        task = asyncio.create_task(supervised(name, run, health=health, until_done=until_done), name=name)
        self._tasks.append(task)

    def health(self) -> list[dict[str, object]]:
        """Every loop's restarts and last failure, by name."""
        return [health.as_json() for _, health in sorted(self.loops.items())]

    async def stop(self) -> None:
        """Cancel every loop and wait for it."""
        await stop_tasks(self._tasks)
        self._tasks.clear()
