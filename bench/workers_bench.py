"""Reads per second with ``serve --workers 2`` next to one worker, in the same run (issue 14: at least 1.7x).

Starts two demo nodes on 127.0.0.1, one with one worker and one with two, and loads each in interleaved
rounds with wrk (Debian package ``wrk``; one thread, fixed duration; a bounded Python client if wrk is
missing): an ActivityStreams actor GET, a WebFinger lookup, and directory queries (the JSON API with a
text query and a filter, and the directory page). Keep-alive connections are spread between the workers
when they connect, so the load uses more connections than workers. Prints each rate and the ratio, and
where the CPU went: the cores wrk used (it shares the machine's two cores with the node) and the node's
requests per CPU-second of its own processes, with one worker and with two. The baseline, in the same run:
a bare aiohttp handler (``bench/bare_server.py``) in one process and in two on one port (``SO_REUSEPORT``),
the most that two processes of Python and aiohttp gain on this machine with this load generator.

    .venv/bin/python bench/workers_bench.py [--seconds 8] [--connections 32] [--rounds 3]
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.actor_gets import ACTIVITY_JSON, measure  # noqa: E402
from tests.support.http import fetch  # noqa: E402
from tests.support.nodes import Node, free_port, start_node  # noqa: E402

PROJECT = "taller-mobil-de-fabricacio"


BARE = "bare aiohttp (baseline)"


class BareServers:
    """``count`` bare aiohttp processes on one port (``SO_REUSEPORT``), stopped by ``stop()``."""

    def __init__(self, count: int) -> None:
        self.port = free_port()
        script = str(ROOT / "bench" / "bare_server.py")
        self.processes = [
            subprocess.Popen([sys.executable, script, str(self.port), "--reuse-port"]) for _ in range(count)
        ]
        self.url = f"http://127.0.0.1:{self.port}/actor"
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(self.url, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        time.sleep(1)  # the second process binds the port a moment after the first answers

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(10)


def _targets(node: Node) -> list[tuple[str, str, str]]:
    handle = quote(f"acct:{PROJECT}@127.0.0.1:{node.port}")
    return [
        ("AS2 actor GET", f"{node.base_url}/projects/{PROJECT}", ACTIVITY_JSON),
        ("WebFinger", f"{node.base_url}/.well-known/webfinger?resource={handle}", "application/jrd+json"),
        ("directory API query", f"{node.base_url}/api/directory?q=taller&kind=project", "application/json"),
        ("directory page", f"{node.base_url}/directory?q=barri", "text/html"),
    ]


def _tree_cpu_seconds(root: int) -> float:
    """User plus system CPU seconds of process ``root`` and every process under it (workers, graph process)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += times.get(pid, 0.0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _loader_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measured(pids: list[int], url: str, accept: str, seconds: int, connections: int) -> tuple[float, float, float]:
    """Requests per second, the cores the load generator used, and requests per CPU-second of the server
    (the processes ``pids`` and those under them)."""

    def server_cpu() -> float:
        return sum(_tree_cpu_seconds(pid) for pid in pids)

    node_before, loader_before = server_cpu(), _loader_cpu_seconds()
    rate = measure(url, accept, seconds, connections)
    node_cpu = server_cpu() - node_before
    loader_cores = (_loader_cpu_seconds() - loader_before) / seconds
    return rate, loader_cores, rate * seconds / max(node_cpu, 0.01)


def _wait_for_workers(node: Node, count: int, seconds: float = 60.0) -> None:
    """Wait until ``count`` workers answer ``/healthz`` (the secondaries start after the primary is ready)."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while len(seen) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only workers {sorted(seen)} answered within {seconds:.0f} s")
        seen.add(fetch(f"{node.base_url}/healthz", timeout=5).json()["worker"])


def _all_targets(node: Node, bare: BareServers) -> list[tuple[str, list[int], str, str]]:
    """The bare baseline then the node's targets, each with the processes whose CPU it is charged."""
    assert node.process is not None
    baseline = (BARE, [process.pid for process in bare.processes], bare.url, ACTIVITY_JSON)
    return [baseline, *((name, [node.process.pid], url, accept) for name, url, accept in _targets(node))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        nodes: dict[int, Node] = {}
        bares: dict[int, BareServers] = {}
        try:
            for workers in (1, 2):
                bares[workers] = BareServers(workers)
                extra = ["--workers", str(workers)]
                nodes[workers] = start_node(Path(folder) / f"node{workers}", demo=True, extra_args=extra)
            _wait_for_workers(nodes[2], 2)
            tool = "wrk" if shutil.which("wrk") else "python aiohttp client"
            print(
                f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}; load: {tool}, {args.connections} connections, "
                f"{args.seconds} s each, {args.rounds} interleaved rounds"
            )
            targets = {workers: _all_targets(nodes[workers], bares[workers]) for workers in (1, 2)}
            for listed in targets.values():
                for _name, _pids, url, accept in listed:
                    measure(url, accept, 1, args.connections)  # warm up caches
            samples: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
            for _ in range(args.rounds):
                for index in range(len(targets[1])):
                    for workers, listed in targets.items():
                        name, pids, url, accept = listed[index]
                        measured = _measured(pids, url, accept, args.seconds, args.connections)
                        samples.setdefault((name, workers), []).append(measured)
            for name, *_rest in targets[1]:
                one, two = (
                    [statistics.median(column) for column in zip(*samples[(name, workers)], strict=True)]
                    for workers in (1, 2)
                )
                print(
                    f"{name:26s} 1 process {one[0]:8.0f} req/s   2 processes {two[0]:8.0f} req/s   "
                    f"ratio {two[0] / one[0]:.2f}   wrk used {one[1]:.2f} / {two[1]:.2f} cores   "
                    f"server req per CPU-second {one[2]:.0f} / {two[2]:.0f}"
                )
        finally:
            for node in nodes.values():
                node.stop()
            for bare in bares.values():
                bare.stop()


if __name__ == "__main__":
    main()
