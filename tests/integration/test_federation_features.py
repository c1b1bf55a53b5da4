"""Authorized fetch, manual approval of followers, the paged outbox, and Delete of a removed project."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from federation.httpsig import sign_headers
from tests.support.fake_actors import ActorServer, FakeActor, send_follow
from tests.support.http import api, fetch
from tests.support.nodes import Node

ORGANISATION = {"nameMap": {"ca": "Lab Ciutat"}, "sectors": ["sector:academia"]}
PROJECT = {"organisation": "lab", "nameMap": {"ca": "Observatori"}, "areas": ["area:open-data"]}
AS_JSON = {"Accept": "application/activity+json"}
FAST = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01"}


@pytest.fixture
def actors() -> Iterator[ActorServer]:
    server = ActorServer()
    yield server
    server.stop()


def _seed(node: Node, **project: object) -> str:
    assert api(node.base_url, node.token, "PUT", "/api/organisations/lab", ORGANISATION).status == 201
    assert api(node.base_url, node.token, "PUT", "/api/projects/observatori", dict(PROJECT, **project)).status == 201
    return f"{node.base_url}/projects/observatori"


def _follow(node: Node, follower: FakeActor, target: str) -> dict:
    return send_follow(f"{target}/inbox", follower, target)


def test_authorized_fetch_requires_signed_gets_except_for_the_instance_actor(node_factory, actors) -> None:
    node: Node = node_factory("authorized", extra_args=["--authorized-fetch"])
    project = _seed(node)
    reader = actors.add_actor("reader")
    unsigned = fetch(project, headers=AS_JSON)
    assert unsigned.status == 401 and "signed" in unsigned.json()["error"]
    assert fetch(f"{project}/followers", headers=AS_JSON).status == 401
    signed = sign_headers(
        method="GET", url=project, key_id=reader.key_id, private_key_pem=reader.keys.private_pem, now=datetime.now(UTC)
    )
    answer = fetch(project, headers={**AS_JSON, **signed})
    assert answer.status == 200 and answer.json()["id"] == project
    assert fetch(f"{node.base_url}/actor", headers=AS_JSON).status == 200
    assert fetch(project, headers={"Accept": "text/html"}).status == 200
    assert fetch(f"{node.base_url}/.well-known/webfinger?resource=acct:observatori@127.0.0.1:{node.port}").status == 200


def test_a_project_that_approves_followers_by_hand(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("manual", env=FAST)
    project = _seed(node, manuallyApprovesFollowers=True)
    assert fetch(project, headers=AS_JSON).json()["manuallyApprovesFollowers"] is True
    julia, kim = actors.add_actor("julia"), actors.add_actor("kim")
    julia_follow = _follow(node, julia, project)
    _follow(node, kim, project)
    pending_path = "/api/projects/observatori/follow-requests"

    def pending() -> list[str]:
        return sorted(item["actor"] for item in api(node.base_url, node.token, "GET", pending_path).json())

    actors.wait_until(lambda: pending() == sorted([julia.id, kim.id]))
    assert fetch(f"{project}/followers", headers=AS_JSON).json()["totalItems"] == 0
    assert api(node.base_url, node.token, "POST", pending_path + "/accept", {"actor": julia.id}).status == 200
    assert api(node.base_url, node.token, "POST", pending_path + "/reject", {"actor": kim.id}).status == 200
    actors.wait_until(lambda: actors.unique_ids("julia", "Accept") and actors.unique_ids("kim", "Reject"))
    accept = next(item for item in actors.inbox_items("julia") if item["type"] == "Accept")
    assert accept["object"] == julia_follow
    assert pending() == []
    page = fetch(f"{project}/followers?page=1", headers=AS_JSON).json()
    assert page["orderedItems"] == [julia.id] and page["totalItems"] == 1
    missing = api(node.base_url, node.token, "POST", pending_path + "/accept", {"actor": kim.id})
    assert missing.status == 404


def test_posts_fill_a_paged_outbox_and_are_served_at_their_ids(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("outbox", env=FAST)
    project = _seed(node)
    ids = []
    for number in range(3):
        answer = api(
            node.base_url,
            node.token,
            "POST",
            "/api/projects/observatori/notes",
            {"contentMap": {"ca": f"<p>Dada {number}</p>", "es": f"<p>Dato {number}</p>"}},
        )
        assert answer.status == 201
        ids.append(answer.json()["id"])
    outbox = fetch(f"{project}/outbox", headers=AS_JSON).json()
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 3
    assert fetch(f"{node.base_url}/nodeinfo/2.1").json()["usage"]["localPosts"] == 3
    page = fetch(outbox["first"], headers=AS_JSON).json()
    assert page["type"] == "OrderedCollectionPage"
    assert [item["id"] for item in page["orderedItems"]] == list(reversed(ids))
    create = fetch(ids[0], headers=AS_JSON).json()
    assert create["type"] == "Create" and create["actor"] == project
    note = fetch(create["object"]["id"], headers=AS_JSON).json()
    assert note["type"] == "Note" and note["contentMap"]["es"].startswith("<p>Dato 0</p>")
    assert note["content"].startswith("<p>Dada 0</p>")  # the node's language (Catalan) when no content
    bad = api(node.base_url, node.token, "POST", "/api/projects/observatori/notes", {"content": 3, "extra": 1})
    assert bad.status == 422
    assert {p["field"] for p in bad.json()["problems"]} == {"content", "extra"}
    assert fetch(f"{project}/outbox", headers=AS_JSON).json()["totalItems"] == 3


def test_removing_a_project_sends_delete_to_its_followers(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("delete", env=FAST)
    project = _seed(node)
    lena = actors.add_actor("lena")
    _follow(node, lena, project)
    actors.wait_until(lambda: actors.unique_ids("lena", "Accept") or actors.unique_ids("shared", "Accept"))
    assert api(node.base_url, node.token, "DELETE", "/api/projects/observatori").status == 200
    actors.wait_until(lambda: actors.unique_ids("shared", "Delete"))
    delete = next(item for item in actors.inbox_items("shared") if item["type"] == "Delete")
    assert delete["actor"] == project and delete["object"] == project
    assert fetch(project, headers=AS_JSON).status == 410


def test_a_shared_inbox_on_another_origin_is_not_used(node_factory, actors: ActorServer) -> None:
    node: Node = node_factory("shared", env=FAST)
    project = _seed(node)
    elsewhere = ActorServer()  # another origin (same host, another port), which sam does not own
    try:
        # Given an actor whose document names someone else's inbox as its shared inbox
        sam = actors.add_actor("sam", with_shared_inbox=False)
        document = dict(actors.documents["/users/sam"], endpoints={"sharedInbox": f"{elsewhere.base_url}/inbox"})
        actors.serve_document("/users/sam", document)
        _follow(node, sam, project)
        actors.wait_until(lambda: actors.unique_ids("sam", "Accept"), timeout=15)
        # When the project posts to its followers
        assert (
            api(node.base_url, node.token, "POST", "/api/projects/observatori/notes", {"content": "Hola"}).status == 201
        )
        # Then the post goes to sam's own inbox, and nothing to the other origin
        actors.wait_until(lambda: actors.unique_ids("sam", "Create"), timeout=15)
        assert elsewhere.attempts == {}
    finally:
        elsewhere.stop()
