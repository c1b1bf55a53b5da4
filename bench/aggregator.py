"""An aggregator of N synthetic profiles (default 1,000,000) on the embedded store and on Virtuoso, side by side.

1. Builds the directory ONCE into a node's SQLite: bench/synthetic.py's projects and organisations (one
   organisation every five projects, so N profiles are 5N/6 projects and N/6 organisations) on a peer
   origin, through the node's own ``Ingestor`` (JSON-LD to RDF, SHACL, SQLite) in batches of ``--batch``,
   with the graph sync stopped: ingest into SQLite is timed on its own (about 1,000 profiles/s on 2 cores,
   so ~17 minutes for a million; it is the path every received profile takes, so no bulk shortcut is used).
2. For each store in turn, on that same SQLite: every graph marked unsynced, then the node's real
   ``GraphSync`` writes all of them (batches of 500, as a running node does) into the store; timed until
   nothing is pending (profiles/s and triples/s). The embedded store is the node's graph process
   (``GraphService``); Virtuoso is reached by ``RemoteStore`` through SPARQL 1.1 and the Graph Store
   Protocol, started by tests/support/engines.py with ``--buffers`` (NumberOfBuffers, MaxDirtyBuffers).
3. A real node (``dsi4bcn serve``) on that data folder, once it has built its matching and directory indexes
   (read from SQLite, the same for both stores; timed as "node ready"), the query set of bench/graph_bench.py
   through its ``/sparql`` (median of ``--rounds`` after a warm-up; a query slower than 20 s is timed once; the
   node's query limit ``--query-limit`` s). Virtuoso with ``--graph-store-dataset engine`` (``explicit`` names
   every graph in every query: Virtuoso refuses that past a few thousand graphs; ``--dataset explicit,engine``
   times both).
4. Memory: the peak resident set (VmHWM in /proc/PID/status) of the graph process while it loads, of the
   serving node and its graph process, of virtuoso-t; disk: the bytes of each store's files after it stopped
   (the graph folder; Virtuoso's database, transaction log and temp files), and of SQLite.

Everything listens on 127.0.0.1; the work folder is removed at the end unless ``--keep``.

    .venv/bin/python bench/aggregator.py --profiles 20000
    .venv/bin/python bench/aggregator.py                  # 1,000,000 profiles
"""

import argparse
import asyncio
import itertools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.external_store import endpoint_latencies  # noqa: E402
from bench.graph_bench import ORIGIN, QUERIES  # noqa: E402
from bench.synthetic import directory  # noqa: E402
from dsi4bcn.config import load_config  # noqa: E402
from dsi4bcn.fediverse.ingest import Ingestor  # noqa: E402
from dsi4bcn.graph.process import GraphService, QueryTimeout  # noqa: E402
from dsi4bcn.graph.remotestore import RemoteStore  # noqa: E402
from dsi4bcn.graph.store import GraphStore  # noqa: E402
from dsi4bcn.graph.sync import GraphSync  # noqa: E402
from dsi4bcn.sparql.examples import PREFIXES  # noqa: E402
from dsi4bcn.storage.database import Database, open_database  # noqa: E402
from dsi4bcn.storage.graphstate import GraphState, mark_unsynced  # noqa: E402
from dsi4bcn.storage.localactors import ProfileStore  # noqa: E402
from dsi4bcn.storeconfig import StoreConfig  # noqa: E402
from tests.support.engines import Engine, start_virtuoso, virtuoso_sql  # noqa: E402
from tests.support.nodes import ADMIN_TOKEN, Node, free_port  # noqa: E402

MiB = 1024 * 1024


