"""Ingest rate, SPARQL latencies through the endpoint next to raw pyoxigraph, and memory.

1. Generates a synthetic directory (bench/synthetic.py) of N projects (plus N/5 organisations) on a peer
   origin, and ingests it end to end: JSON parsing, JSON-LD to RDF (fast path, pyld where needed), SHACL
   validation, origin check, storage in SQLite; then the graph sync writes it to Oxigraph.
2. Starts a node process on that data folder and times a fixed set of typical queries through the HTTP
   endpoint (median of 5 after one warm-up), then stops it and runs the same queries with pyoxigraph on
   the very same on-disk store.
3. Reports the resident memory of the node and its graph process with the directory loaded.

    .venv/bin/python bench/graph_bench.py --projects 10000
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from bench.synthetic import directory  # noqa: E402
from dsi4bcn.config import load_config  # noqa: E402
from dsi4bcn.fediverse.ingest import Ingestor  # noqa: E402
from dsi4bcn.graph.process import GraphService  # noqa: E402
from dsi4bcn.graph.sync import GraphSync  # noqa: E402
from dsi4bcn.sparql.examples import PREFIXES  # noqa: E402
from dsi4bcn.storage.database import Database, open_database  # noqa: E402
from dsi4bcn.storage.localactors import ProfileStore  # noqa: E402
from tests.support.http import fetch  # noqa: E402
from tests.support.nodes import start_node  # noqa: E402

ORIGIN = "https://peer.example"
QUERIES = {
    "count projects": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dsi:Project }",
    "projects per area": "SELECT ?area (COUNT(?p) AS ?n) WHERE { ?p a dsi:Project ; dsi:area ?area } GROUP BY ?area",
    "one area, with names": (
        "SELECT ?p ?name WHERE { ?p dsi:area <https://w3id.org/dsi4bcn/area/open-data> ; "
        'as:name ?name FILTER(lang(?name) = "en") } LIMIT 100'
    ),
    "district via skos:broader*": (
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dsi:Project ; "
        "dsi:basedIn/skos:broader* <https://w3id.org/dsi4bcn/district/10> }"
    ),
    "needs met by offers, one skill": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a dsi:needs <https://w3id.org/dsi4bcn/skill/"
        "web-development> . ?b dsi:offers <https://w3id.org/dsi4bcn/skill/"
        "web-development> }"
    ),
    "one profile's graph": "SELECT * WHERE { GRAPH <https://peer.example/projects/project-42> { ?s ?p ?o } }",
    "provenance, latest 20": (
        "SELECT ?g ?m WHERE { GRAPH <urn:dsi4bcn:provenance> { ?g dcterms:modified ?m } } ORDER BY DESC(?m) LIMIT 20"
    ),
}


async def build(data_dir: Path, documents: list[str]) -> dict[str, float]:
    """Ingest (SQLite) while the graph sync writes to Oxigraph, as a running node does; rates in profiles/s."""
    config = load_config(data_dir=str(data_dir), environ={})
    database = Database(await open_database(config.database_path))
    service = GraphService(config.data_dir / "graph")
    await service.start()
    sync = GraphSync(config, database, ProfileStore(database), service)
    await sync.reconcile()
    while await sync.sync_once():  # the vocabulary first, outside the measurement
        pass
    sync_task = asyncio.create_task(sync.run())
    ingestor = Ingestor(database, sync.wake.set)
    peer = f"{ORIGIN}/actor"
    start = time.perf_counter()
    outcomes: list[str] = []
    for offset in range(0, len(documents), 500):
        batch = [json.loads(text) for text in documents[offset : offset + 500]]
        outcomes += await ingestor.ingest_many(batch, peer=peer)
    ingest_seconds = time.perf_counter() - start
    refused = [outcome for outcome in outcomes if outcome != "ingested"]
    if refused:
        raise SystemExit(f"{len(refused)} profiles refused, e.g. {refused[0]}")
    while True:
        row = await database.one("SELECT count(*) FROM graph_sync WHERE synced = 0")
        if row is not None and row[0] == 0:
            break
        sync.wake.set()
        await asyncio.sleep(0.05)
    total_seconds = time.perf_counter() - start
    sync_task.cancel()
    stats = await service.stats()
    await service.stop()
    await database.close()
    return {
        "ingest": len(documents) / ingest_seconds,
        "end_to_end": len(documents) / total_seconds,
        "triples": stats["triples"],
        "graphs": stats["graphs"],
        "ingest_s": ingest_seconds,
        "total_s": total_seconds,
    }


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0
    pids = [pid] + [
        int(child)
        for child in subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
    ]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (those still running)."""
    pids = [pid] + [
        int(child)
        for child in subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
    ]
    ticks = 0
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, limit: float = 120.0) -> float:
    """Wait until the node (and its graph process: RocksDB compacts after a big load) uses < 5 % CPU."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < 0.05:
            break
    return time.monotonic() - start


def endpoint_latencies(base_url: str, rounds: int) -> dict[str, float]:
    results = {}
    for name, query in QUERIES.items():
        url = f"{base_url}/sparql?{urlencode({'query': PREFIXES + query})}"
        answer = fetch(url, headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status == 200, (name, answer.body[:200])
        timings, inside = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            answer = fetch(url, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            timings.append(time.perf_counter() - start)
            inside.append(float(answer.headers["server-timing"].split("dur=")[1]) / 1000)
        results[name] = statistics.median(timings)
        results[name + " (graph process)"] = statistics.median(inside)
    return results


def raw_latencies(store_path: Path, rounds: int) -> dict[str, float]:
    deadline = time.monotonic() + 30
    while True:  # the node's graph process may take a moment to release the store's lock
        try:
            store = ox.Store(str(store_path))
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    results = {}
    for name, query in QUERIES.items():
        text = PREFIXES + query
        list(store.query(text, use_default_graph_as_union=True))
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            solutions = store.query(text, use_default_graph_as_union=True)
            solutions.serialize(format=ox.QueryResultsFormat.JSON)
            timings.append(time.perf_counter() - start)
        results[name] = statistics.median(timings)
    del store
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__}"
    )
    documents = [json.dumps(document) for document in directory(args.projects, origin=ORIGIN)]
    print(f"directory: {args.projects} projects, {len(documents) - args.projects} organisations")
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "node"
        built = asyncio.run(build(data_dir, documents))
        print(
            f"ingest (parse, JSON-LD, SHACL, origin, SQLite): {built['ingest']:8.0f} profiles/s "
            f"({built['ingest_s']:.1f} s)"
        )
        print(
            f"end to end, until every graph is in Oxigraph: {built['end_to_end']:8.0f} profiles/s "
            f"({built['total_s']:.1f} s); {built['triples']} triples in {built['graphs']} graphs"
        )
        node = start_node(data_dir, env={"DSI4BCN_QUERY_TIMEOUT": "60", "DSI4BCN_QUERIES_PER_CLIENT": "4"})
        try:
            settled = wait_until_idle(node.process.pid) if node.process else 0.0
            print(f"node settled in {settled:.0f} s")
            idle_memory = rss_mib(node.process.pid) if node.process else 0.0
            endpoint = endpoint_latencies(node.base_url, args.rounds)
            busy_memory = rss_mib(node.process.pid) if node.process else 0.0
        finally:
            node.stop()
        raw = raw_latencies(data_dir / "graph", args.rounds)
    print(f"memory of the node with its graph process: {idle_memory:.0f} MiB idle, {busy_memory:.0f} MiB after queries")
    print(f"{'query':34s} {'endpoint ms':>12s} {'in graph process':>17s} {'pyoxigraph ms':>14s} {'ratio':>6s}")
    for name in QUERIES:
        inside = endpoint[name + " (graph process)"]
        print(
            f"{name:34s} {endpoint[name] * 1000:12.1f} {inside * 1000:17.1f} {raw[name] * 1000:14.1f} "
            f"{endpoint[name] / max(raw[name], 1e-9):6.2f}"
        )
    total_endpoint, total_raw = sum(endpoint[name] for name in QUERIES), sum(raw.values())
    print(
        f"{'all queries':34s} {total_endpoint * 1000:12.1f} {'':17s} {total_raw * 1000:14.1f} "
        f"{total_endpoint / total_raw:6.2f}"
    )


if __name__ == "__main__":
    main()
