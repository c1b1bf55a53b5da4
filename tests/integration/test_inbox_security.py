"""The inbox accepts only what it can verify: each bad request gets its status and stores nothing."""

import http.client
import json
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from federation.keys import generate_key_pair
from tests.support.fake_actors import ActorServer, FakeActor
from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node

ORGANISATION = {"nameMap": {"ca": "Clau Oberta"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "clau-oberta", "nameMap": {"ca": "Guia"}, "areas": ["area:digital-rights"]}
TABLES = ("inbox", "followers", "following", "outbox", "deliveries", "notes")
# Full stops that yarl (IDNA's UTS-46 mapping) turns into ".", and urllib.parse does not.
FULL_STOPS = ("\u3002", "\uff0e", "\uff61")


@pytest.fixture(scope="module")
def actors() -> Iterator[ActorServer]:
    server = ActorServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("inbox") / "node", env={"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01"})
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/guia", PROJECT).status == 201
    yield running
    running.stop()


@pytest.fixture(scope="module")
def strict_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A node as deployed: without --allow-private-network."""
    running = start_node(tmp_path_factory.mktemp("strict") / "node", allow_private_network=False)
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/guia", PROJECT).status == 201
    yield running
    running.stop()


class _Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it (and closes them at once)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


def _post_utf8(url: str, headers: dict[str, str], body: bytes) -> Answer:
    """POST with header values sent as UTF-8 bytes (a keyId with U+3002 in it is not Latin-1)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.putrequest("POST", parts.path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value.encode("utf-8"))
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def _forged(actor_id: str, actors: ActorServer) -> FakeActor:
    return FakeActor(actor_id, f"{actor_id}/inbox", f"{actor_id}#main-key", actors.keys)


def _state(node: Node) -> dict[str, list[tuple]]:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        return {table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES}
    finally:
        connection.close()


def _quiet_state(node: Node, timeout: float = 10.0) -> dict[str, list[tuple]]:
    """The state once the node owes no deliveries (successes are recorded a moment after they happen)."""
    deadline = time.monotonic() + timeout
    state = _state(node)
    while state["deliveries"] and time.monotonic() < deadline:
        time.sleep(0.02)
        state = _state(node)
    return state


def _activity(actor: FakeActor, kind: str = "Follow", **fields: object) -> dict:
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.id}/activities/{uuid.uuid4()}",
        "type": kind,
        "actor": actor.id,
    }
    activity.update(fields)
    return activity


def _post(
    node: Node,
    actor: FakeActor,
    activity: object,
    *,
    path: str = "/projects/guia/inbox",
    body: bytes | None = None,
    signed_body: bytes | None = None,
    **sign: object,
) -> Answer:
    raw = body if body is not None else json.dumps(activity).encode()
    url = node.base_url + path
    headers = actor.sign(url, signed_body if signed_body is not None else raw, **sign)  # type: ignore[arg-type]
    return fetch(url, method="POST", headers=headers, body=raw)


def _refused(node: Node, answer: Answer, status: int, reason: str) -> None:
    assert answer.status == status, answer.body
    error = answer.json()
    assert error["code"] == "inbox_refused" and reason in error["error"], error


