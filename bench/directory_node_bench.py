"""The directory through a real node process at scale: restart, HTTP next to in process, edit latency.

On a data folder holding N synthetic received projects (bench/synthetic.py, ingested and in the graph as
bench/graph_bench.py's ``build`` leaves them; built here first if ``--data`` has none), it reports:

1. restart: seconds from starting the node process to the first 200 from ``/directory``, without a
   snapshot of the directory index (deleted first: the index is built from the database) and with the one
   that build saved;
2. the queries of bench/directory_bench.py (text, two filters, every facet's counts) through HTTP, as
   ``/api/directory`` (JSON) and the ``/directory`` page, next to the same queries in process on the same
   index (read from the node's snapshot in this process), in alternating blocks: medians, p95 and ratios;
3. an edit of a local project through the admin API until ``/api/directory`` finds its new name, next to
   the graph sync's latency in the same edit (until ``/api/graph`` reports nothing unsynced).

Every loop is bounded in count and time; the node listens on 127.0.0.1 only.

    nice .venv/bin/python bench/directory_node_bench.py --data /tmp/dir100k --projects 100000
"""

import argparse
import asyncio
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.directory_bench import QUERIES  # noqa: E402
from bench.graph_bench import build, wait_until_idle  # noqa: E402
from bench.synthetic import directory  # noqa: E402
from dsi4bcn.directory.engine import DirectoryIndex  # noqa: E402
from dsi4bcn.directory.query import DirectoryQuery  # noqa: E402
from dsi4bcn.directory.snapshot import SNAPSHOT_NAME, load_snapshot  # noqa: E402
from tests.support.http import api, fetch  # noqa: E402
from tests.support.nodes import ADMIN_TOKEN, Node, free_port  # noqa: E402


def _params(query: DirectoryQuery) -> str:
    pairs = [("q", query.text)] + [(facet, key) for facet, keys in query.filters.items() for key in sorted(keys)]
    return urlencode(pairs)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def launch(node: Node) -> None:
    """Start the node's process (not ``Node.start``: its wait for the graph asks for the store's statistics,
    a count over millions of triples at this size)."""
    with node.log_path.open("ab") as log:
        node.process = subprocess.Popen(
            [sys.executable, "-m", "dsi4bcn", "serve", *node.args], stdout=log, stderr=subprocess.STDOUT, env=node.env
        )


def first_directory(node: Node, limit: float) -> tuple[float, float]:
    """Start ``node``; seconds until /healthz answers and until /directory answers 200."""
    start = time.perf_counter()
    launch(node)
    healthy = None
    while healthy is None and time.perf_counter() - start < limit:
        try:
            if fetch(f"{node.base_url}/healthz", timeout=5).status == 200:
                healthy = time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
    if healthy is None:
        raise SystemExit(f"/healthz did not answer within {limit} s")
    while time.perf_counter() - start < limit:
        try:
            if fetch(f"{node.base_url}/directory", timeout=limit).status == 200:
                return healthy, time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"/directory did not answer within {limit} s")


def wait_for(path: Path, limit: float) -> float:
    """Seconds until ``path`` exists (at most ``limit``)."""
    start = time.perf_counter()
    while not path.exists() and time.perf_counter() - start < limit:
        time.sleep(0.2)
    return time.perf_counter() - start


# Each answer's Server-Timing stages (name -> milliseconds), by path, from the timed requests.
STAGES: dict[str, dict[str, list[float]]] = {}


def _stages(path: str, header: str | None) -> None:
    for item in (header or "").split(","):
        name, _, duration = item.strip().partition(";dur=")
        if duration:
            STAGES.setdefault(path, {}).setdefault(name, []).append(float(duration))


def http_times(node: Node, path: str, rounds: int, limit: float, *, plain: bool = False) -> list[float]:
    """Milliseconds of ``rounds`` GETs of each query at ``path`` (fewer if ``limit`` seconds pass), on one
    kept-alive connection as a browser would; ``plain``: the path without the queries' parameters. The
    answers' ``Server-Timing`` stages are kept in ``STAGES``."""
    times: list[float] = []
    deadline = time.perf_counter() + limit
    connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=60)
    try:
        for query in QUERIES:
            target = path if plain else f"{path}?{_params(query)}"
            for number in range(rounds + 1):  # the first one warms up
                start = time.perf_counter()
                connection.request("GET", target)
                answer = connection.getresponse()
                answer.read()
                if number:
                    times.append((time.perf_counter() - start) * 1000)
                    _stages(path, answer.getheader("Server-Timing"))
                assert answer.status == 200, target
                if time.perf_counter() > deadline:
                    return times
    finally:
        connection.close()
    return times


def load_index(data_dir: Path) -> DirectoryIndex:
    """The index the node saved, read in this process."""
    snapshot = data_dir / SNAPSHOT_NAME
    with snapshot.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
        identity = json.loads(data["meta"].tobytes())["identity"]
    loaded = load_snapshot(snapshot, identity)
    assert loaded is not None
    return loaded[0]


def engine_times(index: DirectoryIndex, rounds: int) -> list[float]:
    """Milliseconds of ``rounds`` runs of each query in process (after one to warm up)."""
    times: list[float] = []
    for query in QUERIES:
        index.search(query, "ca")
        for _ in range(rounds):
            start = time.perf_counter()
            index.search(query, "ca")
            times.append((time.perf_counter() - start) * 1000)
    return times


