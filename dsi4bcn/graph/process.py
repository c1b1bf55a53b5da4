"""The node's side of the graph process: send it queries and changes, stop runaway queries for real.

A query that passes its time limit makes the node kill the graph process and start a new one; the
query gets ``QueryTimeout``, the other queries that were running are sent again once to the new process
(with what is left of their own limits), requests that come during the restart wait for it, and changes
that had not been acknowledged are sent again by the graph sync (SQLite says what is synced). A process
that dies on its own (killed, out of memory) is started again the same way by the next request.
"""

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

__all__ = ["GraphError", "GraphService", "QueryResult", "QueryTimeout"]

log = logging.getLogger(__name__)


class GraphError(Exception):
    """The graph process refused or failed an operation; ``kind`` is ``syntax`` or ``internal``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped."""


class _Restarted(Exception):
    """The graph process was restarted while this operation was in flight."""


@dataclass(frozen=True)
class QueryResult:
    """A serialised query result."""

    kind: str  # select, boolean or graph
    body: bytes
    count: int
    truncated: bool
    seconds: float


class GraphService:
    """Runs the graph process and talks to it."""

    def __init__(self, store_path: Path, *, query_threads: int = 4) -> None:
        self._store_path = store_path
        self._query_threads = query_threads
        self._process: Any = None
        self._connection: Connection | None = None
        self._reader: threading.Thread | None = None
        self._pending: dict[int, tuple[asyncio.Future[Any], tuple[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._send_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._restart_lock = asyncio.Lock()
        self.restarts = 0
        self._generation = 0  # which process is the current one: one more at each start
        self._stopping = False
        self.identity = "embedded"

    async def start(self) -> None:
        """Start the graph process."""
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._store_path.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(self._spawn)

    def _spawn(self) -> None:
        # A plain subprocess (not multiprocessing) so that the child imports only the graph worker.
        parent_socket, child_socket = socket.socketpair()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "dsi4bcn.graph.worker",
                str(child_socket.fileno()),
                str(self._store_path),
                str(self._query_threads),
            ],
            pass_fds=(child_socket.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        child_socket.close()
        parent = Connection(parent_socket.detach())
        self._process, self._connection = process, parent
        self._generation += 1
        self._reader = threading.Thread(target=self._read, args=(parent,), daemon=True, name="graph-reader")
        self._reader.start()

    def _read(self, connection: Connection) -> None:
        loop = self._loop
        assert loop is not None
        while True:
            try:
                request_id, ok, payload = connection.recv()
            except (EOFError, OSError):
                with contextlib.suppress(RuntimeError):  # the loop already closed: nothing waits any more
                    loop.call_soon_threadsafe(self._lost, connection)
                return
            loop.call_soon_threadsafe(self._resolve, request_id, ok, payload)

    def _resolve(self, request_id: int, ok: bool, payload: Any) -> None:
        entry = self._pending.pop(request_id, None)
        if entry is None or entry[0].done():
            return
        future = entry[0]
        if ok:
            future.set_result(payload)
        else:
            future.set_exception(GraphError(*payload))

    def _send(self, request_id: int, operation: str, payload: Any) -> None:
        with self._send_lock:
            assert self._connection is not None
            self._connection.send((request_id, operation, payload))

    async def _call(self, operation: str, payload: Any, limit: float | None = None) -> Any:
        assert self._loop is not None
        deadline = None if limit is None else self._loop.time() + limit
        for attempt in range(2):
            await self._restarted()
            if deadline is not None and deadline <= self._loop.time():  # its time ran out during a restart
                raise QueryTimeout(f"the query was stopped after {limit} s")
            generation = self._generation
            request_id = next(self._ids)
            future: asyncio.Future[Any] = self._loop.create_future()
            self._pending[request_id] = (future, (operation, payload))
            try:
                await asyncio.to_thread(self._send, request_id, operation, payload)
                # A retry gets what is left of the limit: a query is never given more than its limit in all.
                left = None if deadline is None else max(deadline - self._loop.time(), 0.0)
                return await asyncio.wait_for(asyncio.shield(future), left)
            except TimeoutError as error:
                self._pending.pop(request_id, None)
                await self.restart(f"{operation} passed its {limit} s limit", generation)
                raise QueryTimeout(f"the query was stopped after {limit} s") from error
            except (_Restarted, OSError, EOFError):
                self._pending.pop(request_id, None)
                if self._exited(generation):  # it died on its own (killed, out of memory): start a new one
                    await self.restart("the graph process exited", generation)
                if attempt == 1:
                    raise GraphError("internal", "the graph process restarted twice during this request") from None
        raise AssertionError("unreachable")

    async def _restarted(self) -> None:
        """Wait until a restart under way has finished (a request sent meanwhile would be lost with the old
        process)."""
        if self._restart_lock.locked():
            async with self._restart_lock:
                pass

    def _exited(self, generation: int) -> bool:
        """Whether the process of ``generation`` is still the current one and has exited."""
        process = self._process
        current = generation == self._generation and not self._stopping
        return current and process is not None and process.poll() is not None

    def _lost(self, connection: Connection) -> None:
        """The current process's connection ended: fail what waits on it, so that it is restarted and sent
        again (rather than waiting forever for an answer from a process that died)."""
        if connection is not self._connection:
            return  # an old process, already replaced
        for future, _ in list(self._pending.values()):
            if not future.done():
                future.set_exception(_Restarted())

    async def restart(self, reason: str, generation: int | None = None) -> None:
        """Kill the graph process and start a new one; operations in flight are failed for a retry. With
        ``generation``, only if that process is still the current one (several queries that time out
        together, or that see the same crash, restart it once)."""
        async with self._restart_lock:
            if self._stopping or (generation is not None and generation != self._generation):
                return
            log.warning("restarting the graph process: %s", reason)
            self.restarts += 1
            await asyncio.to_thread(self._terminate, True)
            for future, _ in list(self._pending.values()):
                if not future.done():
                    future.set_exception(_Restarted())
            self._pending.clear()
            await asyncio.to_thread(self._spawn)

    def _terminate(self, kill: bool) -> None:
        process, connection = self._process, self._connection
        if process is None:
            return
        if kill:
            process.kill()
        elif connection is not None:
            # close() alone does not end the socket while the reader thread sits in recv() on it, so the
            # child would never see the end of its input: shut the sending side down, which it sees at once.
            with contextlib.suppress(OSError), socket.socket(fileno=os.dup(connection.fileno())) as handle:
                handle.shutdown(socket.SHUT_WR)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()
        self._process = None

    async def stop(self) -> None:
        """Stop the graph process, letting it finish its writes."""
        self._stopping = True
        await asyncio.to_thread(self._terminate, False)

    async def query(
        self,
        query: str,
        *,
        select_format: str,
        graph_format: str,
        cap: int,
        limit: float,
        union: bool = False,
        dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
        base: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``QueryTimeout`` past ``limit`` seconds, ``GraphError`` otherwise.

        ``dataset`` (default graphs, named graphs), when given, is the query's whole dataset: it replaces the
        query's ``FROM``/``FROM NAMED`` and ``union``. ``base`` is the base IRI of relative IRIs.
        """
        payload = {
            "query": query,
            "select_format": select_format,
            "graph_format": graph_format,
            "cap": cap,
            "union": union,
            "dataset": [list(dataset[0]), list(dataset[1])] if dataset is not None else None,
            "base": base,
        }
        answer = await self._call("query", payload, limit)
        return QueryResult(answer["kind"], answer["body"], answer["count"], answer["truncated"], answer["seconds"])

    async def apply(self, graphs: dict[str, str | None]) -> int:
        """Replace (N-Triples text) or drop (None) named graphs, all in one transaction."""
        return int(await self._call("apply", {"graphs": graphs}))

    async def apply_with_provenance(
        self,
        graphs: dict[str, str | None],
        provenance: dict[str, str | None],
        provenance_graph: str,
        fresh: list[str] | None = None,
    ) -> int:
        """Like ``apply``, also replacing what ``provenance_graph`` says about each graph.

        ``fresh`` graphs were never written (nor their provenance): they are bulk-loaded, not replaced.
        """
        payload = {
            "graphs": graphs,
            "provenance": provenance,
            "provenance_graph": provenance_graph,
            "fresh": fresh or [],
        }
        return int(await self._call("apply", payload))

    async def clear(self) -> None:
        """Empty the store (before a rebuild)."""
        await self._call("clear", None)

    async def stats(self, limit: float = 60.0) -> dict[str, int]:
        """Number of triples and of named graphs."""
        return dict(await self._call("stats", None, limit))

    async def ping(self) -> None:
        """Return once the graph process answers ``ASK {}``."""
        await self.query("ASK {}", select_format="json", graph_format="text/turtle", cap=1, limit=10.0)

    async def graphs(self) -> list[str]:
        """The names of every named graph."""
        return list(await self._call("graphs", None, 60.0))

    async def dump(self, path: Path, media_type: str) -> Path:
        """Write the whole dataset to ``path`` (N-Quads or TriG)."""
        return Path(await self._call("dump", {"path": str(path), "format": media_type}))
