"""Key rotation across real nodes and a real Fedify 2.x peer (docs/key-rotation.md).

Node B peers with node A (B's instance actor follows A's, so A's profile ``Update``s reach B). A rotates an
organisation's key with ``dsi4bcn key rotate``: B receives the ``Update`` signed with the old key, and
during the grace period (a few seconds here) B verifies requests signed with the old key and with the new
one; when the grace period ends A drops the old key and tells B, which then refuses the old key. A Fedify
user following one of A's projects verifies the rotation's ``Update`` and, afterwards, posts signed with
the new key.
"""

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from federation.httpsig import sign_headers
from tests.support.fedify_peer import FedifyPeer, start_fedify_peer
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node
from tests.support.twonodes import directory
from tests.support.waiting import within

pytestmark = [pytest.mark.peer, pytest.mark.network]

GRACE = 15  # seconds; long enough for the steps made during it on a loaded machine
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_KEY_GRACE_PERIOD": str(GRACE)}
ORGANISATION = {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "ateneu-clot", "nameMap": {"ca": "Taller obert"}, "areas": ["area:maker"]}
AS_JSON = {"Accept": "application/activity+json"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("key-rotation")
    a = start_node(folder / "a", env=ENV)
    try:
        b = start_node(folder / "b", env=ENV)
    except BaseException:
        a.stop()
        raise
    try:
        assert api(a.base_url, a.token, "PUT", "/api/organisations/ateneu-clot", ORGANISATION).status == 201
        assert api(a.base_url, a.token, "PUT", "/api/projects/taller-obert", PROJECT).status == 201
        yield a, b
    finally:
        b.stop()
        a.stop()


def _rows(node: Node, query: str, *params: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def _private_key(node: Node, slug: str) -> str:
    return str(_rows(node, "SELECT private_key_pem FROM actors WHERE slug = ?", slug)[0][0])


def _signed_post(inbox: str, actor: str, key_id: str, private_pem: str) -> Answer:
    """A ``Like`` from ``actor`` to ``inbox``, signed with the key ``key_id``."""
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#likes/{uuid.uuid4()}",
        "type": "Like",
        "actor": actor,
        "object": f"{actor}/outbox",
    }
    body = json.dumps(activity).encode()
    headers = sign_headers(
        method="POST",
        url=inbox,
        key_id=key_id,
        private_key_pem=private_pem,
        now=datetime.now(UTC),
        body=body,
        content_type="application/activity+json",
    )
    return fetch(inbox, method="POST", headers={**headers, "Content-Type": "application/activity+json"}, body=body)


def _rotate(node: Node, actor: str) -> dict[str, Any]:
    """``dsi4bcn key rotate --actor ACTOR`` against ``node``: its one rotation."""
    done = run_dsi4bcn(["key", "rotate", "--actor", actor, "--url", node.base_url, "--token", node.token])
    assert done.returncode == 0, done.stderr
    rotated: list[dict[str, Any]] = json.loads(done.stdout)["rotated"]
    assert len(rotated) == 1
    return rotated[0]


def _published_keys(node: Node, actor: str) -> list[str]:
    keys = fetch(actor, headers=AS_JSON).json()["publicKey"]
    return [key["id"] for key in (keys if isinstance(keys, list) else [keys])]


def _keys_held(node: Node, owner: str) -> set[str]:
    return {row[0] for row in _rows(node, "SELECT key_id FROM remote_keys WHERE owner = ?", owner)}


def test_a_peer_verifies_the_old_key_during_the_grace_period_and_refuses_it_after(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    organisation = f"{a.base_url}/organisations/ateneu-clot"
    old_key, new_key = f"{organisation}#main-key", f"{organisation}#key-2"
    b_inbox = f"{b.base_url}/inbox"
    # Given B aggregates A (B's instance actor follows A's) and holds the organisation's key
    assert api(b.base_url, b.token, "POST", "/api/peers", {"url": a.base_url}).status == 202
    source = {"source": urlsplit(a.base_url).netloc}
    within(20, lambda: directory(b, source)["total"] == 2, "B aggregating A's profiles")
    old_private = _private_key(a, "ateneu-clot")
    assert _signed_post(b_inbox, organisation, old_key, old_private).status == 202
    assert old_key in _keys_held(b, organisation)

    # When A rotates the organisation's key with the command line
    rotation = _rotate(a, "organisation/ateneu-clot")
    rotated_at = time.monotonic()
    assert (rotation["keyId"], rotation["retiredKeyId"]) == (new_key, old_key)
    assert rotation["update"]
    new_private = _private_key(a, "ateneu-clot")
    assert new_private != old_private
    # Then A publishes the new key first and the old one after it
    assert _published_keys(a, organisation) == [new_key, old_key]

    # and B receives the Update, signed with the old key, and takes the new key from it
    def processed() -> list[tuple[Any, ...]]:
        return _rows(b, "SELECT key_id, outcome FROM inbox WHERE activity_id = ?", rotation["update"])

    within(10, lambda: processed() and processed()[0][1] is not None, "B processing the Update")
    assert processed() == [(old_key, "profile ingested")]  # and B, an aggregator, keeps the profile's new version
    assert _keys_held(b, organisation) == {new_key, old_key}  # both, as the Update's document lists them

    # During the grace period B verifies a request signed with the old key (in flight when A rotated) and
    # one signed with the new key
    assert _signed_post(b_inbox, organisation, old_key, old_private).status == 202
    assert _signed_post(b_inbox, organisation, new_key, new_private).status == 202
    assert time.monotonic() - rotated_at < GRACE, "the machine was too slow to check within the grace period"

    # When the grace period ends, A no longer publishes the old key and tells B, which forgets it
    within(GRACE + 20, lambda: _published_keys(a, organisation) == [new_key], "A dropping the old key")
    within(15, lambda: _keys_held(b, organisation) == {new_key}, "B dropping the old key")
    # Then B refuses the old key and still verifies the new one
    refused = _signed_post(b_inbox, organisation, old_key, old_private)
    assert refused.status == 401, refused.body[:300]
    assert _signed_post(b_inbox, organisation, new_key, new_private).status == 202
    # and the old private key is gone from A's database
    assert _rows(a, "SELECT private_key_pem FROM retired_keys WHERE local = 'ateneu-clot'") == [(None,)]


@pytest.fixture
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FedifyPeer]:
    started = start_fedify_peer(log_dir=tmp_path_factory.mktemp("fedify-peer"))
    yield started
    started.stop()


def test_a_fedify_follower_accepts_the_rotation_and_verifies_posts_signed_with_the_new_key(
    nodes: tuple[Node, Node], peer: FedifyPeer
) -> None:
    a, _b = nodes
    project = f"{a.base_url}/projects/taller-obert"
    # Given a Fedify user following the project (Fedify has verified its Accept with the first key)
    peer.follow(project)
    accept = peer.wait_for_activity("Accept", actor=project)
    assert accept["auth"]["keyId"] == f"{project}#main-key"

    # When the project's key is rotated
    rotation = _rotate(a, "project/taller-obert")
    # Then Fedify verifies the Update of the actor (signed with the old key) and accepts it
    update = peer.wait_for_activity("Update", actor=project)
    assert update["objectId"] == project
    assert update["auth"]["verifiedBy"] == "http-signature"
    assert update["auth"]["keyId"] == rotation["retiredKeyId"] == f"{project}#main-key"

    # When the project posts afterwards
    assert api(a.base_url, a.token, "POST", "/api/projects/taller-obert/notes", {"content": "Nova clau"}).status == 201
    # Then Fedify verifies the post, signed with the new key it had never seen (fetched from the actor)
    create = peer.wait_for_activity("Create", actor=project)
    assert create["auth"]["verifiedBy"] == "http-signature"
    assert create["auth"]["keyId"] == rotation["keyId"] == f"{project}#key-2"
    assert "Nova clau" in json.dumps(create["object"])
    assert peer.errors() == [], peer.errors()


def test_bad_rotation_requests_change_nothing_and_all_rotates_every_actor(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    before = _rows(a, "SELECT slug, key_number, public_key_pem FROM actors ORDER BY slug")
    for body in (
        {},
        {"actor": "organisation/ateneu-clot", "all": True},
        {"all": False},
        {"actor": "people/x"},
        {"actor": "project/Not A Slug"},
        {"actor": 7},
        [],
        {"actor": "instance", "extra": 1},
    ):
        answer = api(a.base_url, a.token, "POST", "/api/keys/rotate", body)
        assert answer.status == 422 and answer.json()["code"] == "validation_failed", (body, answer.body)
    missing = api(a.base_url, a.token, "POST", "/api/keys/rotate", {"actor": "project/ateneu-clot"})
    assert missing.status == 404 and missing.json()["code"] == "no_such_actor"
    assert api(a.base_url, None, "POST", "/api/keys/rotate", {"all": True}).status == 401
    refused = run_dsi4bcn(["key", "rotate", "--actor", "people/x", "--url", a.base_url, "--token", a.token])
    assert refused.returncode == 2 and "organisation/NAME" in refused.stderr
    assert _rows(a, "SELECT slug, key_number, public_key_pem FROM actors ORDER BY slug") == before

    # --all: the instance actor, the organisation and the project, each with a new key id
    done = run_dsi4bcn(["key", "rotate", "--all", "--url", a.base_url, "--token", a.token])
    assert done.returncode == 0, done.stderr
    rotated = {item["actor"]: item for item in json.loads(done.stdout)["rotated"]}
    instance = f"{a.base_url}/actor"
    assert set(rotated) == {instance, f"{a.base_url}/organisations/ateneu-clot", f"{a.base_url}/projects/taller-obert"}
    assert rotated[instance]["keyId"] == f"{instance}#key-2"
    for actor, item in rotated.items():
        assert _published_keys(a, actor)[:2] == [item["keyId"], item["retiredKeyId"]]

    # B, a peer of A, takes the new key of A's instance actor from its Update (no profile is made of it)
    def outcome() -> list[tuple[Any, ...]]:
        return _rows(b, "SELECT outcome FROM inbox WHERE activity_id = ?", rotated[instance]["update"])

    within(10, lambda: outcome() and outcome()[0][0] is not None, "B processing the instance actor's Update")
    assert outcome() == [("the peer's own actor: keys replaced",)]
    assert f"{instance}#key-2" in _keys_held(b, instance)