def interleaved_times(
    node: Node, index: DirectoryIndex, rounds: int, blocks: int, limit: float
) -> dict[str, list[float]]:
    """The queries in process and through HTTP, in ``blocks`` alternating blocks of ``rounds / blocks`` each,
    so that a change in the machine's speed during the run (other jobs, frequency) weighs on both alike."""
    times: dict[str, list[float]] = {"in process": [], "/healthz": [], "/api/directory": [], "/directory": []}
    each = max(1, rounds // blocks)
    for _ in range(blocks):
        times["in process"] += engine_times(index, each)
        times["/healthz"] += http_times(node, "/healthz", each, limit, plain=True)
        times["/api/directory"] += http_times(node, "/api/directory", each, limit)
        times["/directory"] += http_times(node, "/directory", each, limit)
    return times


def _in_graph(node: Node, iri: str, name: str) -> bool:
    """Whether the graph store holds ``name`` as the name of ``iri`` (what the graph sync writes)."""
    query = f'ASK {{ GRAPH <{iri}> {{ <{iri}> <https://www.w3.org/ns/activitystreams#name> "{name}"@ca }} }}'
    answer = fetch(
        f"{node.base_url}/sparql?{urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return answer.status == 200 and bool(answer.json().get("boolean"))


def edit_latency(node: Node, edits: int, limit: float) -> list[tuple[float, float]]:
    """For each edit of a local project: seconds until the graph store holds it and until the directory
    finds it."""
    organisation = {"nameMap": {"ca": "Banc"}, "sectors": ["sector:civil-society"]}
    assert api(node.base_url, node.token, "PUT", "/api/organisations/bench-org", organisation).status in (200, 201)
    results = []
    for number in range(edits):
        word = f"benchword{number}x{int(time.time())}"
        name = f"Projecte {word}"
        document = {"organisation": "bench-org", "nameMap": {"ca": name}, "areas": ["area:maker"]}
        start = time.perf_counter()
        assert api(node.base_url, node.token, "PUT", "/api/projects/bench-project", document).status in (200, 201)
        synced = found = None
        while time.perf_counter() - start < limit and (synced is None or found is None):
            if synced is None and _in_graph(node, f"{node.base_url}/projects/bench-project", name):
                synced = time.perf_counter() - start
            if found is None:
                answer = fetch(f"{node.base_url}/api/directory?{urlencode({'q': word})}", timeout=30)
                if answer.status == 200 and answer.json()["total"] == 1:
                    found = time.perf_counter() - start
            time.sleep(0.01)
        if synced is None or found is None:
            raise SystemExit(f"edit {number} not seen within {limit} s")
        results.append((synced, found))
        time.sleep(0.5)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the node's data folder (built if missing)")
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=5, help="alternating blocks the rounds are split into")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds any one stage may take")
    parser.add_argument("--port", type=int, default=0, help="the node's port (its URL: a saved index is for one)")
    parser.add_argument("--no-cold", action="store_true", help="keep a saved index: no restart without it")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at start: {os.getloadavg()}")
    data_dir = args.data
    if not (data_dir / "dsi4bcn.sqlite3").exists():
        documents = [json.dumps(document) for document in directory(args.projects)]
        built = asyncio.run(build(data_dir, documents))
        print(f"built: {built['graphs']} graphs in {built['total_s']:.1f} s")
    snapshot = data_dir / SNAPSHOT_NAME
    port = args.port or free_port()  # one port, so one base URL, for every start (a snapshot is for one node)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DSI4BCN_")}
    environment.update(DSI4BCN_ADMIN_TOKEN=ADMIN_TOKEN, PYTHONUNBUFFERED="1")
    arguments = ["--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port), "--allow-private-network"]
    node = Node(data_dir, port, f"http://127.0.0.1:{port}", arguments, environment)
    if not (args.no_cold and snapshot.exists()):
        snapshot.unlink(missing_ok=True)
        healthy, cold = first_directory(node, args.limit)
        print(f"restart without a snapshot: healthy {healthy:.1f} s, first 200 from /directory {cold:.1f} s")
        saved = wait_for(snapshot, args.limit)
        print(f"snapshot saved {saved:.1f} s later ({snapshot.stat().st_size / 1e6:.0f} MB)")
        node.stop()  # the node saves its index again if it changed since
    healthy, warm = first_directory(node, args.limit)
    print(f"restart with the snapshot: healthy {healthy:.1f} s, first 200 from /directory {warm:.1f} s")
    print(f"load average: {os.getloadavg()}")
    try:
        assert node.process is not None
        # The matcher builds its own index after a restart (a minute of CPU in a thread of the node, which
        # holds the GIL for 5 ms at a time): timed once the node is idle, as it is in the long run.
        print(f"node idle {wait_until_idle(node.process.pid, args.limit):.0f} s after the directory answered")
        index = load_index(data_dir)
        times = interleaved_times(node, index, args.rounds, args.blocks, args.limit)
        inside_ms = statistics.median(times["in process"])
        print(f"in process (engine): median {inside_ms:.2f} ms, p95 {_p95(times['in process']):.2f} ms")
        for name in ("/healthz", "/api/directory", "/directory"):
            median = statistics.median(times[name])
            print(
                f"{name} over HTTP: median {median:.2f} ms, p95 {_p95(times[name]):.2f} ms, "
                f"ratio to in process {median / inside_ms:.2f}"
            )
        for path, stages in STAGES.items():
            inside_node = ", ".join(f"{name} {statistics.median(values):.2f}" for name, values in stages.items())
            print(f"{path} inside the node (Server-Timing medians, ms): {inside_node}")
        edits = edit_latency(node, args.edits, args.limit)
        for synced, found in edits:
            print(f"edit: graph synced after {synced * 1000:.0f} ms, in the directory after {found * 1000:.0f} ms")
        print(f"load average at the end: {os.getloadavg()}")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
