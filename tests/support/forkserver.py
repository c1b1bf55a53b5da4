"""Node processes forked from an interpreter that has already imported the node's code.

``python -m dsi4bcn serve`` spends about 2.3 s of CPU importing (aiohttp, numpy and scipy, rdflib, pyld,
our modules) before it does anything, and the suite starts some 150 nodes on two cores. A fork server per
pytest process imports all that once; each node is then a fork of it that runs ``python -m dsi4bcn ARGS``
as the command line would (``runpy``, the same argv, environment, working folder and ``__main__``, stdout
and stderr to the log, the interpreter's exit steps at the end), so it is the same real node process,
started in a tenth of the time.

A demo node's 25 actors each need an RSA key pair, 2.6 s of CPU a node on this machine; the server makes
those key pairs once and every demo node it forks uses them (``_reuse_demo_key_pairs``): real keys, real
signatures, distinct within a node, only the same from one demo node to the next. Actors made any other
way (the admin API, the node's own actor, key rotation) get new keys as in production.

A library that reads the environment when it is imported would have read the fork server's, so a node
whose environment sets one of ``IMPORT_TIME_VARIABLES`` starts as a fresh interpreter instead
(``needs_fresh_interpreter``); so does every node with ``DSI4BCN_TEST_FORK=0``.

The server is ``python -m tests.support.forkserver STATUS_DIR``: it reads one JSON request a line on stdin
(``argv``, ``env``, ``cwd``, and the paths for ``stdin``, ``stdout`` and ``stderr``), forks, answers
``{"pid": N}`` on stdout, reaps its children and writes each one's exit status (as ``subprocess`` gives it:
negative for a signal) to ``STATUS_DIR/PID``.
"""

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["IMPORT_TIME_VARIABLES", "ForkedProcess", "needs_fresh_interpreter", "run_dsi4bcn", "start_forked"]

# prometheus_client picks its value class (one process or shared files) when it is imported.
IMPORT_TIME_VARIABLES = ("PROMETHEUS_MULTIPROC_DIR",)
_ROOT = Path(__file__).resolve().parent.parent.parent
# What ``python -m dsi4bcn serve`` and the other commands import: the point of the fork server.
_PRELOADED = ("dsi4bcn.cli.commands", "dsi4bcn.cli.servecommand", "dsi4bcn.app")  # servecommand brings backupcommands
_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT


def needs_fresh_interpreter(env: dict[str, str]) -> bool:
    """True if a process with environment ``env`` cannot be forked from the server (see the module's doc)."""
    return os.environ.get("DSI4BCN_TEST_FORK") == "0" or any(name in env for name in IMPORT_TIME_VARIABLES)


class ForkedProcess:
    """A process the fork server started, with the part of ``subprocess.Popen``'s interface tests use; it
    is watched through a pidfd, so a signal never reaches another process that took its pid."""

    def __init__(self, pid: int, status_dir: Path, args: list[str]) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None
        self._status = status_dir / str(pid)
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it ended, and the server reaped it, before we looked
            self._pidfd = -1
            self._collect()

    def poll(self) -> int | None:
        """The exit status if the process has ended, else None."""
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self._collect()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end (``subprocess.TimeoutExpired`` after ``timeout`` seconds)."""
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            self._collect()
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, number: int) -> None:
        """Send signal ``number`` unless the process has ended."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, number)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)

    def _collect(self) -> None:
        """Read the status the server wrote when it reaped the process (it may take a moment)."""
        deadline = time.monotonic() + 10
        while not self._status.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the fork server did not report how process {self.pid} ended")
            time.sleep(0.01)
        self.returncode = int(self._status.read_text())
        if self._pidfd >= 0:
            os.close(self._pidfd)


class _Server:
    """This pytest process's fork server, started at its first use."""

    def __init__(self) -> None:
        self.status_dir = Path(tempfile.mkdtemp(prefix="dsi4bcn-forks-"))
        self.log = self.status_dir / "server.log"
        self.turn = threading.Lock()  # one request and its answer at a time, whichever thread asks
        environment = dict(os.environ, OPENBLAS_NUM_THREADS="1")  # no BLAS threads in a process that forks
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.forkserver", str(self.status_dir)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=_ROOT,
                env=environment,
            )

    def start(self, args: list[str], env: dict[str, str], streams: tuple[Path, Path, Path], cwd: Path) -> ForkedProcess:
        assert self.process.stdin is not None and self.process.stdout is not None
        stdin, stdout, stderr = (str(path) for path in streams)
        request = {"argv": args, "env": env, "cwd": str(cwd), "stdin": stdin, "stdout": stdout, "stderr": stderr}
        with self.turn:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        if not answer:
            said = self.log.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"the fork server stopped (exit code {self.process.wait()}):\n{said}")
        return ForkedProcess(int(json.loads(answer)["pid"]), self.status_dir, args)


_server: _Server | None = None
_starting = threading.Lock()