def test_a_signed_follow_is_accepted_and_answered(node: Node, actors: ActorServer) -> None:
    alice = actors.add_actor("alice")
    follow = _activity(alice, object=f"{node.base_url}/projects/guia")
    assert _post(node, alice, follow).status == 202
    actors.wait_until(lambda: actors.unique_ids("alice", "Accept"))
    accept = next(item for item in actors.inbox_items("alice") if item["type"] == "Accept")
    assert accept["object"] == follow and accept["actor"] == f"{node.base_url}/projects/guia"
    # A replayed id is answered 202 again, but nothing new is stored and it is not processed twice.
    before = _quiet_state(node)
    assert _post(node, alice, follow).status == 202
    assert _state(node)["inbox"] == before["inbox"]
    undo = _activity(alice, "Undo", object=follow["id"])
    assert _post(node, alice, undo).status == 202
    actors.wait_until(lambda: not _state(node)["followers"])
    assert len(actors.unique_ids("alice", "Accept")) == 1


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("unsigned", 401, "not signed"),
        ("wrong signature", 401, "does not verify"),
        ("digest mismatch", 401, "digest"),
        ("date too old", 401, "expired"),
        ("date in the future", 401, "future"),
        ("unknown algorithm", 401, "algorithm"),
        ("key of another actor", 401, "owner is not the activity's actor"),
        ("create of another origin's object", 400, "not on the actor's origin"),
        ("activity id on another origin", 400, "not on the actor's origin"),
        ("key document with another id", 401, "cannot be found"),
        ("key on another origin", 401, "not on the activity actor's origin"),
        ("body over the limit", 413, ""),
        ("malformed JSON", 400, "not valid JSON"),
        ("@graph smuggled", 400, "@graph"),
        ("@reverse smuggled", 400, "@reverse"),
        ("no actor", 400, "no actor"),
    ],
)
def test_bad_requests_get_their_status_and_store_nothing(
    node: Node, actors: ActorServer, case: str, status: int, reason: str
) -> None:
    mallory = actors.add_actor("mallory")
    bob = actors.add_actor("bob")
    target = f"{node.base_url}/projects/guia"
    follow = _activity(mallory, object=target)
    url = f"{node.base_url}/projects/guia/inbox"
    before = _quiet_state(node)
    if case == "unsigned":
        answer = fetch(
            url, method="POST", body=json.dumps(follow).encode(), headers={"Content-Type": "application/activity+json"}
        )
    elif case == "wrong signature":
        impostor = FakeActor(mallory.id, mallory.inbox, mallory.key_id, generate_key_pair())
        answer = _post(node, impostor, follow)
    elif case == "digest mismatch":
        answer = _post(node, mallory, follow, signed_body=json.dumps(dict(follow, object="x")).encode())
    elif case == "date too old":
        answer = _post(node, mallory, follow, now=datetime.now(UTC) - timedelta(hours=2))
    elif case == "date in the future":
        answer = _post(node, mallory, follow, now=datetime.now(UTC) + timedelta(hours=2))
    elif case == "unknown algorithm":
        raw = json.dumps(follow).encode()
        headers = mallory.sign(url, raw)
        headers["Signature"] = headers["Signature"].replace('algorithm="rsa-sha256"', 'algorithm="rsa-sha512"')
        answer = fetch(url, method="POST", headers=headers, body=raw)
    elif case == "key of another actor":
        answer = _post(node, bob, follow)
    elif case == "create of another origin's object":
        note = {"id": "https://elsewhere.example/notes/1", "type": "Note", "content": "forged"}
        answer = _post(node, mallory, _activity(mallory, "Create", object=note))
    elif case == "activity id on another origin":
        answer = _post(node, mallory, dict(follow, id="https://elsewhere.example/follows/1"))
    elif case == "key document with another id":
        key_doc = dict(actors.documents["/users/mallory"], id=f"{actors.base_url}/users/nobody")
        key_url = actors.serve_document("/keys/mismatch", key_doc)
        answer = _post(node, mallory, follow, key_id=f"{key_url}#main-key")
    elif case == "key on another origin":
        answer = _post(node, mallory, follow, key_id="https://elsewhere.example/keys/1")
    elif case == "body over the limit":
        big = json.dumps(dict(follow, padding="x" * (1024 * 1024))).encode()
        answer = _post(node, mallory, None, body=big)
    elif case == "malformed JSON":
        answer = _post(node, mallory, None, body=b'{"id": ')
    elif case == "@graph smuggled":
        answer = _post(node, mallory, dict(follow, **{"@graph": [{"id": target, "name": "owned"}]}))
    elif case == "@reverse smuggled":
        answer = _post(node, mallory, dict(follow, object={"id": target, "@reverse": {}}))
    else:
        answer = _post(node, mallory, {k: v for k, v in follow.items() if k != "actor"})
    if status == 413:
        assert answer.status == 413 and answer.json()["code"] == "too_large"
    else:
        _refused(node, answer, status, reason)
    assert _state(node) == before


def test_a_blocked_domain_gets_403_and_its_follows_are_dropped(node: Node, actors: ActorServer) -> None:
    carol = actors.add_actor("carol")
    assert _post(node, carol, _activity(carol, object=f"{node.base_url}/projects/guia")).status == 202
    actors.wait_until(lambda: actors.unique_ids("carol", "Accept"))
    blocked = api(node.base_url, node.token, "PUT", "/api/blocked-domains/127.0.0.1", {"reason": "test"})
    assert blocked.status == 201
    try:
        assert not [row for row in _state(node)["followers"] if row[1] == carol.id]
        before = _quiet_state(node)
        answer = _post(node, carol, _activity(carol, object=f"{node.base_url}/projects/guia"))
        _refused(node, answer, 403, "blocked")
        assert _state(node) == before
        listed = api(node.base_url, node.token, "GET", "/api/blocked-domains").json()
        assert [item["domain"] for item in listed] == ["127.0.0.1"]
    finally:
        assert api(node.base_url, node.token, "DELETE", "/api/blocked-domains/127.0.0.1").status == 200
    bad = api(node.base_url, node.token, "PUT", "/api/blocked-domains/not_a_domain%21")
    assert bad.status == 400


