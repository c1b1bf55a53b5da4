"""A peer that sends bad profiles: each is refused without any fetch, the reason logged, the old version kept."""

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from tests.support.fake_actors import ActorServer, FakeActor
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.network
NAME = "Taller de la Marina"


class FakeNode:
    """A peer node of our own making: an instance actor, a profiles collection and one project."""

    def __init__(self) -> None:
        self.server = ActorServer()
        base = self.server.base_url
        self.project_id = f"{base}/projects/marina"
        self.updated = datetime(2026, 1, 1, tzinfo=UTC)
        self.project = self._render(NAME)
        self.key = FakeActor(
            self.project_id, f"{self.project_id}/inbox", f"{self.project_id}#main-key", self.server.keys
        )
        instance = f"{base}/actor"
        self.server.serve_document(
            "/actor",
            {
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": instance,
                "type": "Application",
                "preferredUsername": "fake",
                "inbox": f"{instance}/inbox",
                "profiles": f"{instance}/profiles",
                "publicKey": {
                    "id": f"{instance}#main-key",
                    "owner": instance,
                    "publicKeyPem": self.server.keys.public_pem,
                },
            },
        )
        self.server.serve_document(
            "/actor/profiles",
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{instance}/profiles",
                "type": "OrderedCollection",
                "totalItems": 1,
                "first": f"{instance}/profiles?page=1",
            },
        )
        self.publish(self.project)

    def _render(self, name: str) -> dict[str, Any]:
        stamp = self.updated.isoformat().replace("+00:00", "Z")
        record = ActorRecord(
            "project",
            "marina",
            "org",
            {
                "nameMap": {"ca": name},
                "areas": ["area:maker"],
                "projectStatus": "status:active",
                "basedIn": "neighbourhood:13",
            },
            self.server.keys.public_pem,
            stamp,
            stamp,
        )
        host = self.server.base_url.split("://")[1]
        return render_actor(record, base_url=self.server.base_url, authority=host, language="ca")

    def publish(self, document: dict[str, Any]) -> None:
        self.server.serve_document("/projects/marina", document)
        page = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.server.base_url}/actor/profiles?page=1",
            "type": "OrderedCollectionPage",
            "orderedItems": [{"id": self.project_id, "type": "Group", "updated": document.get("updated")}],
        }
        self.server.serve_document("/actor/profiles?page=1", page)

    def newer(self, **changes: Any) -> dict[str, Any]:
        """The project document, one hour newer, with ``changes`` applied."""
        self.updated += timedelta(hours=1)
        document = self._render(NAME)
        document.update(changes)
        return document

    def send_update(self, node: Node, document: dict[str, Any]) -> int:
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.project_id}/activities/{uuid.uuid4()}",
            "type": "Update",
            "actor": self.project_id,
            "object": document,
        }
        body = json.dumps(activity).encode()
        url = f"{node.base_url}/inbox"
        return fetch(url, method="POST", headers=self.key.sign(url, body), body=body).status


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, FakeNode]]:
    fake = FakeNode()
    node = start_node(tmp_path_factory.mktemp("ingest") / "c", env={"DSI4BCN_RESYNC_INTERVAL": "600"})
    assert api(node.base_url, node.token, "POST", "/api/peers", {"url": fake.server.base_url}).status == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _names(node, fake) != [NAME]:
        time.sleep(0.1)
    assert _names(node, fake) == [NAME]
    yield node, fake
    node.stop()
    fake.server.stop()


def _names(node: Node, fake: FakeNode) -> list[str]:
    query = (
        f"SELECT ?n WHERE {{ GRAPH <{fake.project_id}> {{ <{fake.project_id}> "
        f"<https://www.w3.org/ns/activitystreams#name> ?n FILTER(lang(?n) = 'ca') }} }}"
    )
    answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/json"})
    return [row["n"]["value"] for row in answer.json()["results"]["bindings"]]


