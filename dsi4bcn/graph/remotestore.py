"""The aggregated graph in an external SPARQL 1.1 engine (Oxigraph server, Virtuoso…), through the standard
protocols only: SPARQL 1.1 Query, SPARQL 1.1 Update and the Graph Store HTTP Protocol.

The layout is the embedded store's (``dsi4bcn.graph.sync``): each profile, call or agreement in a named graph
of its own, written whole with a Graph Store ``PUT``; provenance in
``urn:dsi4bcn:provenance``, a batch's added with one Graph Store ``POST`` and the old removed by SPARQL Update;
the vocabulary in its own graph. The node's graphs are the ones SQLite names (plus the
provenance graph): a query's default graph is their union, and ``GRAPH ?g`` ranges over them, both given to
the engine as the protocol's ``default-graph-uri``/``named-graph-uri``, so that whatever else the engine
holds (Virtuoso's own system graphs) is never seen. Results are read (``remoteresults``) and serialised
again, capped, by the code the embedded store uses (``capping``), so ``/sparql`` answers the same formats.

A query gets the node's time limit on the client side and, as a hint to engines that honour it, the
``timeout`` parameter in milliseconds (Virtuoso then answers with ``X-SQL-State: S1TAT`` and partial results,
taken here as a timeout). An engine that cannot be reached is ``GraphError("unavailable")``: the sync leaves
its graphs unsynced in SQLite and tries again; ``/sparql`` answers 503.
"""

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pyoxigraph as ox

from dsi4bcn.graph.capping import RDF_FORMATS, serialize_boolean_result, serialize_solutions, serialize_triples
from dsi4bcn.graph.process import GraphError, QueryResult, QueryTimeout
from dsi4bcn.graph.remoteresults import ResultsUnreadable, read_boolean, read_solutions, read_triples
from dsi4bcn.graph.sync import PROVENANCE_GRAPH
from dsi4bcn.sparql.syntax import SyntaxRefused, read_query
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import GraphState
from dsi4bcn.storeconfig import StoreConfig

__all__ = ["RemoteStore"]

log = logging.getLogger(__name__)
_RESULTS_JSON = "application/sparql-results+json"
_MAX_ANSWER_BYTES = 256 * 1024 * 1024  # an answer past this is refused, never held whole
_MAX_UPDATE_BYTES = 256 * 1024  # updates are sent in requests of about this size
_MAX_POST_BYTES = 4 * 1024 * 1024  # provenance is added in Graph Store POSTs of about this size
_WRITE_LIMIT = 120.0  # seconds for one write, read of a graph or count
_PARALLEL_WRITES = 4
_NAMES_TTL = 2.0
_MANY_GRAPHS = 2_000
# Virtuoso echoes each graph of a query's dataset in a header of its answer (X-SPARQL-named-graph).
_MAX_HEADERS = 250_000
_MAX_FIELD = 64 * 1024
_UNAVAILABLE = (502, 503, 504)
# The graphs the provenance graph describes: every graph the node has written (the sync writes both together).
_DESCRIBED = f"SELECT DISTINCT ?g WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?g ?p ?o }} }}"


def _stopped_by_engine(body: bytes) -> bool:
    """Whether an answer ends with an engine saying it stopped the query at its own time limit."""
    tail = body[-300:].lower()
    return any(words in tail for words in (b"has been cancelled", b"timed out", b"timeout"))


