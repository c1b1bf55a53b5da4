"""Delivery survives failing inboxes and a node killed mid-fan-out; private addresses stay off limits."""

import time
from collections.abc import Iterator

import pytest

from tests.support.fake_actors import ActorServer, FakeActor, send_follow
from tests.support.http import api
from tests.support.nodes import Node

ORGANISATION = {"nameMap": {"ca": "Xarxa Oberta"}, "sectors": ["sector:industry"]}
PROJECT = {"organisation": "xarxa", "nameMap": {"ca": "Antenes"}, "areas": ["area:community-networks"]}
FAST_RETRIES = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01"}


@pytest.fixture
def actors() -> Iterator[ActorServer]:
    server = ActorServer(shared_inbox=False)
    yield server
    server.stop()


def _seed(node: Node) -> str:
    assert api(node.base_url, node.token, "PUT", "/api/organisations/xarxa", ORGANISATION).status == 201
    assert api(node.base_url, node.token, "PUT", "/api/projects/antenes", PROJECT).status == 201
    return f"{node.base_url}/projects/antenes"


def _follow(node: Node, follower: FakeActor, target: str) -> dict:
    return send_follow(f"{node.base_url}/inbox", follower, target)


def _post(node: Node, text: str) -> str:
    answer = api(node.base_url, node.token, "POST", "/api/projects/antenes/notes", {"content": f"<p>{text}</p>"})
    assert answer.status == 201
    return str(answer.json()["id"])


def test_an_inbox_that_fails_three_times_still_gets_the_post(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("retries", env=FAST_RETRIES)
    target = _seed(node)
    dora = actors.add_actor("dora")
    _follow(node, dora, target)
    actors.wait_until(lambda: actors.unique_ids("dora", "Accept"))
    # Given an inbox that answers 503 to its next three deliveries
    actors.fail_first["dora"] = actors.attempts["dora"] + 3
    # When the project posts
    create_id = _post(node, "Reunió dijous")
    # Then the fourth attempt delivers it
    actors.wait_until(lambda: create_id in actors.unique_ids("dora", "Create"), timeout=30)
    assert actors.attempts["dora"] >= actors.fail_first["dora"] + 1
    assert "retry 3" in node.log()


def test_a_gone_inbox_is_not_retried(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("gone", env=FAST_RETRIES)
    target = _seed(node)
    erin = actors.add_actor("erin")
    _follow(node, erin, target)
    actors.wait_until(lambda: actors.unique_ids("erin", "Accept"))
    before = actors.attempts["erin"]
    actors.gone.add("erin")
    _post(node, "Hola")
    actors.wait_until(lambda: "giving up" in node.log() and "HTTP 410" in node.log())
    # With retries a hundred times faster than Mastodon's, a retry would have come within a second.
    time.sleep(1.0)
    assert actors.attempts["erin"] == before + 1


def test_without_private_network_the_node_never_contacts_loopback(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("closed", allow_private_network=False)
    _seed(node)
    frank = actors.add_actor("frank")
    answer = api(node.base_url, node.token, "POST", "/api/projects/antenes/following", {"target": frank.id})
    assert answer.status == 502
    assert "private" in answer.json()["error"] or "https" in answer.json()["error"]
    assert api(node.base_url, node.token, "GET", "/api/projects/antenes/following").json() == []
    assert actors.attempts == {} and not any(actors.received.values())


def test_sigkill_mid_fan_out_then_restart_delivers_to_every_follower(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("killed", env=FAST_RETRIES)
    target = _seed(node)
    followers = [actors.add_actor(f"f{n:03d}") for n in range(200)]
    for follower in followers:
        _follow(node, follower, target)
    actors.wait_until(lambda: all(actors.unique_ids(f"f{n:03d}", "Accept") for n in range(200)), timeout=60)
    # Given slow inboxes, so that the fan-out takes seconds
    actors.inbox_delay = 0.05
    create_id = _post(node, "Tothom convidat")

    def delivered() -> int:
        return sum(create_id in actors.unique_ids(f"f{n:03d}", "Create") for n in range(200))

    # When the node is killed with SIGKILL part-way through
    actors.wait_until(lambda: delivered() >= 10, timeout=30)
    assert node.process is not None
    node.process.kill()
    node.process.wait(10)
    partial = delivered()
    assert partial < 200, "the fan-out finished before the kill; slow the inboxes down"
    # Then, once restarted, it delivers what it still owed: every follower gets the post
    actors.inbox_delay = 0.0
    node.start()
    actors.wait_until(lambda: delivered() == 200, timeout=60)