def peak_rss(pid: int) -> int:
    """The peak resident set of a process in bytes (VmHWM), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def documents(profiles: int) -> Iterator[dict[str, Any]]:
    """``profiles`` actor documents: 5/6 projects, 1/6 organisations (one every five projects)."""
    projects = max(1, round(profiles * 5 / 6))
    return directory(projects, origin=ORIGIN)


async def fill_sqlite(data_dir: Path, profiles: int, batch: int) -> dict[str, float]:
    """Ingest the directory into the node's SQLite (the graph sync stopped); count and seconds."""
    config = load_config(data_dir=str(data_dir), environ={})
    database = Database(await open_database(config.database_path))
    ingestor = Ingestor(database, lambda: None)
    count, started, shown = 0, time.perf_counter(), time.perf_counter()
    pending: list[dict[str, Any]] = []
    for document in itertools.chain(documents(profiles), [None]):  # streamed: a million do not fit
        if document is not None:
            pending.append(document)
        if pending and (document is None or len(pending) >= batch):
            outcomes = await ingestor.ingest_many(pending, peer=f"{ORIGIN}/actor")
            refused = [outcome for outcome in outcomes if outcome != "ingested"]
            if refused:
                raise SystemExit(f"profiles refused: {refused[:3]}")
            count += len(pending)
            pending = []
            if time.perf_counter() - shown > 60:
                shown = time.perf_counter()
                print(f"  sqlite: {count} profiles, {count / (shown - started):.0f}/s", flush=True)
    seconds = time.perf_counter() - started
    await database.close()
    return {"profiles": count, "seconds": seconds}


def open_store(data_dir: Path, engine: Engine | None, database: Database) -> GraphStore:
    """The node's store for the data folder: its graph process, or ``RemoteStore`` on the engine (``engine``
    dataset: Virtuoso refuses queries naming a million graphs)."""
    if engine is None:
        return GraphService(data_dir / "graph")
    password = engine.password_file.read_text().strip() if engine.password_file else None
    return RemoteStore(
        StoreConfig(engine.query_url, engine.update_url, engine.gsp_url, engine.user, password, engine.auth, "engine"),
        database,
    )


async def sync_into(
    data_dir: Path, engine: Engine | None, limit: float, dump: Path | None, resume: bool = False
) -> dict[str, Any]:
    """Mark every graph unsynced and let the node's GraphSync write them all into the store; timed. With
    ``dump``, the store's N-Quads are then written there (timed too; the triples counted there: counting
    them in the store takes more than its 60 s limit at a million profiles). ``resume``: a store an earlier
    run filled (nothing pending) is not written again."""
    config = load_config(data_dir=str(data_dir), environ={})
    database = Database(await open_database(config.database_path))
    store = open_store(config.data_dir, engine, database)
    await store.start()
    try:
        sync = GraphSync(config, database, ProfileStore(database), store)
        await sync.reconcile()  # first: a store it has not written to before would mark every graph as held
        graphs, started, shown = 0, time.perf_counter(), time.perf_counter()
        if resume and not await sync.pending():
            graphs = len(await GraphState(database).graph_names())
            print(f"  sync: {graphs} graphs written by an earlier run", flush=True)
        else:
            await GraphState(database).mark_all_unsynced()
            while time.perf_counter() - started < limit and (done := await sync.sync_once()):
                graphs += done
                if time.perf_counter() - shown > 60:
                    shown = time.perf_counter()
                    print(f"  sync: {graphs} graphs, {graphs / (shown - started):.0f}/s", flush=True)
        seconds = time.perf_counter() - started if not resume else float("nan")
        left = await sync.pending()
        process = getattr(store, "_process", None)
        loader_rss = peak_rss(process.pid) if process is not None else 0
        dumped = 0.0
        if dump is not None:
            dump.parent.mkdir(parents=True, exist_ok=True)
            dumped = time.perf_counter()
            await store.dump(dump, "application/n-quads")
            dumped = time.perf_counter() - dumped
            print(f"  dump: {size_of(dump) / MiB:.0f} MiB of N-Quads in {dumped:.0f} s", flush=True)
            triples = count_lines(dump)
        else:
            triples = (await store.stats())["triples"]
    finally:
        await store.stop()
        await database.close()
    return {
        **{"graphs": graphs, "left": left, "seconds": seconds, "triples": triples},
        **{"loader_rss": loader_rss, "dump_seconds": dumped, "how": "GraphSync"},
    }


def count_lines(path: Path) -> int:
    """Lines of a file (quads of an N-Quads dump), read a block at a time."""
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            lines += block.count(b"\n")
    return lines