def _wait_for_log(node: Node, text: str, timeout: float = 10.0, since: int = 0) -> str:
    """The node's log from ``since`` once it contains ``text``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in node.log()[since:]:
            return node.log()[since:]
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the node's log:\n{node.log()[-2000:]}")


def test_a_good_update_is_ingested(peers: tuple[Node, FakeNode]) -> None:
    node, fake = peers
    assert fake.send_update(node, fake.newer(nameMap={"ca": "Taller de la Marina (nou)"}, name="x")) == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _names(node, fake) != ["Taller de la Marina (nou)"]:
        time.sleep(0.1)
    assert _names(node, fake) == ["Taller de la Marina (nou)"]
    # an older version arriving late never overwrites it
    stale = fake._render(NAME)
    stale["updated"] = "2020-01-01T00:00:00Z"
    log_start = len(node.log())
    assert fake.send_update(node, stale) == 202
    _wait_for_log(node, "ignored a stale version", since=log_start)
    assert _names(node, fake) == ["Taller de la Marina (nou)"]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("another origin's resource", "not on"),
        ("smuggled @graph", "@graph"),
        ("smuggled @reverse", "@reverse"),
        ("breaks the shapes", "SHACL"),
        ("remote context on the peer", "bundled contexts"),
        ("file: context", "bundled contexts"),
        ("loopback context", "bundled contexts"),
        ("relative context", "bundled contexts"),
    ],
)
def test_a_bad_profile_is_refused_without_any_fetch_and_the_old_version_kept(
    peers: tuple[Node, FakeNode], case: str, reason: str
) -> None:
    node, fake = peers
    before = _names(node, fake)
    gets_before = dict(fake.server.gets)
    log_start = len(node.log())
    context = fake.project["@context"]
    if case == "another origin's resource":
        bad = fake.newer(
            location={"id": "https://elsewhere.example/places/1", "type": "Place", "latitude": 41.37, "longitude": 2.15}
        )
    elif case == "smuggled @graph":
        bad = fake.newer(**{"@graph": [{"id": "https://elsewhere.example/p", "name": "owned"}]})
    elif case == "smuggled @reverse":
        bad = fake.newer(**{"@reverse": {"organisation": {"id": "https://elsewhere.example/o"}}})
    elif case == "breaks the shapes":
        bad = fake.newer(areas=["skill:web-development"])
    elif case == "remote context on the peer":
        bad = fake.newer(**{"@context": [*context, f"{fake.server.base_url}/contexts/evil.jsonld"]})
    elif case == "file: context":
        bad = fake.newer(**{"@context": [*context, "file:///etc/passwd"]})
    elif case == "relative context":
        bad = fake.newer(**{"@context": "rel"})
    else:
        bad = fake.newer(**{"@context": [*context, "http://127.0.0.1:9/context.jsonld"]})
    status = fake.send_update(node, bad)
    if "smuggled" in case:
        # Refused at the inbox door already (400), with the reason logged.
        assert status == 400
        _wait_for_log(node, reason, since=log_start)
    else:
        assert status == 202
        logged = _wait_for_log(node, f"refused the profile {fake.project_id}", since=log_start)
        assert reason in logged
    assert _names(node, fake) == before
    fetched = {path: count for path, count in fake.server.gets.items() if count != gets_before.get(path, 0)}
    assert not any("context" in path for path in fetched), fetched


def test_a_resync_that_meets_a_bad_profile_records_it_and_goes_on(peers: tuple[Node, FakeNode]) -> None:
    node, fake = peers
    before = _names(node, fake)
    log_start = len(node.log())
    fake.publish(fake.newer(**{"@context": "rel"}))  # a relative context once stopped the peer's resync for good
    assert api(node.base_url, node.token, "POST", "/api/peers", {"url": fake.server.base_url}).status == 202
    assert "bundled contexts" in _wait_for_log(node, f"refused the profile {fake.project_id}", since=log_start)
    assert _names(node, fake) == before
    # The next resync still runs, and takes the good version.
    fake.publish(fake.newer(nameMap={"ca": "Taller de la Marina (resync)"}))
    assert api(node.base_url, node.token, "POST", "/api/peers", {"url": fake.server.base_url}).status == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _names(node, fake) != ["Taller de la Marina (resync)"]:
        time.sleep(0.1)
    assert _names(node, fake) == ["Taller de la Marina (resync)"]
    assert "Traceback" not in node.log()[log_start:]


def test_a_profile_gone_by_the_time_a_resync_fetches_it_is_erased(peers: tuple[Node, FakeNode]) -> None:
    # Runs last in this module: it deletes the peer's only project.
    node, fake = peers
    assert _names(node, fake)
    fake.publish(fake.newer())  # listed with a newer date, so the resync fetches it...
    fake.server.gone_documents.add("/projects/marina")  # ...and finds it deleted meanwhile
    assert api(node.base_url, node.token, "POST", "/api/peers", {"url": fake.server.base_url}).status == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _names(node, fake):
        time.sleep(0.1)
    assert _names(node, fake) == []
    with sqlite3.connect(f"file:{node.database}?mode=ro", uri=True) as connection:
        [(deleted,)] = connection.execute("SELECT deleted FROM remote_profiles WHERE actor = ?", (fake.project_id,))
    assert deleted
