"""``dsi4bcn serve --workers N``: N processes serving one port, one of them doing the background work.

The kernel shares the port's connections among the workers (``SO_REUSEPORT``). Worker 0 is the primary:
it is the node as ``serve`` runs it (the graph process, delivery, inbox processing, graph sync, peering),
and it also listens on a Unix socket only this user can reach (``Config.internal_socket``). The others are
secondaries: they answer reads themselves (``web/workerfollower.py`` keeps their indexes current) and pass
every write, the SPARQL endpoint and the admin pages on to the primary (``web/primaryproxy.py``), so that
the inbox and the admin API have one writer, lose nothing and never deliver twice.

This process only starts, watches and stops the workers: the primary first (its migrations, keys and demo
data in place before anyone else opens the database), the others once it takes connections; a worker that
dies is started again, unless workers die faster than ``MAX_RESTARTS`` a minute.
"""

import collections
import logging
import os
import shutil
import signal
import socket
import ssl
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing import connection as mp_connection
from multiprocessing import get_context
from multiprocessing.process import BaseProcess

from dsi4bcn.config import Config

__all__ = ["MAX_RESTARTS", "PoolFailed", "run_pool"]

log = logging.getLogger(__name__)
MAX_RESTARTS = 5
READY_TIMEOUT = 300.0  # a first start with demo data and a new graph store takes a while on a small VPS
STOP_TIMEOUT = 30.0
Prepare = Callable[[Config], ssl.SSLContext | None]


class PoolFailed(Exception):
    """The pool could not start or keep its workers running; the message says why."""


def run_pool(config: Config, prepare: Prepare) -> None:
    """Run ``config.workers`` workers until this process gets SIGINT or SIGTERM; ``prepare`` (a
    module-level function: it is sent to each worker) sets up a worker's logging and returns its TLS
    context. Raises ``PoolFailed``."""
    _private_socket_folder(config)
    _shared_metrics(config)
    stopping = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _signum, _frame: stopping.set())
    pool = _Pool(config, prepare)
    try:
        pool.start(0)
        pool.wait_ready(stopping)
        for index in range(1, config.workers if not stopping.is_set() else 1):
            pool.start(index)
        pool.watch(stopping)
    finally:
        pool.stop()


def _private_socket_folder(config: Config) -> None:
    """Make the internal socket's folder, ours alone (refusing one that someone else owns)."""
    folder = config.internal_socket.parent
    folder.mkdir(mode=0o700, exist_ok=True)
    status = os.lstat(folder)
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
        raise PoolFailed(f"{folder} is not a folder of this user's: remove it and start again")
    folder.chmod(0o700)


def _shared_metrics(config: Config) -> None:
    """Let every worker's /metrics add up all the workers' (prometheus_client's multiprocess mode, through
    files in an emptied folder of the pool's own), unless the operator chose the folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = config.internal_socket.parent / "metrics"
    shutil.rmtree(folder, ignore_errors=True)  # counts of an earlier run are not this run's
    folder.mkdir(mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)  # the workers inherit it


class _Pool:
    """The worker processes, by index."""

    def __init__(self, config: Config, prepare: Prepare) -> None:
        self._config = config
        self._prepare = prepare
        self._context = get_context("spawn")  # a fresh interpreter each: no event loop or threads inherited
        self._workers: dict[int, BaseProcess] = {}
        self._deaths: collections.deque[float] = collections.deque()

    def start(self, index: int) -> None:
        """Start worker ``index`` (0 is the primary)."""
        role = "primary" if index == 0 else "secondary"
        worker_config = replace(self._config, worker_role=role, worker_index=index)
        process = self._context.Process(
            target=_worker_main, args=(worker_config, self._prepare), name=f"dsi4bcn-worker-{index}", daemon=False
        )
        process.start()
        self._workers[index] = process

    def wait_ready(self, stopping: threading.Event) -> None:
        """Wait until the primary takes connections on its internal socket."""
        deadline = time.monotonic() + READY_TIMEOUT
        primary = self._workers[0]
        while not stopping.is_set():
            if not primary.is_alive():
                raise PoolFailed(f"the primary worker stopped before it was ready (exit code {primary.exitcode})")
            if _accepts(str(self._config.internal_socket)):
                return
            if time.monotonic() > deadline:
                raise PoolFailed(f"the primary worker was not ready after {READY_TIMEOUT:.0f} s")
            time.sleep(0.1)

    def watch(self, stopping: threading.Event) -> None:
        """Start again any worker that stops, until ``stopping`` is set."""
        while not stopping.is_set():
            mp_connection.wait([process.sentinel for process in self._workers.values()], timeout=0.5)
            for index, process in list(self._workers.items()):
                if process.is_alive() or stopping.is_set():
                    continue
                now = time.monotonic()
                self._deaths.append(now)
                while self._deaths and self._deaths[0] < now - 60:
                    self._deaths.popleft()
                if len(self._deaths) > MAX_RESTARTS:
                    raise PoolFailed(f"workers stopped {len(self._deaths)} times within a minute; the last: {index}")
                log.warning("worker %d stopped (exit code %s); starting it again", index, process.exitcode)
                self.start(index)

    def stop(self) -> None:
        """Ask every worker to stop (SIGTERM: aiohttp finishes what it is doing), then make sure."""
        for process in self._workers.values():
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self._workers.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def _accepts(path: str) -> bool:
    """Whether something accepts connections on the Unix socket at ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


def _worker_main(config: Config, prepare: Prepare) -> None:
    """One worker's process: the node's app, as ``serve`` runs it, in the role ``config`` gives."""
    from dsi4bcn.app import serve  # imported in the worker: the pool's own process never loads the app

    try:
        serve(config, prepare(config))
    except OSError as error:
        print(f"dsi4bcn: worker {config.worker_index} cannot listen: {error.strerror or error}", file=sys.stderr)
        sys.exit(3)