def bulk_load(data_dir: Path, engine: Engine, dump: Path) -> dict[str, Any]:
    """Virtuoso's own bulk loader (``ld_dir``, ``rdf_loader_run``, then a checkpoint) on the embedded store's
    N-Quads dump: how an operator seeds a large engine before the node keeps it in sync; timed, then counted
    through the node's ``RemoteStore``."""
    started = time.perf_counter()
    virtuoso_sql(
        engine,
        f"ld_dir('{dump.parent}', '{dump.name}', 'urn:dsi4bcn:unused');\nrdf_loader_run();\ncheckpoint;\n",
        "bulk-load",
        timeout=6 * 3600,
    )
    seconds = time.perf_counter() - started
    failed = virtuoso_sql(engine, "select count(*) from DB.DBA.LOAD_LIST where ll_error is not null;", "loaded")
    if "\n0\n" not in failed.replace(" ", ""):
        raise SystemExit(f"Virtuoso's bulk loader reported errors:\n{failed}")

    async def count() -> dict[str, int]:
        config = load_config(data_dir=str(data_dir), environ={})
        database = Database(await open_database(config.database_path))
        store = open_store(config.data_dir, engine, database)
        await store.start()
        try:
            return await store.stats(limit=1800.0)  # counting a million graphs' quads in the engine
        finally:
            await store.stop()
            await database.close()

    stats = asyncio.run(count())
    graphs = stats["graphs"]
    print(f"virtuoso: bulk loader, {graphs} graphs in {seconds:.1f} s ({graphs / seconds:.0f}/s)", flush=True)
    return {
        "graphs": graphs,
        "left": 0,
        "seconds": seconds,
        "triples": stats["triples"],
        "loader_rss": 0,
        "how": "bulk loader",
    }


