"""A small ActivityPub server of our own for tests: actors with keys, inboxes that record (or fail).

Used where a test needs many remote actors, misbehaving inboxes, or hand-made signatures; the third-party
peer tests use Fedify instead. It runs aiohttp in a background thread on 127.0.0.1.
"""

import asyncio
import json
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from federation.httpsig import sign_headers
from federation.keys import generate_key_pair
from federation.types import KeyPair
from tests.support.nodes import free_port

__all__ = ["ActorServer", "FakeActor"]

ACTIVITY_JSON = "application/activity+json"


@dataclass(frozen=True)
class FakeActor:
    """One actor of the fake server."""

    id: str
    inbox: str
    key_id: str
    keys: KeyPair

    def sign(self, url: str, body: bytes, *, key_id: str | None = None, now: datetime | None = None) -> dict[str, str]:
        """Headers of a draft-cavage signed POST of ``body`` to ``url`` by this actor."""
        return sign_headers(
            method="POST",
            url=url,
            key_id=key_id or self.key_id,
            private_key_pem=self.keys.private_pem,
            now=now or datetime.now(UTC),
            body=body,
            content_type=ACTIVITY_JSON,
        )


def send_follow(inbox: str, follower: FakeActor, target: str) -> dict[str, Any]:
    """POST a signed ``Follow`` of ``target`` by ``follower`` to ``inbox``; the Follow (asserts 202)."""
    from tests.support.http import fetch

    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{follower.id}/follows/{uuid.uuid4()}",
        "type": "Follow",
        "actor": follower.id,
        "object": target,
    }
    body = json.dumps(follow).encode()
    answer = fetch(inbox, method="POST", headers=follower.sign(inbox, body), body=body)
    assert answer.status == 202, answer.body
    return follow


class ActorServer:
    """Hosts actors at ``/users/{name}``; records what their inboxes receive."""

    def __init__(
        self,
        *,
        shared_inbox: bool = True,
        host: str = "127.0.0.1",
        keys: KeyPair | None = None,
        host_name: str | None = None,
    ) -> None:
        self.host = host
        self.port = free_port()
        # The host in the actors' URLs; "localhost" puts them on another domain than 127.0.0.1.
        self.base_url = f"http://{host_name or host}:{self.port}"
        self.keys = keys or generate_key_pair()  # one key pair for every actor: key generation is slow
        self.shared_inbox = shared_inbox
        self.actors: dict[str, FakeActor] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.fail_first: dict[str, int] = {}
        self.gone: set[str] = set()
        self.gone_documents: set[str] = set()  # paths answered with 410 and a Tombstone
        self.gets: dict[str, int] = defaultdict(int)
        self.delays: dict[str, float] = {}  # seconds to wait before answering a GET of a path (with its query)
        self.attempts: dict[str, int] = defaultdict(int)
        self.inbox_delay = 0.0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake actor server did not start")

    # --- actors -------------------------------------------------------------------------------------

    def add_actor(self, name: str, *, with_shared_inbox: bool | None = None) -> FakeActor:
        """Create an actor; its document is served at its id."""
        actor_id = f"{self.base_url}/users/{name}"
        actor = FakeActor(actor_id, f"{actor_id}/inbox", f"{actor_id}#main-key", self.keys)
        document: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": name,
            "inbox": actor.inbox,
            "outbox": f"{actor_id}/outbox",
            "followers": f"{actor_id}/followers",
            "publicKey": {"id": actor.key_id, "owner": actor_id, "publicKeyPem": self.keys.public_pem},
        }
        shared = self.shared_inbox if with_shared_inbox is None else with_shared_inbox
        if shared:
            document["endpoints"] = {"sharedInbox": f"{self.base_url}/inbox"}
        with self._lock:
            self.actors[name] = actor
            self.documents[f"/users/{name}"] = document
        return actor

    def rotate_key(self, name: str) -> FakeActor:
        """Give actor ``name`` a new key pair (same key id), as after a key rotation."""
        keys = generate_key_pair()
        with self._lock:
            old = self.actors[name]
            actor = FakeActor(old.id, old.inbox, old.key_id, keys)
            self.actors[name] = actor
            document = dict(self.documents[f"/users/{name}"])
            document["publicKey"] = dict(document["publicKey"], publicKeyPem=keys.public_pem)
            self.documents[f"/users/{name}"] = document
        return actor

    def serve_document(self, path: str, document: dict[str, Any]) -> str:
        """Serve any JSON document at ``path`` (for id-mismatch and similar cases); its URL."""
        with self._lock:
            self.documents[path] = document
        return self.base_url + path

    def inbox_items(self, name: str) -> list[dict[str, Any]]:
        """What the inbox ``name`` ('shared' for the shared inbox) received, in order."""
        with self._lock:
            return list(self.received[name])

    def unique_ids(self, name: str, kind: str | None = None) -> set[str]:
        """Distinct activity ids an inbox received (receivers dedupe by id)."""
        return {item["id"] for item in self.inbox_items(name) if kind is None or item.get("type") == kind}

    # --- server ---------------------------------------------------------------------------------------

    async def _document(self, request: web.Request) -> web.Response:
        with self._lock:
            self.gets[request.path] += 1
            delay = self.delays.get(request.path_qs, 0.0)
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            document = self.documents.get(request.path_qs) or self.documents.get(request.path)
            if request.path in self.gone_documents:
                tombstone = {"id": self.base_url + request.path, "type": "Tombstone"}
                return web.Response(status=410, body=json.dumps(tombstone).encode(), content_type="application/json")
        if document is None:
            return web.Response(status=404)
        response = web.Response(body=json.dumps(document).encode())
        response.headers["Content-Type"] = ACTIVITY_JSON
        return response

    async def _inbox(self, request: web.Request) -> web.Response:
        name = request.match_info.get("name", "shared")
        body = await request.read()
        if self.inbox_delay:
            await asyncio.sleep(self.inbox_delay)
        with self._lock:
            self.attempts[name] += 1
            if name in self.gone:
                return web.Response(status=410, text="gone")
            if self.attempts[name] <= self.fail_first.get(name, 0):
                return web.Response(status=503, text="not now")
            self.received[name].append(json.loads(body))
        return web.Response(status=202)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/users/{name}/inbox", self._inbox)
        app.router.add_post("/inbox", self._inbox)
        app.router.add_get("/{tail:.*}", self._document)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, self.host, self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        """Stop the server thread."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def wait_until(self, predicate: Any, timeout: float = 30.0) -> None:
        """Poll ``predicate()`` until true; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError("the fake actors did not receive what was expected in time")
