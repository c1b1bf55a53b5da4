"""One sender cannot stop or starve the inbox: lone surrogates are refused at the door, a poison activity
already stored is recorded and skipped, the rate limit charges a claimed host only once its signature is
verified, and key fetches to slow hosts are bounded. Real node processes, senders on 127.0.0.x."""

import http.client
import json
import signal
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from tests.support.fake_actors import ActorServer, FakeActor, send_follow
from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, free_port, start_node

ORGANISATION = {"nameMap": {"ca": "Clau Oberta"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "clau-oberta", "nameMap": {"ca": "Guia"}, "areas": ["area:digital-rights"]}
OTHER_ADDRESS = "127.0.0.2"  # another client on this machine (the whole 127.0.0.0/8 is loopback)


@pytest.fixture(scope="module")
def actors() -> Iterator[ActorServer]:
    server = ActorServer()
    yield server
    server.stop()


def _node(tmp_path_factory: pytest.TempPathFactory, name: str, **env: str) -> Node:
    running = start_node(tmp_path_factory.mktemp(name) / "node", env=env)
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/guia", PROJECT).status == 201
    return running


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = _node(tmp_path_factory, "robust")
    yield running
    running.stop()


def _post_from(address: str, url: str, headers: dict[str, str], body: bytes, timeout: float = 30.0) -> Answer:
    """A POST sent from ``address`` (a loopback address other than the default one)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(address, 0))
    try:
        connection.request("POST", parts.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def _signed(actor: FakeActor, url: str, activity: dict) -> tuple[dict[str, str], bytes]:
    body = json.dumps(activity).encode()  # ensure_ascii: a lone surrogate travels as its \ud800 escape
    return actor.sign(url, body), body


def _followed_by(node: Node, actor: FakeActor, actors: ActorServer, timeout: float = 20.0) -> None:
    """``actor`` follows the project, and the node's Accept arrives: the processor is alive."""
    follow = send_follow(f"{node.base_url}/projects/guia/inbox", actor, f"{node.base_url}/projects/guia")
    name = actor.id.rsplit("/", 1)[1]
    actors.wait_until(
        lambda: any(item["object"]["id"] == follow["id"] for item in actors.inbox_items(name)), timeout=timeout
    )


def _inbox_rows(node: Node) -> list[tuple[str, str | None]]:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT activity_id, outcome FROM inbox ORDER BY seq").fetchall()
    finally:
        connection.close()


def test_lone_surrogates_are_refused_at_the_door_and_processing_goes_on(node: Node, actors: ActorServer) -> None:
    actor = actors.add_actor(f"surrogate-{uuid.uuid4().hex[:8]}", with_shared_inbox=False)
    url = f"{node.base_url}/projects/guia/inbox"
    before = _inbox_rows(node)
    undo = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.id}/undo/1",
        "type": "Undo",
        "actor": actor.id,
        "object": "https://evil.example/f/\ud800",
    }
    follow_odd = dict(undo, id=f"{actor.id}/follow/odd", type="Follow", object=f"{node.base_url}/organisations/\ud800")
    odd_id = dict(undo, id=f"{actor.id}/activities/\ud800", type="Follow", object=f"{node.base_url}/projects/guia")
    for activity in (undo, follow_odd, odd_id):
        headers, body = _signed(actor, url, activity)
        answer = fetch(url, method="POST", headers=headers, body=body)
        assert answer.status == 400, answer.body
        assert "lone UTF-16 surrogate" in answer.json()["error"]
    assert _inbox_rows(node) == before  # nothing stored
    _followed_by(node, actor, actors)


def test_a_bad_activity_does_not_fail_the_others_stored_with_it(node: Node, actors: ActorServer) -> None:
    actor = actors.add_actor(f"batch-{uuid.uuid4().hex[:8]}", with_shared_inbox=False)
    url = f"{node.base_url}/projects/guia/inbox"
    activities = [
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor.id}/likes/{number}" + ("\ud800" if number == 7 else ""),
            "type": "Like",
            "actor": actor.id,
            "object": f"{node.base_url}/projects/guia",
        }
        for number in range(30)
    ]
    requests = [_signed(actor, url, activity) for activity in activities]
    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda signed: fetch(url, method="POST", headers=signed[0], body=signed[1]), requests))
    statuses = [answer.status for answer in answers]
    assert statuses[7] == 400
    assert statuses[:7] + statuses[8:] == [202] * 29