async def rewrite(data_dir: Path, engine: Engine | None, count: int) -> dict[str, float]:
    """``count`` profiles spread over the directory marked changed, and the node's GraphSync writing them
    again into the full store (each graph replaced, its provenance removed and added): the steady state."""
    config = load_config(data_dir=str(data_dir), environ={})
    database = Database(await open_database(config.database_path))
    store = open_store(config.data_dir, engine, database)
    await store.start()
    names = [name for name in await GraphState(database).graph_names() if "/projects/" in name]
    chosen = names[:: max(1, len(names) // count)][:count]
    async with database.transaction() as connection:
        await mark_unsynced(connection, chosen)
    sync = GraphSync(config, database, ProfileStore(database), store)
    written, started = 0, time.perf_counter()
    while done := await sync.sync_once():
        written += done
    seconds = time.perf_counter() - started
    await store.stop()
    await database.close()
    return {"rewritten": written, "rewrite_seconds": seconds}


async def store_latencies(data_dir: Path, engine: Engine | None, rounds: int, limit: int) -> dict[str, float]:
    """The query set through the store object the node's ``/sparql`` calls (same arguments, no HTTP): the
    median of ``rounds`` after a warm-up; a query over the limit is inf, one slower than 20 s timed once."""
    config = load_config(data_dir=str(data_dir), environ={})
    database = Database(await open_database(config.database_path))
    store = open_store(config.data_dir, engine, database)
    await store.start()
    results = {}
    try:
        for name, query in QUERIES.items():
            timings = []
            for _ in range(rounds + 1):
                started = time.perf_counter()
                try:
                    await store.query(
                        PREFIXES + query,
                        select_format="json",
                        graph_format="application/n-triples",
                        cap=10_000,
                        limit=float(limit),
                        union=True,
                    )
                    timings.append(time.perf_counter() - started)
                except QueryTimeout:
                    timings.append(float("inf"))
                if timings[0] > 20:
                    break
            results[name] = statistics.median(timings[1:] or timings)
    finally:
        await store.stop()
        await database.close()
    return results


def serve_and_query(data_dir: Path, engine: Engine | None, dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    """A real node on the data folder: the query set through /sparql, and the peak RSS of it and its children."""
    port = free_port()
    flags = ["--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port), "--allow-private-network"]
    if engine is not None:
        flags += [flag for flag in engine.node_args() if "-dataset=" not in flag]
        flags.append(f"--graph-store-dataset={dataset}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DSI4BCN_")}
    env |= {"DSI4BCN_ADMIN_TOKEN": ADMIN_TOKEN, "PYTHONUNBUFFERED": "1", "DSI4BCN_QUERIES_PER_CLIENT": "4"}
    env["DSI4BCN_QUERY_TIMEOUT"] = str(args.query_limit)
    node = Node(data_dir=data_dir, port=port, base_url=f"http://127.0.0.1:{port}", args=flags, env=env)
    started = time.perf_counter()
    node.start(timeout=args.node_timeout)
    while not all(word in node.log() for word in ("matching index:", "directory:")):  # indexes built: quiet
        if time.perf_counter() - started > args.node_timeout:
            node.stop()
            raise SystemExit(f"the node did not build its indexes in {args.node_timeout} s")
        time.sleep(0.5)
    ready = time.perf_counter() - started
    try:
        latencies = endpoint_latencies(node.base_url, args.rounds)
        assert node.process is not None
        pids = [node.process.pid, *children(node.process.pid)]
        rss = sum(peak_rss(pid) for pid in pids)
    finally:
        node.stop()
    return {"latencies": latencies, "rss": rss, "processes": len(pids), "ready": ready}


def run_store(name: str, data_dir: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Load, rewrite some profiles, then query, one store; its memory and disk. With ``--virtuoso-load bulk``
    the embedded store (run first) leaves its N-Quads for Virtuoso's bulk loader."""
    buffers = (args.buffers, args.dirty_buffers)
    for old in (work / name).glob("*") if name == "virtuoso" else ():  # an earlier run's engine: start afresh
        if old.name != "dump":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    engine = start_virtuoso(work / name, buffers=buffers) if name == "virtuoso" else None
    dump = work / "virtuoso" / "dump" / "graph.nq"
    bulk = args.virtuoso_load == "bulk" and "virtuoso" in args.stores.split(",")
    result: dict[str, Any] = {}
    try:
        if engine is not None and bulk:
            result = bulk_load(data_dir, engine, dump)
        else:
            result = asyncio.run(sync_into(data_dir, engine, args.limit, dump if bulk else None, args.resume))
        print(
            f"{name}: {result['graphs']:.0f} graphs in {result['seconds']:.1f} s "
            f"({result['graphs'] / result['seconds']:.0f}/s, {result['triples'] / result['seconds']:.0f} triples/s), "
            f"{result['left']:.0f} left; {result['triples']:.0f} triples",
            flush=True,
        )
        if args.updates:
            result |= asyncio.run(rewrite(data_dir, engine, args.updates))
            print(f"{name}: {result['rewritten']} profiles rewritten in {result['rewrite_seconds']:.1f} s", flush=True)
        for dataset in args.dataset.split(",") if engine else ["embedded"]:
            if args.queries == "store":
                result[f"latencies:{dataset}"] = asyncio.run(
                    store_latencies(data_dir, engine, args.rounds, args.query_limit)
                )
                print(f"{name}: " + ", ".join(f"{v * 1000:.0f}" for v in result[f"latencies:{dataset}"].values()))
                continue
            served = serve_and_query(data_dir, engine, dataset, args)
            result[f"latencies:{dataset}"] = served["latencies"]
            result["node_rss"] = served["rss"]
            print(
                f"{name} ({dataset}): node ready in {served['ready']:.1f} s; "
                + ", ".join(f"{served['latencies'][q] * 1000:.0f}" for q in QUERIES)
                + f" ms; node RSS peak {served['rss'] / MiB:.0f} MiB ({served['processes']} processes)",
                flush=True,
            )
        if engine is not None and engine.process is not None:
            result["engine_rss"] = peak_rss(engine.process.pid)
    finally:
        if engine is not None:
            engine.stop()
    dumped = size_of(dump.parent) if dump.parent.exists() else 0
    result["disk"] = size_of(engine.folder) - dumped if engine else size_of(data_dir / "graph")
    return result


def report(args: argparse.Namespace, built: dict[str, float], sqlite_bytes: int, results: dict[str, Any]) -> None:
    """The side-by-side table, ratios to the embedded store."""
    names = list(results)
    base = results.get("embedded")

    def row(label: str, values: list[float], fmt: str, ratio: bool = True) -> None:
        cells = "".join(f"{format(value, fmt):>14s}" for value in values)
        extra = ""
        if ratio and base is not None and len(values) > 1 and values[0]:
            extra = "   " + "  ".join(f"{value / values[0]:.2f}x" for value in values[1:])
        print(f"{label:38s}{cells}{extra}")

    print(
        f"\nSQLite: {built['profiles']:.0f} profiles in {built['seconds']:.0f} s "
        f"({built['profiles'] / built['seconds']:.0f} profiles/s), {sqlite_bytes / MiB:.0f} MiB"
    )
    print(f"\n{'':38s}" + "".join(f"{name:>14s}" for name in names) + "   (ratio to embedded)")
    print(f"{'way into the store':38s}" + "".join(f"{results[n]['how']:>14s}" for n in names))
    row("graphs written", [results[n]["graphs"] for n in names], ".0f", ratio=False)
    row("sync seconds", [results[n]["seconds"] for n in names], ".1f")
    row("into the store, profiles/s", [results[n]["graphs"] / results[n]["seconds"] for n in names], ".0f")
    row("into the store, triples/s", [results[n]["triples"] / results[n]["seconds"] for n in names], ".0f")
    row("triples", [results[n]["triples"] for n in names], ".0f", ratio=False)
    if args.updates:
        row(
            "profiles rewritten by GraphSync, /s",
            [results[n]["rewritten"] / results[n]["rewrite_seconds"] for n in names],
            ".1f",
        )
    row(
        "store RSS peak while loading, MiB",
        [(results[n]["loader_rss"] or results[n].get("engine_rss", 0)) / MiB for n in names],
        ".0f",
    )
    row("node RSS peak serving, MiB", [results[n].get("node_rss", 0) / MiB for n in names], ".0f")
    row("engine (virtuoso-t) RSS peak, MiB", [results[n].get("engine_rss", 0) / MiB for n in names], ".0f", False)
    row("store on disk, MiB", [results[n]["disk"] / MiB for n in names], ".0f")
    for mode in args.dataset.split(","):
        print(f"\nquery latency, ms (Virtuoso: --graph-store-dataset {mode})")
        for query in QUERIES:
            values = [
                results[n].get(f"latencies:{mode}", results[n].get("latencies:embedded", {})).get(query, 0.0) * 1000
                for n in names
            ]
            row(query, values, ".1f")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--stores", default="embedded,virtuoso")
    parser.add_argument("--dataset", default="engine", help="Virtuoso's dataset modes to time (explicit,engine)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="profiles per ingest transaction")
    # Virtuoso's documented sizing (virtuoso.ini's comments): 8 GB of RAM 680,000 and 500,000; 16 GB twice that.
    parser.add_argument("--buffers", type=int, default=680_000, help="Virtuoso's NumberOfBuffers (8 KiB each)")
    parser.add_argument("--dirty-buffers", type=int, default=500_000, help="Virtuoso's MaxDirtyBuffers")
    parser.add_argument("--limit", type=float, default=4 * 3600.0, help="seconds at most for each store's sync")
    parser.add_argument("--query-limit", type=int, default=60, help="the node's SPARQL time limit, seconds")
    parser.add_argument("--node-timeout", type=float, default=600.0, help="seconds for a node to start")
    parser.add_argument(
        "--virtuoso-load",
        choices=("sync", "bulk"),
        default="bulk",
        help="into Virtuoso through the node's GraphSync, or with its bulk loader from the embedded store's dump",
    )
    parser.add_argument("--updates", type=int, default=2000, help="profiles rewritten through GraphSync once loaded")
    parser.add_argument(
        "--queries",
        choices=("node", "store"),
        default="node",
        help="the query set through a node's /sparql, or through the store object it calls (no node start)",
    )
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--resume", action="store_true", help="with --work: reuse its SQLite, and its embedded store if complete"
    )
    args = parser.parse_args()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {memory / 2**30:.1f} GiB, "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(
        f"profiles: {args.profiles}; Virtuoso NumberOfBuffers {args.buffers}, MaxDirtyBuffers "
        f"{args.dirty_buffers}; node query limit {args.query_limit} s",
        flush=True,
    )
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-aggregator-"))
    data_dir = work / "node"
    try:
        if args.resume and (data_dir / "dsi4bcn.sqlite3").exists():
            built = {"profiles": float(args.profiles), "seconds": float("nan")}
        else:
            built = asyncio.run(fill_sqlite(data_dir, args.profiles, args.batch))
        sqlite_bytes = sum(size_of(path) for path in data_dir.glob("dsi4bcn.sqlite3*"))
        print(
            f"sqlite: {built['profiles']:.0f} profiles in {built['seconds']:.1f} s "
            f"({built['profiles'] / built['seconds']:.0f}/s), {sqlite_bytes / MiB:.0f} MiB",
            flush=True,
        )
        results = {name: run_store(name, data_dir, work, args) for name in args.stores.split(",")}
        report(args, built, sqlite_bytes, results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