@pytest.mark.parametrize("dot", FULL_STOPS, ids=["U+3002", "U+FF0E", "U+FF61"])
def test_an_actor_on_127_full_stop_0_makes_the_node_connect_to_nothing(
    strict_node: Node, actors: ActorServer, dot: str
) -> None:
    # Given something listening on 127.0.0.1, and an unauthenticated POST whose actor and keyId name it
    # with Unicode full stops (https, so that only the address check stands in the way)
    listener = _Listener()
    try:
        actor_id = f"https://127{dot}0{dot}0{dot}1:{listener.port}/users/mallory"
        mallory = _forged(actor_id, actors)
        follow = _activity(mallory, object=f"{strict_node.base_url}/projects/guia")
        body = json.dumps(follow).encode()
        url = f"{strict_node.base_url}/projects/guia/inbox"
        answer = _post_utf8(url, mallory.sign(url, body), body)
        # Then the key is not fetched (the host is 127.0.0.1, a private address) and nothing connects
        _refused(strict_node, answer, 401, "cannot be found")
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.stop()


@pytest.mark.parametrize(
    "spelling",
    [
        "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",  # fullwidth
        "localhost.",
        "LOCALHOST\u3002",
        "localhost\uff0e",
        "api\uff61localhost",
    ],
)
def test_a_follow_from_any_spelling_of_a_blocked_domain_gets_403(
    node: Node, actors: ActorServer, spelling: str
) -> None:
    assert api(node.base_url, node.token, "PUT", "/api/blocked-domains/localhost").status == 201
    try:
        mallory = _forged(f"http://{spelling}:{actors.port}/users/mallory", actors)
        follow = _activity(mallory, object=f"{node.base_url}/projects/guia")
        before = _quiet_state(node)
        body = json.dumps(follow).encode()
        url = f"{node.base_url}/projects/guia/inbox"
        _refused(node, _post_utf8(url, mallory.sign(url, body), body), 403, "blocked")
        assert _state(node) == before
    finally:
        assert api(node.base_url, node.token, "DELETE", "/api/blocked-domains/localhost").status == 200


def test_a_deleted_unknown_actor_is_answered_without_fetching(node: Node, actors: ActorServer) -> None:
    ghost = FakeActor(
        f"{actors.base_url}/users/never-seen", "", f"{actors.base_url}/users/never-seen#main-key", actors.keys
    )
    before = _quiet_state(node)
    answer = _post(node, ghost, _activity(ghost, "Delete", object=ghost.id))
    assert answer.status == 202
    assert _state(node) == before


def test_keys_are_cached_refetched_once_on_rotation_and_not_again_soon(node: Node, actors: ActorServer) -> None:
    gina = actors.add_actor("gina")
    target = f"{node.base_url}/projects/guia"
    assert _post(node, gina, _activity(gina, "Like", object=target)).status == 202
    assert actors.gets["/users/gina"] == 1
    assert _post(node, gina, _activity(gina, "Like", object=target)).status == 202
    assert actors.gets["/users/gina"] == 1  # cached
    # Given a rotated key, the first request signed with it makes the node refetch the actor once
    rotated = actors.rotate_key("gina")
    assert _post(node, rotated, _activity(rotated, "Like", object=target)).status == 202
    assert actors.gets["/users/gina"] == 2
    # A bad signature right after that is refused without fetching again
    impostor = FakeActor(gina.id, gina.inbox, gina.key_id, generate_key_pair())
    _refused(node, _post(node, impostor, _activity(gina, "Like", object=target)), 401, "does not verify")
    assert actors.gets["/users/gina"] == 2


def test_a_known_follower_deleting_itself_is_removed_without_any_fetch(node: Node, actors: ActorServer) -> None:
    hugo = actors.add_actor("hugo")
    assert _post(node, hugo, _activity(hugo, object=f"{node.base_url}/projects/guia")).status == 202
    actors.wait_until(lambda: any(row[1] == hugo.id for row in _state(node)["followers"]))
    fetches = actors.gets["/users/hugo"]
    with actors._lock:
        del actors.documents["/users/hugo"]  # the account is gone: its document would answer 404
    assert _post(node, hugo, _activity(hugo, "Delete", object=hugo.id)).status == 202
    actors.wait_until(lambda: not any(row[1] == hugo.id for row in _state(node)["followers"]))
    assert actors.gets["/users/hugo"] == fetches


def test_the_inbox_rate_limits_each_host(tmp_path, actors: ActorServer) -> None:
    limited = start_node(tmp_path / "limited", env={"DSI4BCN_INBOX_RATE": "0.5"})
    try:
        api(limited.base_url, limited.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION)
        api(limited.base_url, limited.token, "PUT", "/api/projects/guia", PROJECT)
        ivan = actors.add_actor("ivan")
        target = f"{limited.base_url}/projects/guia"
        statuses = [_post(limited, ivan, _activity(ivan, "Like", object=target)).status for _ in range(7)]
        assert statuses[:5] == [202] * 5
        assert statuses[-1] == 429
        answer = _post(limited, ivan, _activity(ivan, "Like", object=target))
        assert answer.status == 429 and int(answer.headers["retry-after"]) >= 1
    finally:
        limited.stop()
