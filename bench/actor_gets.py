"""WebFinger and ActivityStreams actor GETs per second, next to a bare aiohttp handler in the same run.

Starts a demo node and the bare handler as separate processes on 127.0.0.1, then loads each with wrk
(Debian package ``wrk``; one thread, 16 connections, fixed duration), or with a bounded Python client if
wrk is missing. Prints one line per target and the ratio the issue asks for (actor ≥ half the bare rate).

    .venv/bin/python bench/actor_gets.py [--seconds 10] [--connections 16]
"""

import argparse
import asyncio
import os
import platform
import re
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

from tests.support.nodes import free_port, start_node  # noqa: E402

ACTIVITY_JSON = "application/activity+json"


def _wait(url: str, timeout: float = 20.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str, accept: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-H", f"Accept: {accept}", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error answers")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    return float(match.group(1))


async def _python_load(url: str, accept: str, seconds: int, connections: int) -> float:
    import aiohttp

    done = 0
    deadline = time.monotonic() + seconds
    limit = 200_000  # bounded in count as well as in time

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.monotonic() < deadline and done < limit:
            async with session.get(url, headers={"Accept": accept}) as response:
                await response.read()
                assert response.status == 200
            done += 1

    start = time.monotonic()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    return done / (time.monotonic() - start)


def measure(url: str, accept: str, seconds: int, connections: int) -> float:
    """Requests per second against ``url``."""
    if shutil.which("wrk"):
        return _wrk(url, accept, seconds, connections)
    return asyncio.run(_python_load(url, accept, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    args = parser.parse_args()

    port = free_port()
    bare = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port)])
    with tempfile.TemporaryDirectory() as folder:
        node = start_node(Path(folder) / "node", demo=True)
        try:
            _wait(f"http://127.0.0.1:{port}/")
            handle = quote(f"acct:taller-mobil-de-fabricacio@127.0.0.1:{node.port}")
            targets = [
                ("bare aiohttp handler", f"http://127.0.0.1:{port}/actor", ACTIVITY_JSON),
                (
                    "WebFinger",
                    f"{node.base_url}/.well-known/webfinger?resource={handle}",
                    "application/jrd+json",
                ),
                ("AS2 actor GET", f"{node.base_url}/projects/taller-mobil-de-fabricacio", ACTIVITY_JSON),
            ]
            tool = "wrk" if shutil.which("wrk") else "python aiohttp client"
            print(
                f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}; load: {tool}, {args.connections} connections, "
                f"{args.seconds} s each"
            )
            samples: dict[str, list[float]] = {name: [] for name, _, _ in targets}
            for _, url, accept in targets:
                measure(url, accept, 1, args.connections)  # warm up caches
            # Interleaved rounds, so that a burst of other load on the machine hits every target alike.
            for _ in range(args.rounds):
                for name, url, accept in targets:
                    samples[name].append(measure(url, accept, args.seconds, args.connections))
            rates = {name: statistics.median(values) for name, values in samples.items()}
            for name, values in samples.items():
                spread = ", ".join(f"{value:.0f}" for value in values)
                print(f"{name:24s} {rates[name]:10.0f} req/s (median of {spread})")
            bare_rate = rates["bare aiohttp handler"]
            for name in ("WebFinger", "AS2 actor GET"):
                print(f"{name} / bare: {rates[name] / bare_rate:.2f}")
        finally:
            node.stop()
            bare.terminate()
            bare.wait(timeout=10)


if __name__ == "__main__":
    main()
