"""The graph process: owns the on-disk Oxigraph store, answers SPARQL queries and applies graph changes.

It runs as a separate process so that a query past its time limit can really be stopped (the node kills
and restarts this process; RocksDB recovers like after a crash, and changes not yet acknowledged are sent
again from SQLite). Queries run in threads (pyoxigraph releases the GIL while evaluating); changes are
applied one at a time, each as one transactional SPARQL update.

The process cannot reach the network: at start it installs a seccomp filter (``dsi4bcn.graph.sandbox``) under
which only Unix sockets can be opened, so Oxigraph's ``SERVICE`` client can call nothing even if a query
with ``SERVICE`` got past the node's checks. Where the filter cannot be installed, a warning is logged.
Errors are answered as ``("syntax", message)`` only when Oxigraph refused the query's own text; anything
raised while evaluating is ``("internal", detail)``, which the node logs and never shows to a client.

Messages are tuples ``(request_id, operation, payload)``; answers ``(request_id, ok, payload)``.
"""

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dsi4bcn.graph.capping import RDF_FORMATS, serialize_boolean_result, serialize_solutions, serialize_triples
from dsi4bcn.graph.sandbox import deny_network
from dsi4bcn.logformat import configure_logging

__all__ = ["run"]


log = logging.getLogger("dsi4bcn.graph.worker")  # also when run as __main__


class _QuerySyntaxError(Exception):
    """Oxigraph refused the text of the query itself (raised only by its parser, never while evaluating)."""


def _query(store: ox.Store, payload: dict[str, Any]) -> tuple[str, bytes, int, bool]:
    dataset = payload.get("dataset")
    try:
        if dataset is None:
            result = store.query(
                payload["query"],
                base_iri=payload.get("base"),
                use_default_graph_as_union=payload.get("union", False),
            )
        else:  # the protocol's default-graph-uri / named-graph-uri: exactly these graphs, FROM overridden
            default_graphs, named_graphs = dataset
            result = store.query(
                payload["query"],
                base_iri=payload.get("base"),
                default_graph=[ox.NamedNode(graph) for graph in default_graphs],
                named_graphs=[ox.NamedNode(graph) for graph in named_graphs],
            )
    except SyntaxError as error:
        raise _QuerySyntaxError(str(error)) from error
    cap = int(payload["cap"])
    if isinstance(result, ox.QueryBoolean):
        return serialize_boolean_result(bool(result), payload["select_format"])
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        rows = ([solution[name] for name in variables] for solution in result)
        return serialize_solutions(variables, rows, payload["select_format"], cap)
    return serialize_triples(result, payload["graph_format"], cap)