def test_a_poison_activity_already_stored_is_recorded_and_skipped(
    tmp_path_factory: pytest.TempPathFactory, actors: ActorServer
) -> None:
    # Given an activity that older code stored (a lone surrogate in its object), at the head of the queue
    running = _node(tmp_path_factory, "poison")
    try:
        actor = actors.add_actor(f"poison-{uuid.uuid4().hex[:8]}", with_shared_inbox=False)
        _followed_by(running, actor, actors)  # the actor and its key are known
        running.stop()
        poison_id = f"{actor.id}/undo/poison"
        body = json.dumps(
            {"id": poison_id, "type": "Undo", "actor": actor.id, "object": "https://evil.example/f/\ud800"}
        )
        connection = sqlite3.connect(running.database)
        with connection:
            connection.execute(
                "INSERT INTO inbox (activity_id, actor, body, key_id, received) VALUES (?, ?, ?, ?, ?)",
                (poison_id, actor.id, body, actor.key_id, "2026-01-01T00:00:00Z"),
            )
        connection.close()
        # When the node starts again, then later activities are still processed
        running.start()
        other = actors.add_actor(f"after-{uuid.uuid4().hex[:8]}", with_shared_inbox=False)
        _followed_by(running, other, actors)
        outcome = dict(_inbox_rows(running))[poison_id]
        assert outcome is not None and outcome.startswith(("failed", "refused")), outcome
        loops = api(running.base_url, running.token, "GET", "/api/loops").json()["loops"]
        assert {loop["name"] for loop in loops} >= {"inbox-processor", "deliverer", "peering", "graph-sync"}
        assert all(loop["restarts"] == 0 for loop in loops), loops  # the activity failed alone
        # And the node stops on SIGTERM, promptly and cleanly
        assert running.process is not None
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=10) == 0
    finally:
        running.stop()


def test_unverified_requests_cannot_spend_a_real_peers_rate(
    tmp_path_factory: pytest.TempPathFactory, actors: ActorServer
) -> None:
    running = _node(tmp_path_factory, "rate", DSI4BCN_INBOX_RATE="2")  # bursts of 20
    try:
        actor = actors.add_actor(f"rate-{uuid.uuid4().hex[:8]}", with_shared_inbox=False)
        url = f"{running.base_url}/projects/guia/inbox"
        forged = json.dumps(
            {"id": f"{actor.id}/x", "type": "Follow", "actor": actor.id, "object": f"{running.base_url}/projects/guia"}
        ).encode()
        headers = {"Content-Type": "application/activity+json"}  # unsigned, claiming the real actor's host
        statuses = [_post_from(OTHER_ADDRESS, url, headers, forged).status for _ in range(60)]
        assert statuses.count(429) >= 30 and set(statuses) == {401, 429}
        assert _post_from(OTHER_ADDRESS, url, headers, forged).headers.get("retry-after")
        # The real actor, from its own address, is not limited by what others claimed in its name.
        _followed_by(running, actor, actors)
    finally:
        running.stop()


class _Tarpits:
    """Listening sockets that never answer: every request to them hangs until the client gives up."""

    def __init__(self, count: int) -> None:
        self.sockets = []
        for _ in range(count):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("127.0.0.1", free_port()))
            listener.listen(512)
            self.sockets.append(listener)

    @property
    def ports(self) -> list[int]:
        return [listener.getsockname()[1] for listener in self.sockets]

    def close(self) -> None:
        for listener in self.sockets:
            listener.close()


def test_key_fetches_to_slow_hosts_cannot_hold_up_a_real_sender(node: Node, actors: ActorServer) -> None:
    tarpits = _Tarpits(30)
    stranger = actors.add_actor(f"stranger-{uuid.uuid4().hex[:8]}")
    url = f"{node.base_url}/projects/guia/inbox"
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def attack(number: int) -> None:
        origin = f"http://127.0.0.1:{tarpits.ports[number % len(tarpits.ports)]}"
        activity = {"id": f"{origin}/a/{number}", "type": "Like", "actor": f"{origin}/u", "object": url}
        body = json.dumps(activity).encode()
        headers = stranger.sign(url, body, key_id=f"{origin}/u#key")
        started = time.monotonic()
        try:
            status = _post_from(OTHER_ADDRESS, url, headers, body, timeout=30).status
        except OSError:
            status = 0
        with lock:
            results.append((status, time.monotonic() - started))

    try:
        threads = [threading.Thread(target=attack, args=(number,)) for number in range(120)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # the slow fetches are under way
        newcomer = actors.add_actor(f"newcomer-{uuid.uuid4().hex[:8]}", with_shared_inbox=False)
        started = time.monotonic()
        _followed_by(node, newcomer, actors, timeout=30)
        assert time.monotonic() - started < 3.0  # its key was fetched at once, not after the tarpits
        for thread in threads:
            thread.join(40)
    finally:
        tarpits.close()
    busy = [elapsed for status, elapsed in results if status == 503]
    assert len(busy) >= 100  # refused at once rather than queued behind slow hosts
    assert max(busy) < 2.0
