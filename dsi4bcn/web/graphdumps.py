"""Downloads of the whole graph (``GET /graph``), made one at a time and kept while the graph is unchanged.

An aggregator's dump is gigabytes (about 8 GB of N-Quads for a million profiles) and minutes to make, so it
is never held in memory (the route streams the file), never made twice at once (a second request waits for
the first and gets the same file), and kept until the graph sync writes its next batch (the key). At most
``waiting`` requests wait; more are refused (``DumpsBusy``), so that downloads cannot fill the disk or the
memory. A file being sent stays readable after a newer dump replaced it (unlinked while open).
"""

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["DumpsBusy", "GraphDumps"]


class DumpsBusy(Exception):
    """A dump is being made and enough requests already wait for it."""


class GraphDumps:
    """The latest dump of each format, made by ``make(path, media_type)`` in ``folder``."""

    def __init__(self, folder: Path, waiting: int = 4) -> None:
        self._folder = folder
        self._waiting_limit = waiting
        self._waiting = 0
        self._lock = asyncio.Lock()
        self._made: dict[str, tuple[object, Path]] = {}  # media type: (key, file)
        for left in folder.glob("graph-*.dump"):  # from a node that stopped without removing them
            left.unlink(missing_ok=True)

    @contextlib.asynccontextmanager
    async def open(
        self, media_type: str, key: object, make: Callable[[Path, str], Awaitable[object]]
    ) -> AsyncIterator[BinaryIO]:
        """The dump of ``media_type`` for the graph as ``key`` names it, open for reading: the kept one if
        its key is ``key``, else a new one (``DumpsBusy`` if too many requests wait)."""
        if self._lock.locked() and self._waiting >= self._waiting_limit:
            raise DumpsBusy(f"{self._waiting} downloads already wait for the dump being made")
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        try:
            handle = await self._current(media_type, key, make)
        finally:
            self._lock.release()  # sending the file needs no lock
        with handle:
            yield handle

    async def _current(self, media_type: str, key: object, make: Callable[[Path, str], Awaitable[object]]) -> BinaryIO:
        kept = self._made.get(media_type)
        if kept is not None and kept[0] == key:
            with contextlib.suppress(FileNotFoundError):
                return await asyncio.to_thread(kept[1].open, "rb")
        path = await asyncio.to_thread(self._new_file)
        try:
            await make(path, media_type)
            handle = await asyncio.to_thread(path.open, "rb")
        except BaseException:
            await asyncio.to_thread(path.unlink, True)
            raise
        if kept is not None:
            await asyncio.to_thread(kept[1].unlink, True)  # a download still sending it keeps its open file
        self._made[media_type] = (key, path)
        return handle

    def _new_file(self) -> Path:
        self._folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix="graph-", suffix=".dump", dir=self._folder)
        os.close(descriptor)
        return Path(name)