def _apply(store: ox.Store, payload: dict[str, Any]) -> int:
    """Replace or drop named graphs, and what the provenance graph says about them, in one transaction.

    ``payload["graphs"]`` and ``payload["provenance"]``: {graph IRI: N-Triples text, or None to drop}.
    """
    operations = []
    provenance_graph = payload.get("provenance_graph")
    provenance = payload.get("provenance", {})
    fresh = set(payload.get("fresh", ()))
    # Graphs never written before need no deletion: load them with the (much faster) bulk loader.
    bulk = [_as_quads(payload["graphs"][graph], graph) for graph in fresh if payload["graphs"].get(graph)]
    if provenance_graph:
        bulk += [_as_quads(provenance[graph], provenance_graph) for graph in fresh if provenance.get(graph)]
    if bulk:
        store.bulk_load("\n".join(bulk).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    for graph, ntriples in payload["graphs"].items():
        if graph in fresh:
            continue
        operations.append(f"DROP SILENT GRAPH <{graph}>")
        if ntriples:
            operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")
        if provenance_graph:
            operations.append(f"DELETE WHERE {{ GRAPH <{provenance_graph}> {{ <{graph}> ?p ?o }} }}")
            if provenance.get(graph):
                operations.append(f"INSERT DATA {{ GRAPH <{provenance_graph}> {{\n{provenance[graph]}\n}} }}")
    if operations:
        store.update(" ;\n".join(operations))
    return len(payload["graphs"])


def _as_quads(ntriples: str, graph: str) -> str:
    """N-Triples lines (each ending " .") as N-Quads lines in ``graph``."""
    suffix = f" <{graph}> ."
    return "\n".join(line[:-2] + suffix for line in ntriples.splitlines() if line.endswith(" ."))


def _stats(store: ox.Store) -> dict[str, int]:
    # len() scans the quads without SPARQL: 21 s for 44 million, where a COUNT(*) query took 48 s. Nothing
    # is written to the default graph, so every quad is in a named graph.
    return {"triples": len(store), "graphs": sum(1 for _ in store.named_graphs())}


def _dump(store: ox.Store, payload: dict[str, Any]) -> str:
    target = Path(payload["path"])
    store.dump(str(target), format=RDF_FORMATS[payload["format"]])
    return str(target)


def run(connection: Connection, store_path: str, query_threads: int = 4) -> None:
    """The process's main loop: read requests until the connection closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the node stops us; Ctrl-C goes to it
    _leave_network()
    store = ox.Store(store_path)
    send_lock = threading.Lock()
    queries = ThreadPoolExecutor(max_workers=query_threads, thread_name_prefix="sparql")
    writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-writes")

    def answer(request_id: int, ok: bool, payload: Any) -> None:
        with send_lock:
            connection.send((request_id, ok, payload))

    def work(request_id: int, operation: str, payload: Any) -> None:
        try:
            result = _perform(store, operation, payload)
            if result is _UNKNOWN:
                answer(request_id, False, ("internal", f"unknown operation {operation}"))
            else:
                answer(request_id, True, result)
        except _QuerySyntaxError as error:
            answer(request_id, False, ("syntax", str(error)))
        except (SyntaxError, OSError, ValueError, TypeError, RuntimeError) as error:
            # The detail goes to the node's log only: it may quote what an evaluation read or received.
            answer(request_id, False, ("internal", f"{type(error).__name__}: {error}"))

    try:
        while True:
            try:
                request_id, operation, payload = connection.recv()
            except EOFError:
                break
            pool = queries if operation in ("query", "stats", "graphs") else writes
            pool.submit(work, request_id, operation, payload)
    finally:
        writes.shutdown(wait=True)
        queries.shutdown(wait=False, cancel_futures=True)
        store.flush()
        os._exit(0)  # query threads may still be evaluating: leave without waiting for them


_UNKNOWN = object()


def _perform(store: ox.Store, operation: str, payload: Any) -> Any:
    """Carry out one request on the store and return what to answer (``_UNKNOWN`` for no such operation)."""
    started = time.monotonic()
    if operation == "query":
        kind, body, count, truncated = _query(store, payload)
        seconds = time.monotonic() - started
        return {"kind": kind, "body": body, "count": count, "truncated": truncated, "seconds": seconds}
    if operation == "apply":
        return _apply(store, payload)
    if operation == "clear":
        store.clear()
        return None
    if operation == "stats":
        return _stats(store)
    if operation == "dump":
        return _dump(store, payload)
    if operation == "graphs":
        return sorted(graph.value for graph in store.named_graphs() if isinstance(graph, ox.NamedNode))
    return _UNKNOWN


def _leave_network() -> None:
    """Install the seccomp filter, and log whether SERVICE can reach anything."""
    refusal = deny_network()
    if refusal is None:
        log.info("graph process %d: network sockets denied by seccomp (SERVICE can reach nothing)", os.getpid())
    else:
        log.warning(
            "graph process %d could not be taken off the network (%s): only the query checks keep SERVICE out",
            os.getpid(),
            refusal,
        )


if __name__ == "__main__":
    import sys

    level = os.environ.get("DSI4BCN_LOG_LEVEL", "INFO").upper()  # same log, same format as the node
    configure_logging(
        level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO",
        os.environ.get("DSI4BCN_LOG_FORMAT", "text"),
    )
    run(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]))
