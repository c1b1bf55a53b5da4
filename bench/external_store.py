"""The aggregated graph on the embedded store, on Oxigraph server and on Virtuoso, side by side.

For each store, on the same synthetic directory (bench/synthetic.py: N projects plus N/5 organisations on a
peer origin): ingest into a fresh node's SQLite while the graph sync writes to the store, as a running node
does (profiles per second, ingest alone and until every graph is in the store); then start a node on that
data folder and time the query set of bench/graph_bench.py through its ``/sparql`` (median of ``--rounds``
after one warm-up). The engines are started by tests/support/engines.py on 127.0.0.1 and stopped after.
Bounded: ``--projects`` profiles (default 10,000) and ``--limit`` seconds for each store's sync.

    .venv/bin/python bench/external_store.py --projects 10000
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.graph_bench import ORIGIN, QUERIES  # noqa: E402
from bench.synthetic import directory  # noqa: E402
from dsi4bcn.config import load_config  # noqa: E402
from dsi4bcn.fediverse.ingest import Ingestor  # noqa: E402
from dsi4bcn.graph.process import GraphService  # noqa: E402
from dsi4bcn.graph.remotestore import RemoteStore  # noqa: E402
from dsi4bcn.graph.store import GraphStore  # noqa: E402
from dsi4bcn.graph.sync import GraphSync  # noqa: E402
from dsi4bcn.sparql.examples import PREFIXES  # noqa: E402
from dsi4bcn.storage.database import Database, open_database  # noqa: E402
from dsi4bcn.storage.localactors import ProfileStore  # noqa: E402
from dsi4bcn.storeconfig import StoreConfig  # noqa: E402
from tests.support.engines import Engine, start_oxigraph, start_virtuoso  # noqa: E402
from tests.support.http import fetch  # noqa: E402
from tests.support.nodes import start_node  # noqa: E402

SLOW = 20.0  # seconds: a query slower than this once is timed once, not ``--rounds`` times


def endpoint_latencies(base_url: str, rounds: int) -> dict[str, float]:
    """Median seconds of each query through ``/sparql`` after a warm-up; a failed query (time limit) is inf."""
    results = {}
    for name, query in QUERIES.items():
        url = f"{base_url}/sparql?{urlencode({'query': PREFIXES + query})}"
        timings = []
        for _ in range(rounds + 1):
            start = time.perf_counter()
            answer = fetch(url, headers={"Accept": "application/sparql-results+json"}, timeout=90)
            timings.append(time.perf_counter() - start if answer.status == 200 else float("inf"))
            if timings[0] > SLOW:
                break
        results[name] = statistics.median(timings[1:] or timings)
    return results


def _store(engine: Engine | None, data_dir: Path, database: Database) -> GraphStore:
    if engine is None:
        return GraphService(data_dir / "graph")
    password = engine.password_file.read_text().strip() if engine.password_file else None
    settings = StoreConfig(engine.query_url, engine.update_url, engine.gsp_url, engine.user, password, engine.auth)
    return RemoteStore(settings, database)


async def build(data_dir: Path, documents: list[str], engine: Engine | None, limit: float) -> dict[str, float]:
    """Ingest into SQLite while the sync writes to the store; rates in profiles per second."""
    config = load_config(data_dir=str(data_dir), environ={})
    database = Database(await open_database(config.database_path))
    store = _store(engine, config.data_dir, database)
    await store.start()
    sync = GraphSync(config, database, ProfileStore(database), store)
    await sync.reconcile()
    while await sync.sync_once():  # the vocabulary first, outside the measurement
        pass
    sync_task = asyncio.create_task(sync.run())
    ingestor = Ingestor(database, sync.wake.set)
    start = time.perf_counter()
    for offset in range(0, len(documents), 500):
        batch = [json.loads(text) for text in documents[offset : offset + 500]]
        outcomes = await ingestor.ingest_many(batch, peer=f"{ORIGIN}/actor")
        if any(outcome != "ingested" for outcome in outcomes):
            raise SystemExit(f"profiles refused: {[o for o in outcomes if o != 'ingested'][:3]}")
    ingest_seconds = time.perf_counter() - start
    while await sync.pending() and time.perf_counter() - start < limit:
        sync.wake.set()
        await asyncio.sleep(0.05)
    total_seconds = time.perf_counter() - start
    left = await sync.pending()
    sync_task.cancel()
    stats = await store.stats()
    await store.stop()
    await database.close()
    synced = len(documents) - left
    return {
        "ingest": len(documents) / ingest_seconds,
        "end_to_end": synced / total_seconds,
        "synced": synced,
        "triples": stats["triples"],
        "total_s": total_seconds,
    }


def measure(
    name: str, starter: Callable[[Path], Engine] | None, documents: list[str], args: argparse.Namespace
) -> dict[str, float]:
    """Ingest, then the query set through a node's endpoint, for one store."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as folder:
        engine = starter(Path(folder) / "engine") if starter else None
        try:
            data_dir = Path(folder) / "node"
            built = asyncio.run(build(data_dir, documents, engine, args.limit))
            print(
                f"{name}: ingest {built['ingest']:.0f} profiles/s; end to end {built['end_to_end']:.0f} profiles/s "
                f"({built['synced']:.0f} in {built['total_s']:.1f} s); {built['triples']:.0f} triples",
                flush=True,
            )
            latencies: dict[str, float] = {}
            for dataset in args.dataset.split(",") if engine else ["embedded"]:
                env = {"DSI4BCN_QUERY_TIMEOUT": "60", "DSI4BCN_QUERIES_PER_CLIENT": "4"}
                env["DSI4BCN_GRAPH_STORE_DATASET"] = "explicit" if dataset == "embedded" else dataset
                flags = [flag for flag in engine.node_args() if "-dataset=" not in flag] if engine else []
                node = start_node(data_dir, env=env, extra_args=flags)
                try:
                    measured = endpoint_latencies(node.base_url, args.rounds)
                finally:
                    node.stop()
                latencies |= {f"{dataset}:{query}": measured[query] for query in QUERIES}
                print(f"{name} ({dataset}): " + ", ".join(f"{measured[q] * 1000:.0f}" for q in QUERIES), flush=True)
        finally:
            if engine is not None:
                engine.stop()
    return {**built, **latencies}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds at most for each store's sync")
    parser.add_argument("--stores", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--dataset", default="explicit,engine", help="the external stores' dataset modes to time")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    documents = [json.dumps(document) for document in directory(args.projects, origin=ORIGIN)]
    print(f"directory: {args.projects} projects, {len(documents) - args.projects} organisations")
    print(f"external stores, dataset modes: {args.dataset}")
    starters = {"embedded": None, "oxigraph": lambda path: start_oxigraph(path, timeout=70), "virtuoso": start_virtuoso}
    names = [name for name in args.stores.split(",") if name in starters]
    results = {name: measure(name, starters[name], documents, args) for name in names}
    print(f"\n{'':34s}" + "".join(f"{name:>12s}" for name in names))
    print(f"{'ingest, profiles/s':34s}" + "".join(f"{results[n]['ingest']:12.0f}" for n in names))
    print(f"{'until in the store, profiles/s':34s}" + "".join(f"{results[n]['end_to_end']:12.0f}" for n in names))
    for mode in args.dataset.split(","):
        print(f"\nquery latency, ms (external stores: --graph-store-dataset {mode})")
        for query in QUERIES:
            cells = [results[n].get(f"{mode}:{query}", results[n].get(f"embedded:{query}", 0.0)) for n in names]
            print(f"{query:34s}" + "".join(f"{cell * 1000:12.1f}" for cell in cells))


if __name__ == "__main__":
    main()
