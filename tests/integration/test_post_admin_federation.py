"""The posts and followers pages reach real followers: a Fedify user asks to follow a project that approves
followers by hand, its manager approves the request on the followers page and Fedify receives a verified
``Accept``; the post written on the posts page reaches Fedify as a verified ``Create{Note}`` in the chosen
language with the chosen hashtags; and a second dsi4bcn node whose request is rejected there gets the
``Reject`` (its follow is marked rejected)."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.accounts import first_admin, new_session
from tests.support.fedify_peer import FedifyPeer, start_fedify_peer
from tests.support.formclient import csrf_of
from tests.support.http import api
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = [pytest.mark.peer, pytest.mark.network]
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
ORGANISATION = {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]}
PROJECT = {
    "organisation": "ateneu-clot",
    "nameMap": {"ca": "Taller obert"},
    "areas": ["area:maker", "area:open-data"],
    "manuallyApprovesFollowers": True,
}
FOLLOWERS = "/admin/projects/taller-obert/followers"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("post-admin-fed")
    a, b = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    for node in (a, b):
        assert api(node.base_url, node.token, "PUT", "/api/organisations/ateneu-clot", ORGANISATION).status == 201
        assert api(node.base_url, node.token, "PUT", "/api/projects/taller-obert", PROJECT).status == 201
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FedifyPeer]:
    started = start_fedify_peer(log_dir=tmp_path_factory.mktemp("fedify-peer"))
    yield started
    started.stop()


def _pending(node: Node) -> list[str]:
    answer = api(node.base_url, node.token, "GET", "/api/projects/taller-obert/follow-requests")
    return [item["actor"] for item in answer.json()]


def _body(activity: dict[str, Any]) -> dict[str, Any]:
    body = activity["body"]
    return json.loads(body) if isinstance(body, str) else dict(body)


def test_approving_on_the_page_sends_an_accept_and_the_page_s_post_reaches_fedify(
    nodes: tuple[Node, Node], peer: FedifyPeer
) -> None:
    a, _ = nodes
    admin = first_admin(a)
    project = f"{a.base_url}/projects/taller-obert"
    # Given a Fedify user asking to follow a project that approves followers by hand
    peer.follow(project)
    within(15, lambda: peer.actor_url in _pending(a), "the follow request on A")
    page = admin.get(f"{FOLLOWERS}?lang=en")
    assert f'<input type="hidden" name="actor" value="{peer.actor_url}">'.encode() in page.body
    # A form without the CSRF token changes nothing
    assert admin.post(f"{FOLLOWERS}/accept", {"actor": peer.actor_url}).status == 403
    assert peer.actor_url in _pending(a)
    # When the manager approves it on the followers page
    answer = admin.post(f"{FOLLOWERS}/accept?lang=en", {"csrf": csrf_of(page.body), "actor": peer.actor_url})
    assert answer.status == 303 and answer.headers["location"] == f"{FOLLOWERS}?lang=en&done=accepted"
    # Then Fedify receives a verified Accept of its Follow, and the follower is listed
    accept = peer.wait_for_activity("Accept", actor=project)
    assert accept["auth"]["verifiedBy"] == "http-signature"
    assert _body(accept)["object"]["actor"] == peer.actor_url
    within(15, lambda: [f["state"] for f in peer.following() if f.get("target") == project] == ["accepted"], "accepted")
    listed = admin.get(f"{FOLLOWERS}?lang=en").body.decode()
    assert "Followers (1)" in listed and "No request is waiting." in listed
    assert (
        admin.post(f"{FOLLOWERS}/accept?lang=en", {"csrf": csrf_of(page.body), "actor": peer.actor_url}).status == 404
    )

    # When the manager writes a post in Spanish on the posts page, with one suggested and one free hashtag
    posts = admin.get("/admin/projects/taller-obert/posts?lang=es")
    fields = [
        ("csrf", csrf_of(posts.body)),
        ("text", "¡Abrimos el **jueves**!"),
        ("format", "markdown"),
        ("language", "es"),
        ("tag", "area:open-data"),
        ("hashtags", "Clot"),
        ("action", "publish"),
    ]
    assert admin.request("POST", "/admin/projects/taller-obert/posts?lang=es", fields).status == 303
    # Then Fedify receives the verified Create{Note}, as the API's post is sent
    create = peer.wait_for_activity("Create", actor=project)
    sent = _body(create)
    assert create["auth"]["verifiedBy"] == "http-signature"
    assert sent["to"] == ["https://www.w3.org/ns/activitystreams#Public"] and sent["cc"] == [f"{project}/followers"]
    note = sent["object"]
    assert "¡Abrimos el <strong>jueves</strong>!" in note["contentMap"]["es"]
    assert [tag["name"] for tag in note["tag"]] == ["#DatosAbiertos", "#Clot"]
    assert peer.errors() == [], peer.errors()


def test_rejecting_on_the_page_sends_a_reject_that_the_other_node_receives(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    project = f"{a.base_url}/projects/taller-obert"
    asked = api(b.base_url, b.token, "POST", "/api/projects/taller-obert/following", {"target": project})
    assert asked.status == 202, asked.body
    follower = f"{b.base_url}/projects/taller-obert"
    within(15, lambda: follower in _pending(a), "B's follow request on A")
    admin = new_session(a, "admin@ateneu.example")
    page = admin.get(f"{FOLLOWERS}?lang=ca")
    assert "Sol·licituds de seguiment" in page.body.decode()
    answer = admin.post(f"{FOLLOWERS}/reject?lang=ca", {"csrf": csrf_of(page.body), "actor": follower})
    assert answer.status == 303 and follower not in _pending(a)

    def state() -> str | None:
        rows = api(b.base_url, b.token, "GET", "/api/projects/taller-obert/following").json()
        return next((row["state"] for row in rows if row["actor"] == project), None)

    within(15, lambda: state() == "rejected", "B's follow marked rejected")
    actions = [(e["action"], e["target"]) for e in api(a.base_url, a.token, "GET", "/api/audit").json()]
    assert ("follow_rejected", follower) in actions