class RemoteStore:
    """A ``GraphStore`` on an external SPARQL 1.1 engine."""

    def __init__(self, settings: StoreConfig, database: Database) -> None:
        self._settings = settings
        self.identity = f"sparql {settings.query_url} {settings.update_url} {settings.gsp_url}"
        self._state = GraphState(database)
        self._session: aiohttp.ClientSession | None = None
        self._names: list[str] = []
        self._names_read = 0.0
        self.restarts = 0  # nothing of ours to restart: the status page shows 0
        self._warned = False

    async def start(self) -> None:
        """Open the HTTP session; an engine that does not answer yet is logged, not fatal (the sync waits)."""
        settings = self._settings
        auth: aiohttp.BasicAuth | None = None
        middlewares: tuple[aiohttp.DigestAuthMiddleware, ...] = ()
        if settings.user is not None and settings.password is not None:
            if settings.auth == "digest":
                middlewares = (aiohttp.DigestAuthMiddleware(settings.user, settings.password),)
            else:
                auth = aiohttp.BasicAuth(settings.user, settings.password)
        self._session = aiohttp.ClientSession(
            auth=auth,
            middlewares=middlewares,
            connector=aiohttp.TCPConnector(limit=16),
            max_headers=_MAX_HEADERS,
            max_field_size=_MAX_FIELD,
        )
        try:
            await self._select("ASK {}", limit=10.0)
            log.info("the graph is in the external store at %s", settings.query_url)
        except (GraphError, QueryTimeout) as error:
            log.warning("the external graph store at %s does not answer yet: %s", settings.query_url, error)

    async def stop(self) -> None:
        """Close the HTTP session (every write has been acknowledged or will be sent again from SQLite)."""
        if self._session is not None:
            await self._session.close()

    async def _known(self) -> list[str]:
        """The node's named graphs: those SQLite names, and the provenance graph (read at most every 2 s)."""
        if time.monotonic() - self._names_read > _NAMES_TTL:
            self._names = sorted(set(await self._state.graph_names()) | {PROVENANCE_GRAPH})
            self._names_read = time.monotonic()
            if len(self._names) > _MANY_GRAPHS and self._settings.dataset == "explicit" and not self._warned:
                self._warned = True  # docs/external-store.md: queries naming thousands of graphs are slow or refused
                log.warning("%d graphs named in every query: use --graph-store-dataset engine", len(self._names))
        return self._names

    async def _send(self, method: str, url: str, **request: Any) -> tuple[int, Mapping[str, str], bytes]:
        """One request: status, headers and the body read whole (bounded); ``GraphError`` if unreachable."""
        assert self._session is not None, "start() first"
        try:
            async with self._session.request(method, url, **request) as response:
                chunks, size = [], 0
                async for chunk in response.content.iter_chunked(1 << 16):
                    size += len(chunk)
                    if size > _MAX_ANSWER_BYTES:
                        raise GraphError("internal", f"the store's answer is larger than {_MAX_ANSWER_BYTES} bytes")
                    chunks.append(chunk)
                body = b"".join(chunks)
                if response.status in _UNAVAILABLE:
                    raise GraphError("unavailable", f"the store answered {response.status}")
                return response.status, response.headers, body
        except aiohttp.ClientError as error:
            raise GraphError("unavailable", f"{type(error).__name__}: {error}") from error

    async def _select(
        self,
        text: str,
        *,
        limit: float = _WRITE_LIMIT,
        graphs: Sequence[str] | None = None,
        accept: str = _RESULTS_JSON,
        form: Sequence[tuple[str, str]] = (),
    ) -> tuple[Mapping[str, str], bytes]:
        """Run a query on the query endpoint within ``limit`` s; ``graphs`` as both its default and named graphs."""
        fields = [("query", text), *form]
        if graphs is not None:
            fields += [("default-graph-uri", graph) for graph in graphs]
            fields += [("named-graph-uri", graph) for graph in graphs]
        fields.append(("timeout", str(int(limit * 1000))))
        try:
            async with asyncio.timeout(limit):
                status, headers, body = await self._send(
                    "POST", self._settings.query_url, data=fields, headers={"Accept": accept}
                )
        except TimeoutError as error:
            raise QueryTimeout(f"the query was stopped after {limit} s") from error
        if headers.get("X-SQL-State") == "S1TAT":  # Virtuoso's "anytime" answer: partial, so a timeout
            raise QueryTimeout(f"the store stopped the query after {limit} s")
        if status >= 500 and _stopped_by_engine(body):
            raise QueryTimeout("the store stopped the query at its own time limit")
        if status == 400:
            raise GraphError("syntax", body.decode("utf-8", "replace")[:500])
        if status != 200:
            raise GraphError("internal", f"the store answered {status}: {body.decode('utf-8', 'replace')[:300]}")
        return headers, body

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
        """Run a SPARQL query in the engine (see ``process.GraphService.query``)."""
        started = time.monotonic()
        try:
            # (the route checked it already; read again for its form and FROM, in a thread when long)
            syntax = read_query(query, base) if len(query) < 4096 else await asyncio.to_thread(read_query, query, base)
        except SyntaxRefused as refused:
            raise GraphError("syntax", str(refused)) from refused
        fields: list[tuple[str, str]] = []
        if dataset is not None:
            fields = [("default-graph-uri", g) for g in dataset[0]] + [("named-graph-uri", g) for g in dataset[1]]
        explicit = union and dataset is None and self._settings.dataset == "explicit"
        graphs = await self._known() if explicit and not (syntax.default_graphs or syntax.named_graphs) else None
        text = f"BASE <{base}>\n{query}" if base else query
        triples = syntax.form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples, text/turtle;q=0.5" if triples else _RESULTS_JSON
        headers, body = await self._select(text, limit=limit, graphs=graphs, accept=accept, form=fields)
        try:
            if triples:
                media_type = headers.get("Content-Type", "").partition(";")[0].strip()
                parsed = await asyncio.to_thread(read_triples, body, media_type)
                answer = serialize_triples(parsed, graph_format, cap)
            elif syntax.form == "ASK":
                answer = serialize_boolean_result(read_boolean(body), select_format)
            else:
                variables, rows = read_solutions(body)
                answer = await asyncio.to_thread(serialize_solutions, variables, rows, select_format, cap)
        except ResultsUnreadable as error:
            if _stopped_by_engine(body):  # Oxigraph's --timeout-s cuts a streamed answer off with a message
                raise QueryTimeout("the store stopped the query at its own time limit") from error
            raise GraphError("internal", f"unreadable answer from the store: {error}") from error
        return QueryResult(answer[0], answer[1], answer[2], answer[3], time.monotonic() - started)

    async def _update(self, operations: Sequence[str]) -> None:
        """Send SPARQL Update operations, several to a request (each request about 256 KiB at most)."""
        batch: list[str] = []
        size = 0
        for operation in [*operations, ""]:
            if batch and (not operation or size + len(operation) > _MAX_UPDATE_BYTES):
                await self._write("POST", self._settings.update_url, data={"update": " ;\n".join(batch)})
                batch, size = [], 0
            if operation:
                batch.append(operation)
                size += len(operation)

    async def _write(self, method: str, url: str, **request: Any) -> None:
        try:
            async with asyncio.timeout(_WRITE_LIMIT):
                status, _, body = await self._send(method, url, **request)
        except TimeoutError as error:
            raise GraphError("unavailable", f"the store did not answer a write in {_WRITE_LIMIT} s") from error
        if not 200 <= status < 300:
            raise GraphError(
                "internal", f"the store refused a write ({status}): {body.decode('utf-8', 'replace')[:300]}"
            )

    def _graph_url(self, graph: str) -> str:
        return f"{self._settings.gsp_url}?graph={quote(graph, safe='')}"

    async def _send_graph(self, method: str, graph: str, ntriples: str) -> None:
        """Replace (``PUT``) or add to (``POST``) one graph with the Graph Store Protocol (N-Triples sent as
        Turtle, which every store reads)."""
        body = ntriples.encode("utf-8")
        headers = {"Content-Type": "text/turtle; charset=utf-8"}
        await self._write(method, self._graph_url(graph), data=body, headers=headers)

    async def apply(self, graphs: dict[str, str | None]) -> int:
        """Replace (N-Triples text) or drop (None) named graphs."""
        return await self.apply_with_provenance(graphs, {}, "", [])

    async def apply_with_provenance(
        self,
        graphs: dict[str, str | None],
        provenance: dict[str, str | None],
        provenance_graph: str,
        fresh: list[str] | None = None,
    ) -> int:
        """Put each graph (Graph Store ``PUT``, four at a time), drop the emptied ones and the provenance of
        those written before (SPARQL Update, a few requests for the batch), then add the batch's provenance
        with one Graph Store ``POST`` to the provenance graph (or a few, of about 4 MiB each).

        Not one transaction: the sync marks the graphs synced only after all of it, and writes them again, as
        replacements, if it fails half-way. Graphs are not added by ``INSERT DATA``: Virtuoso refuses blank
        nodes there, and compiles it into SQL text so slowly (a request of 10 profiles ran at 48 profiles/s,
        larger ones slower, past 50 over its 10,000-line limit) that per-graph ``PUT``s are faster; provenance
        has no blank nodes, but ``INSERT DATA`` of it cost Virtuoso as much again, a ``POST`` next to nothing."""
        known = set(fresh or ())
        await self._put_all({graph: content for graph, content in graphs.items() if content})
        operations = [f"DROP SILENT GRAPH <{graph}>" for graph, content in graphs.items() if not content]
        if provenance_graph:
            stale = [f"<{graph}>" for graph in graphs if graph not in known]
            for start in range(0, len(stale), 500):  # one short operation for many graphs: cheap to compile
                values = " ".join(stale[start : start + 500])
                operations.append(
                    f"DELETE {{ GRAPH <{provenance_graph}> {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {values} }} "
                    f"GRAPH <{provenance_graph}> {{ ?g ?p ?o }} }}"
                )
        await self._update(operations)
        if provenance_graph:
            await self._post_all(provenance_graph, [text for graph in graphs if (text := provenance.get(graph))])
        return len(graphs)

    async def _post_all(self, graph: str, texts: list[str]) -> None:
        """Add N-Triples texts to one graph, in ``POST`` requests of about 4 MiB at most."""
        batch: list[str] = []
        size = 0
        for text in [*texts, ""]:
            if batch and (not text or size + len(text) > _MAX_POST_BYTES):
                await self._send_graph("POST", graph, "\n".join(batch))
                batch, size = [], 0
            if text:
                batch.append(text)
                size += len(text) + 1

    async def _put_all(self, graphs: dict[str, str]) -> None:
        """Write graphs a few at a time; the first failure is raised once all have finished."""
        gate = asyncio.Semaphore(_PARALLEL_WRITES)

        async def put(graph: str, content: str) -> None:
            async with gate:
                await self._send_graph("PUT", graph, content)

        results = await asyncio.gather(*(put(g, c) for g, c in graphs.items()), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def clear(self) -> None:
        """Drop every graph of the node's (what SQLite names, and what the provenance graph describes)."""
        _, body = await self._select(_DESCRIBED)
        _, rows = read_solutions(body)
        described = {str(row[0].value) for row in rows if isinstance(row[0], ox.NamedNode)}
        names = set(await self._known()) | described
        await self._update([f"DROP SILENT GRAPH <{graph}>" for graph in sorted(names)])

    async def ping(self) -> None:
        """Return once the engine answers ``ASK {}``."""
        await self._select("ASK {}", limit=10.0)

    async def stats(self, limit: float = 60.0) -> dict[str, int]:
        """Number of triples and of named graphs, counted over the node's graphs: those its provenance graph
        describes, and that graph (no list of names sent, which would be slow with many graphs)."""
        query = (
            f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) WHERE {{ {{ {_DESCRIBED} }} "
            f"UNION {{ BIND(<{PROVENANCE_GRAPH}> AS ?g) }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        _, body = await self._select(query, limit=limit)
        try:
            _, rows = read_solutions(body)
            row = next(rows)
            return {"triples": int(str(getattr(row[0], "value", 0))), "graphs": int(str(getattr(row[1], "value", 0)))}
        except (ResultsUnreadable, StopIteration, ValueError) as error:
            raise GraphError("internal", f"unreadable counts from the store: {error}") from error

    async def graphs(self) -> list[str]:
        """The names of the node's graphs that hold triples."""
        query = (
            f"SELECT ?g WHERE {{ {{ {_DESCRIBED} }} UNION {{ BIND(<{PROVENANCE_GRAPH}> AS ?g) }} "
            "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        _, body = await self._select(query)
        _, rows = read_solutions(body)
        return sorted(str(row[0].value) for row in rows if isinstance(row[0], ox.NamedNode))

    async def dump(self, path: Path, media_type: str) -> Path:
        """Write the node's graphs to ``path`` (N-Quads or TriG), each read with a Graph Store ``GET``."""
        gate = asyncio.Semaphore(_PARALLEL_WRITES)

        async def read(graph: str) -> list[ox.Quad]:
            async with gate, asyncio.timeout(_WRITE_LIMIT):
                headers = {"Accept": "application/n-triples, text/turtle;q=0.5"}
                status, answer_headers, body = await self._send("GET", self._graph_url(graph), headers=headers)
            if status == 404:
                return []
            if status != 200:
                raise GraphError("internal", f"the store answered {status} for the graph {graph}")
            kind = answer_headers.get("Content-Type", "").partition(";")[0].strip()
            try:
                triples = read_triples(body, kind)
            except ResultsUnreadable as error:
                raise GraphError("internal", str(error)) from error
            name = ox.NamedNode(graph)
            return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]

        quads = [quad for part in await asyncio.gather(*(read(g) for g in await self.graphs())) for quad in part]
        await asyncio.to_thread(ox.serialize, quads, str(path), RDF_FORMATS[media_type])
        return path
