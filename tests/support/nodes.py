"""Start real dsi4bcn node processes on free 127.0.0.1 ports, each with its own data folder."""

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.forkserver import ForkedProcess, needs_fresh_interpreter, start_forked

__all__ = ["ADMIN_TOKEN", "Node", "free_port", "start_node"]

ADMIN_TOKEN = "test-admin-token-0123456789"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """A running node process and how to reach it."""

    data_dir: Path
    port: int
    base_url: str
    args: list[str]
    env: dict[str, str]
    process: "subprocess.Popen[bytes] | ForkedProcess | None" = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def token(self) -> str:
        return self.env["DSI4BCN_ADMIN_TOKEN"]

    @property
    def database(self) -> Path:
        return self.data_dir / "dsi4bcn.sqlite3"

    def start(self, timeout: float = 60.0) -> None:
        """Start the process and wait until /healthz answers 200."""
        if needs_fresh_interpreter(self.env):
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "dsi4bcn", "serve", *self.args],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                )
        else:
            self.process = start_forked(["serve", *self.args], self.env, self.log_path)
        deadline = time.monotonic() + timeout
        context = self._tls_context()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1, context=context) as answer:
                    if answer.status == 200:
                        self.settle(max(deadline - time.monotonic(), 0.1))
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"node did not become healthy in {timeout} s:\n{self.log()}")

    def settle(self, timeout: float = 10.0) -> None:
        """Wait (``timeout`` seconds at most) until every written profile is in the graph, so that a
        test's database snapshot is not taken while the node is still marking graphs synced."""
        context = self._tls_context()
        request = urllib.request.Request(
            f"{self.base_url}/api/graph", headers={"Authorization": f"Bearer {self.token}"}
        )
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(request, timeout=2, context=context) as answer:
                    status = json.loads(answer.read())
                if status["unsynced"] == 0:
                    return
                last = f"{status['unsynced']} graph(s) still unsynced"
            except (OSError, ValueError, KeyError) as error:
                last = f"{type(error).__name__}: {error}"
            time.sleep(0.05)
        raise AssertionError(f"the node's graph did not settle in {timeout:g} s ({last}):\n{self.log()[-3000:]}")

    def _tls_context(self) -> ssl.SSLContext | None:
        """A context that accepts the node's self-signed test certificate, or None for plain HTTP."""
        if not self.base_url.startswith("https"):
            return None
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same port and data folder."""
        self.stop()
        self.start()

    def log(self) -> str:
        """What the process printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def start_node(
    data_dir: Path,
    *,
    demo: bool = False,
    tls: tuple[Path, Path] | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
    allow_private_network: bool = True,
    host_name: str = "127.0.0.1",
) -> Node:
    """Start a node on a free port, with the test admin token and (by default) private network allowed.

    It listens on 127.0.0.1; ``host_name`` is the host of its public URL (``--base-url``): ``localhost``
    gives a node on another domain than the ones at ``127.0.0.1``, e.g. to block it.
    """
    port = free_port()
    scheme = "https" if tls else "http"
    args = ["--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    if host_name != "127.0.0.1":
        args += ["--base-url", f"{scheme}://{host_name}:{port}"]
    if allow_private_network:
        args.append("--allow-private-network")
    if demo:
        args.append("--demo")
    if tls:
        args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    args += extra_args or []
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DSI4BCN_")}
    environment["DSI4BCN_ADMIN_TOKEN"] = ADMIN_TOKEN
    environment["PYTHONUNBUFFERED"] = "1"
    environment.update(env or {})
    node = Node(data_dir=data_dir, port=port, base_url=f"{scheme}://{host_name}:{port}", args=args, env=environment)
    node.start()
    return node
