"""Store received activities in batches: many inbox requests, one SQLite transaction.

Each request waits for its own row to be committed before answering 202, so nothing acknowledged is
ever lost; the queue is bounded, and a full queue is refused (the caller answers 503). A batch that fails
is written again row by row, so one bad row fails only its own request.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from dsi4bcn.supervise import stop_tasks, supervised

__all__ = ["BatchWriter", "QueueFull"]

log = logging.getLogger(__name__)
Row = tuple[str, str, str, str]


class QueueFull(Exception):
    """Too many activities waiting to be stored."""


class BatchWriter:
    """Collects rows and writes them with ``write(rows) -> [new?]``, up to ``batch`` at a time."""

    def __init__(
        self, write: Callable[[Sequence[Row]], Awaitable[list[bool]]], *, capacity: int = 5000, batch: int = 500
    ) -> None:
        self._write = write
        self._queue: asyncio.Queue[tuple[Row, asyncio.Future[bool]]] = asyncio.Queue(maxsize=capacity)
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writing task."""
        self._task = asyncio.create_task(supervised("inbox-writer", self._run), name="inbox-writer")

    async def stop(self) -> None:
        """Write what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        await stop_tasks([self._task])

    async def submit(self, row: Row) -> bool:
        """Store one row; True if it was new, False if its id was already stored."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((row, future))
        except asyncio.QueueFull as error:
            raise QueueFull("the inbox queue is full") from error
        return await future

    async def _run(self) -> None:
        while True:
            items = [await self._queue.get()]
            while len(items) < self._batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            try:
                results = await self._write([row for row, _ in items])
            except Exception:  # one bad row must not fail the others: write them one by one
                log.exception("storing %d received activities failed; storing them one by one", len(items))
                await self._write_each(items)
            else:
                for (_, future), new in zip(items, results, strict=True):
                    if not future.done():
                        future.set_result(new)
            finally:
                for _ in items:
                    self._queue.task_done()

    async def _write_each(self, items: list[tuple[Row, asyncio.Future[bool]]]) -> None:
        """Write rows alone, so that only the requests whose own row fails get the error."""
        for row, future in items:
            try:
                [new] = await self._write([row])
            except Exception as error:  # this request fails (500), the others are stored
                log.exception("storing the received activity %.200r failed", row[0])
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(new)
