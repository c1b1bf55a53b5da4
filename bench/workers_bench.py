"""Reads per second with ``serve --workers 2`` next to one worker, in the same run (issue 14: at least 1.7x).

Starts two demo nodes on 127.0.0.1, one with one worker and one with two, and loads each in interleaved
rounds with wrk (Debian package ``wrk``; one thread, fixed duration; a bounded Python client if wrk is
missing): an ActivityStreams actor GET, a WebFinger lookup, and directory queries (the JSON API with a
text query and a filter, and the directory page). Keep-alive connections are spread between the workers
when they connect, so the load uses more connections than workers. Prints each rate and the ratio.

    .venv/bin/python bench/workers_bench.py [--seconds 8] [--connections 32] [--rounds 3]
"""

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.actor_gets import ACTIVITY_JSON, measure  # noqa: E402
from tests.support.nodes import Node, start_node  # noqa: E402

PROJECT = "taller-mobil-de-fabricacio"


def _targets(node: Node) -> list[tuple[str, str, str]]:
    handle = quote(f"acct:{PROJECT}@127.0.0.1:{node.port}")
    return [
        ("AS2 actor GET", f"{node.base_url}/projects/{PROJECT}", ACTIVITY_JSON),
        ("WebFinger", f"{node.base_url}/.well-known/webfinger?resource={handle}", "application/jrd+json"),
        ("directory API query", f"{node.base_url}/api/directory?q=taller&kind=project", "application/json"),
        ("directory page", f"{node.base_url}/directory?q=barri", "text/html"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        nodes = {
            workers: start_node(Path(folder) / f"node{workers}", demo=True, extra_args=["--workers", str(workers)])
            for workers in (1, 2)
        }
        try:
            tool = "wrk" if shutil.which("wrk") else "python aiohttp client"
            print(
                f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}; load: {tool}, {args.connections} connections, "
                f"{args.seconds} s each, {args.rounds} interleaved rounds"
            )
            samples: dict[tuple[str, int], list[float]] = {}
            for node in nodes.values():
                for _name, url, accept in _targets(node):
                    measure(url, accept, 1, args.connections)  # warm up caches
            for _ in range(args.rounds):
                for index in range(len(_targets(nodes[1]))):
                    for workers, node in nodes.items():
                        name, url, accept = _targets(node)[index]
                        rate = measure(url, accept, args.seconds, args.connections)
                        samples.setdefault((name, workers), []).append(rate)
            for name, _url, _accept in _targets(nodes[1]):
                one, two = (statistics.median(samples[(name, workers)]) for workers in (1, 2))
                print(f"{name:22s} 1 worker {one:8.0f} req/s   2 workers {two:8.0f} req/s   ratio {two / one:.2f}")
        finally:
            for node in nodes.values():
                node.stop()


if __name__ == "__main__":
    main()