def start_forked(
    args: list[str],
    env: dict[str, str],
    log: Path,
    streams: tuple[Path, Path, Path] | None = None,
    cwd: Path | None = None,
) -> ForkedProcess:
    """Start ``python -m dsi4bcn ARGS`` with environment ``env`` as a fork of this pytest process's fork
    server: stdout and stderr appended to ``log``, or ``streams`` (stdin, stdout, stderr) if given."""
    global _server
    with _starting:
        if _server is None:
            _server = _Server()
    return _server.start(args, env, streams or (Path(os.devnull), log, log), cwd or Path.cwd())


def run_dsi4bcn(
    args: list[str],
    *,
    input: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> "subprocess.CompletedProcess[str]":
    """``subprocess.run([python, "-m", "dsi4bcn", *args], input=..., capture_output=True, text=True)``, as a
    fork of the fork server unless ``env`` needs a fresh interpreter; ``subprocess.TimeoutExpired`` (the
    process killed) after ``timeout`` seconds."""
    environment = dict(os.environ) if env is None else env
    if needs_fresh_interpreter(environment):
        command = [sys.executable, "-m", "dsi4bcn", *args]
        return subprocess.run(
            command, input=input, env=environment, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    with tempfile.TemporaryDirectory(prefix="dsi4bcn-command-") as folder:
        stdin, stdout, stderr = (Path(folder) / name for name in ("stdin", "stdout", "stderr"))
        stdin.write_text(input or "", encoding="utf-8")
        process = start_forked(args, environment, stdout, (stdin, stdout, stderr), cwd)
        try:
            returncode = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
            raise
        output, errors = (path.read_text(encoding="utf-8") if path.exists() else "" for path in (stdout, stderr))
    return subprocess.CompletedProcess(["dsi4bcn", *args], returncode, output, errors)


# The server's side.


def _serve(status_dir: Path) -> None:
    """Import the node's code, then fork a node for each request until stdin closes."""
    import importlib

    for module in _PRELOADED:
        importlib.import_module(module)
    _reuse_demo_key_pairs()

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda _number, _frame: None)
    requests = sys.stdin.buffer
    while True:
        ready = select.select([requests, wake_read], [], [])[0]
        if wake_read in ready:
            os.read(wake_read, 4096)
        _reap(status_dir)
        if requests in ready:
            line = requests.readline()
            if not line:
                return
            pid = _fork(json.loads(line), (wake_read, wake_write))
            sys.stdout.write(json.dumps({"pid": pid}) + "\n")
            sys.stdout.flush()


def _reuse_demo_key_pairs() -> None:
    """Make the demo's key pairs now, on both cores, and have the demo loader of every fork take them in turn."""
    import itertools
    from concurrent.futures import ThreadPoolExecutor

    import dsi4bcn.demo
    from federation.keys import generate_key_pair

    count = sum(1 for _ in dsi4bcn.demo.demo_profiles("https://demo.invalid"))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        pairs = list(pool.map(lambda _: generate_key_pair(), range(count)))
    taken = itertools.cycle(pairs)
    dsi4bcn.demo.generate_key_pair = lambda: next(taken)  # type: ignore[attr-defined]


def _reap(status_dir: Path) -> None:
    """Write the exit status of every child that has ended."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = os.waitstatus_to_exitcode(status)
        partial = status_dir / f"{pid}.partial"
        partial.write_text(str(code))
        partial.rename(status_dir / str(pid))


def _fork(request: dict[str, Any], wake: tuple[int, int]) -> int:
    """Fork; the child becomes ``python -m dsi4bcn ARGV`` and never returns."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for descriptor in wake:
            os.close(descriptor)
        _become_the_command(request)
        code = _run_module()
    finally:
        os._exit(code)


def _become_the_command(request: dict[str, Any]) -> None:
    """Take the request's environment, folder, streams and arguments, as a new interpreter would have them."""
    streams = ((request["stdin"], os.O_RDONLY), (request["stdout"], _APPEND), (request["stderr"], _APPEND))
    for number, (path, flags) in enumerate(streams):
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, number)
        os.close(opened)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (the process's own stdin)
    sys.stdout = _text_stream(1, "strict")
    sys.stderr = _text_stream(2, "backslashreplace")
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.argv = ["-m", *request["argv"]]


def _text_stream(descriptor: int, errors: str) -> IO[str]:
    """An unbuffered text stream on ``descriptor``, as ``PYTHONUNBUFFERED`` gives."""
    import io

    raw = io.FileIO(descriptor, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors=errors, line_buffering=True, write_through=True)


def _run_module() -> int:
    """Run ``dsi4bcn`` as ``__main__`` and finish as the interpreter would; the exit status."""
    import atexit
    import runpy
    import threading

    code = 0
    try:
        runpy.run_module("dsi4bcn", run_name="__main__", alter_sys=True)
    except SystemExit as exit_request:
        if exit_request.code is None:
            code = 0
        elif isinstance(exit_request.code, int):
            code = exit_request.code
        else:
            print(exit_request.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001  (what the interpreter does with an exception nothing caught)
        sys.excepthook(*sys.exc_info())
        code = 1
    threading._shutdown()  # type: ignore[attr-defined]  # what the interpreter does at exit: join threads
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return code


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
