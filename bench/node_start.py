"""How long a node takes to start: to its first answer, and until every profile is in its graph.

Starts, on 127.0.0.1, a bare aiohttp server (the baseline: an interpreter, aiohttp and a socket), an empty
node and a demo node (25 profiles with their keys, three calls), each in a fresh data folder, ``--rounds``
times in turn, and prints the median seconds to the first ``/healthz`` answer and, for the nodes, until
``/api/graph`` reports nothing unsynced, with each as a multiple of the baseline.

    .venv/bin/python bench/node_start.py [--rounds 3]
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.nodes import free_port, start_node  # noqa: E402

TIMEOUT = 120.0  # seconds: a start slower than this is a failure, not a measurement


def _first_answer(process: subprocess.Popen[bytes], url: str, started: float, what: str) -> float:
    """Seconds from ``started`` to the first 200 from ``url``; the process is stopped either way."""
    try:
        while time.perf_counter() - started < TIMEOUT:
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{what} did not answer within {TIMEOUT:.0f} s")
    finally:
        process.terminate()
        process.wait(timeout=20)


def _bare_start() -> float:
    """Seconds from launching the bare server to its first answer."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port)])
    return _first_answer(process, f"http://127.0.0.1:{port}/", started, "the bare server")


def _settled_start(folder: Path, demo: bool) -> float:
    """Seconds from launch until ``/api/graph`` reports nothing unsynced (``start_node`` waits for both)."""
    started = time.perf_counter()
    node = start_node(folder, demo=demo, extra_args=[])
    elapsed = time.perf_counter() - started
    node.stop()
    return elapsed


def _healthy_only(folder: Path, demo: bool) -> float:
    """Seconds from launch to the first 200 from ``/healthz`` (the graph may still be filling)."""
    port = free_port()
    args = [sys.executable, "-m", "dsi4bcn", "serve", "--data-dir", str(folder), "--host", "127.0.0.1"]
    args += ["--port", str(port), "--allow-private-network"] + (["--demo"] if demo else [])
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DSI4BCN_")}
    environment["DSI4BCN_ADMIN_TOKEN"] = "bench-admin-token-0123456789"
    started = time.perf_counter()
    process = subprocess.Popen(args, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _first_answer(process, f"http://127.0.0.1:{port}/healthz", started, "the node")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-start-") as folder:
        for round_number in range(args.rounds):
            samples.setdefault("bare aiohttp server, first answer", []).append(_bare_start())
            for demo in (False, True):
                name = "demo node" if demo else "empty node"
                base = Path(folder) / f"{name.split()[0]}-{round_number}"
                samples.setdefault(f"{name}, first answer", []).append(_healthy_only(base / "a", demo))
                samples.setdefault(f"{name}, graph settled", []).append(_settled_start(base / "b", demo))
    baseline = statistics.median(samples["bare aiohttp server, first answer"])
    for name, values in samples.items():
        median = statistics.median(values)
        spread = ", ".join(f"{value:.2f}" for value in values)
        print(f"{name:36s} {median:6.2f} s  ({median / baseline:4.1f}x the baseline; {spread})")


if __name__ == "__main__":
    main()
