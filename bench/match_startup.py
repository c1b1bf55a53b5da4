"""How long a node with a large aggregated directory takes to answer /api/match after a restart.

Builds a data folder with a synthetic directory of N projects (plus N/5 organisations) received from a
peer, ingested and written to the graph as a running node does (bench/graph_bench.py's ``build``), then
starts a node process on it and reports:

- seconds until /healthz answers, and until /api/match answers 200 (the matching index is loaded);
- the slowest /healthz answer while the index loads (polled every 50 ms): how much loading holds up the
  event loop.

    .venv/bin/python bench/match_startup.py --projects 20000
"""

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.graph_bench import ORIGIN, build  # noqa: E402
from bench.synthetic import directory  # noqa: E402
from tests.support.http import fetch  # noqa: E402
from tests.support.nodes import start_node  # noqa: E402


def measure(data_dir: Path, asker: str, limit: float = 600.0) -> dict[str, float]:
    """Start a node on ``data_dir``; time its health, its first match answer, and its slowest health check."""
    start = time.perf_counter()
    node = start_node(data_dir)
    healthy = time.perf_counter() - start
    query = urlencode({"project": asker, "limit": 10})
    slowest = 0.0
    matched = None
    try:
        while time.perf_counter() - start < limit:
            before = time.perf_counter()
            assert fetch(f"{node.base_url}/healthz", timeout=60).status == 200
            slowest = max(slowest, time.perf_counter() - before)
            try:  # /api/match waits for the index; a short timeout keeps the health checks going
                if fetch(f"{node.base_url}/api/match?{query}", timeout=0.05).status == 200:
                    matched = time.perf_counter() - start
                    break
            except TimeoutError:
                pass
            time.sleep(0.05)
    finally:
        node.stop()
    if matched is None:
        raise SystemExit(f"/api/match did not answer within {limit} s")
    return {"healthy_s": healthy, "matched_s": matched, "slowest_health_ms": slowest * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    documents = [json.dumps(document) for document in directory(args.projects, seed=args.seed)]
    asker = next(json.loads(text)["id"] for text in documents if "/projects/" in json.loads(text)["id"])
    assert asker.startswith(ORIGIN)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        data_dir = Path(folder) / "node"
        built = asyncio.run(build(data_dir, documents))
        print(f"built: {built['graphs']} graphs in {built['total_s']:.1f} s")
        result = measure(data_dir, asker)
    print(f"profiles: {len(documents)}")
    print(f"healthy after {result['healthy_s']:.1f} s")
    print(f"/api/match answers after {result['matched_s']:.1f} s")
    print(f"slowest /healthz while the index loads: {result['slowest_health_ms']:.0f} ms")


if __name__ == "__main__":
    main()
