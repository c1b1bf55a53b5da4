"""Federation with a real Fedify 2.3.6 peer on Node 22, both ways, with every signature checked.

Fedify verifies what our node signs (the Accept of its Follow, an update post, a profile Update), and our
node verifies what Fedify signs (RFC 9421 first, as Fedify sends it) when it follows a Fedify actor.
"""

import json
import sqlite3
import time
from collections.abc import Iterator

import pytest

from tests.support.fedify_peer import FedifyPeer, start_fedify_peer
from tests.support.http import api
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.peer

# Fast retries, and the debug log that says which signature scheme each accepted activity used.
NODE_ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_LOG_LEVEL": "DEBUG"}
ORGANISATION = {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]}
PROJECT = {
    "organisation": "ateneu-clot",
    "nameMap": {"ca": "Taller obert", "en": "Open workshop"},
    "areas": ["area:maker", "area:open-data"],
    "basedIn": "neighbourhood:65",
}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("fedify-fed") / "node", env=NODE_ENV)
    assert api(running.base_url, running.token, "PUT", "/api/organisations/ateneu-clot", ORGANISATION).status == 201
    assert api(running.base_url, running.token, "PUT", "/api/projects/taller-obert", PROJECT).status == 201
    yield running
    running.stop()


@pytest.fixture
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FedifyPeer]:
    started = start_fedify_peer(log_dir=tmp_path_factory.mktemp("fedify-peer"))
    yield started
    started.stop()


def _followers(node: Node, slug: str) -> list[str]:
    from tests.support.http import fetch

    collection = fetch(
        f"{node.base_url}/projects/{slug}/followers?page=1", headers={"Accept": "application/activity+json"}
    ).json()
    return list(collection["orderedItems"])


def _wait(condition, timeout: float = 15.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message or "condition not met in time")


def test_a_fedify_user_follows_a_project_and_gets_its_posts_and_profile_changes(node: Node, peer: FedifyPeer) -> None:
    project = f"{node.base_url}/projects/taller-obert"
    # Given a Fedify user following the project
    peer.follow(project)
    # Then our node answers with an Accept that Fedify verifies (its listener only sees verified activities)
    accept = peer.wait_for_activity("Accept", actor=project)
    assert accept["auth"]["verifiedBy"] == "http-signature"
    accepted = accept["body"] if isinstance(accept["body"], dict) else json.loads(accept["body"])
    assert accepted["object"]["type"] == "Follow" and accepted["object"]["actor"] == peer.actor_url
    _wait(lambda: peer.actor_url in _followers(node, "taller-obert"), message="follower not listed")
    assert [f["state"] for f in peer.following() if f.get("target") == project] == ["accepted"]

    # When the project posts an update
    answer = api(
        node.base_url,
        node.token,
        "POST",
        "/api/projects/taller-obert/notes",
        {"content": "<p>Obrim dijous!</p><script>alert(1)</script>", "contentMap": {"en": "<p>Open on Thursday</p>"}},
    )
    assert answer.status == 201
    note_id = answer.json()["object"]["id"]
    # Then Fedify receives a verified Create{Note}, sanitised, with hashtags for the project's areas
    create = peer.wait_for_activity("Create", actor=project)
    assert create["objectId"] == note_id
    note = create["object"]
    assert "Obrim dijous!" in json.dumps(note) and "<script>" not in json.dumps(note)
    sent = create["body"]  # the JSON exactly as our node POSTed it
    sent = json.loads(sent) if isinstance(sent, str) else sent
    assert sent["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert sent["cc"] == [f"{project}/followers"]
    names = {tag.get("name") for tag in sent["object"].get("tag", [])}
    assert {"#MakerCulture", "#OpenData"} <= names

    # When the project's profile changes, Then Fedify receives a verified Update of the actor
    changed = dict(PROJECT, nameMap={"ca": "Taller obert i lliure", "en": "Open and free workshop"})
    assert api(node.base_url, node.token, "PUT", "/api/projects/taller-obert", changed).status == 200
    update = peer.wait_for_activity("Update", actor=project)
    assert update["objectId"] == project
    assert "Taller obert i lliure" in json.dumps(update["body"])
    assert peer.errors() == [], peer.errors()

    # When the Fedify user unfollows, Then the follower is gone
    peer.unfollow(project)
    _wait(lambda: peer.actor_url not in _followers(node, "taller-obert"), message="follower still listed")


def test_our_node_follows_a_fedify_actor_and_verifies_what_it_sends(node: Node, peer: FedifyPeer) -> None:
    project = f"{node.base_url}/projects/taller-obert"
    log_start = len(node.log())  # the node (and its log) is shared with the module's other tests
    answer = api(node.base_url, node.token, "POST", "/api/projects/taller-obert/following", {"target": peer.actor_url})
    assert answer.status == 202, answer.body
    follow = peer.wait_for_activity("Follow", actor=project)
    assert follow["auth"]["verifiedBy"] == "http-signature"

    def state() -> str | None:
        rows = api(node.base_url, node.token, "GET", "/api/projects/taller-obert/following").json()
        return next((row["state"] for row in rows if row["actor"] == peer.actor_url), None)

    # Fedify's Accept (signed with RFC 9421) is verified by our node and the follow becomes accepted
    _wait(lambda: state() == "accepted", message=f"follow state is {state()}")
    # A post by the Fedify actor reaches our inbox, is verified and stored
    peer.post("<p>Hello from Fedify</p>")

    def stored() -> list[tuple[str, str]]:
        connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
        try:
            return connection.execute(
                "SELECT body, key_id FROM inbox WHERE actor = ? AND body LIKE '%\"Create\"%'", (peer.actor_url,)
            ).fetchall()
        finally:
            connection.close()

    _wait(lambda: bool(stored()), message="the Create was not stored")
    body, key_id = stored()[0]
    assert "Hello from Fedify" in body
    assert key_id.startswith(peer.actor_url)
    # Fedify signs with RFC 9421 first; our node verifies that, so no fallback to draft-cavage was needed.
    lines = node.log()[log_start:].splitlines()
    accepted = [line for line in lines if "inbox accepted Create" in line and f"from {peer.actor_url} " in line]
    assert accepted and all("(rfc9421 signature" in line for line in accepted), accepted
    assert not [line for line in lines if "inbox refused" in line]
