"""Erasure reaches the aggregator on every path, and a resync never erases a live profile (issue 9).

Three node processes: A (the demo data) and B publish, C aggregates both with a resync interval far longer
than any test, so that what reaches C is what was pushed (or the resync at start-up). A fake peer of 300
profiles with a slow paged collection lets a push land while C is listing it.
"""

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from tests.support.fake_actors import ActorServer, FakeActor
from tests.support.http import api, fetch, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
PUBLISHER_ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01"}
AGGREGATOR_ENV = {**PUBLISHER_ENV, "DSI4BCN_RESYNC_INTERVAL": "3600"}
DSI = "https://w3id.org/dsi4bcn/ns#"
ORGANISATION = {"nameMap": {"ca": "Cooperativa Teixit"}, "sectors": ["sector:industry"], "basedIn": "district:6"}
PROFILES = 300
PAGE = 100


def _project(name: str) -> dict[str, Any]:
    return {
        "organisation": "teixit",
        "nameMap": {"ca": name},
        "areas": ["area:platform-cooperativism"],
        "offers": ["skill:web-development"],
    }


@dataclass
class Network:
    a: Node
    b: Node
    c: Node


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    folder = tmp_path_factory.mktemp("erasure")
    network = Network(
        start_node(folder / "a", demo=True, env=PUBLISHER_ENV),
        start_node(folder / "b", env=PUBLISHER_ENV),
        start_node(folder / "c", env=AGGREGATOR_ENV),
    )
    b, c = network.b, network.c
    assert api(b.base_url, b.token, "PUT", "/api/organisations/teixit", ORGANISATION).status == 201
    for peer in (network.a, b):
        assert api(c.base_url, c.token, "POST", "/api/peers", {"url": peer.base_url}).status == 202
    expected = set(_projects(network.a)) | set(_projects(b))
    within(10, lambda: expected <= _aggregated(c), "the backfill of A and B")
    yield network
    for node in (network.a, b, c):
        node.stop()


def _select(node: Node, query: str) -> list[dict[str, str]]:
    return sparql_rows(node.base_url, query)


def _projects(node: Node) -> list[str]:
    return [item["id"] for item in api(node.base_url, node.token, "GET", "/api/projects").json()]


def _aggregated(node: Node, prefix: str = "") -> set[str]:
    rows = _select(node, f"SELECT ?p WHERE {{ GRAPH ?g {{ ?p a <{DSI}Project> }} }}")
    return {row["p"] for row in rows if row["p"].startswith(prefix)}


def _traces(node: Node, iri: str) -> bool:
    """Whether any triple of ``iri`` is left on ``node``: in SPARQL (as subject, object or graph, provenance
    included) or in the ``/graph`` N-Quads dump."""
    query = (
        f"ASK {{ {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} UNION {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} "
        f"UNION {{ GRAPH ?g {{ ?s ?p <{iri}> }} }} }}"
    )
    answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/json"})
    assert answer.status == 200, answer.body[:300]
    if answer.json()["boolean"]:
        return True
    dump = fetch(f"{node.base_url}/graph", headers={"Accept": "application/n-quads"})
    assert dump.status == 200
    return f"<{iri}>".encode() in dump.body


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def test_a_backfilled_profile_deleted_at_its_origin_leaves_the_aggregator_within_5_s(network: Network) -> None:
    a, c = network.a, network.c
    # Given a profile C only knows from the backfill (it never fetched the actor or its key)
    doomed = _projects(a)[0]
    assert _traces(c, doomed)
    # When A deletes it, A's self-Delete reaches C, which cannot verify it: the actor and its key are gone
    assert api(a.base_url, a.token, "DELETE", f"/api/projects/{_slug(doomed)}").status == 200
    # Then C confirms it at A (410) and erases every triple of it within 5 s
    seconds = within(5, lambda: not _traces(c, doomed), "erasure of a backfilled profile")
    print(f"self-Delete of a backfilled profile: gone from C in {seconds:.2f} s")


def test_withdrawn_consent_leaves_the_aggregator_within_5_s(network: Network) -> None:
    a, c = network.a, network.c
    iri = _projects(a)[1]
    assert _traces(c, iri)
    document = api(a.base_url, a.token, "GET", f"/api/projects/{_slug(iri)}").json()
    document["indexable"] = False
    assert api(a.base_url, a.token, "PUT", f"/api/projects/{_slug(iri)}", document).status == 200
    seconds = within(5, lambda: not _traces(c, iri), "erasure of a profile that withdrew consent")
    print(f"indexable: false: gone from C in {seconds:.2f} s")
    # Consent given again (a newer version at the origin) brings it back
    time.sleep(1.1)  # the origin stamps seconds: the new version must be strictly newer than the withdrawal
    document["indexable"] = True
    assert api(a.base_url, a.token, "PUT", f"/api/projects/{_slug(iri)}", document).status == 200
    within(5, lambda: iri in _aggregated(c), "the return of a profile that gave consent again")


def test_a_profile_created_after_peering_then_deleted_leaves_the_aggregator_within_5_s(network: Network) -> None:
    b, c = network.b, network.c
    assert api(b.base_url, b.token, "PUT", "/api/projects/nou-taller", _project("Nou taller")).status == 201
    iri = f"{b.base_url}/projects/nou-taller"
    within(5, lambda: iri in _aggregated(c), "the pushed Create")
    assert api(b.base_url, b.token, "DELETE", "/api/projects/nou-taller").status == 200
    seconds = within(5, lambda: not _traces(c, iri), "erasure of a profile created after peering")
    print(f"created after peering, then deleted: gone from C in {seconds:.2f} s")


def test_a_deletion_made_while_the_aggregator_was_down_reaches_it_within_60_s_of_its_restart(
    network: Network,
) -> None:
    a, c = network.a, network.c
    iri = _projects(a)[2]
    assert _traces(c, iri)
    c.stop()
    assert api(a.base_url, a.token, "DELETE", f"/api/projects/{_slug(iri)}").status == 200
    started = time.monotonic()
    c.start()  # returns once C answers /healthz
    within(60 - (time.monotonic() - started), lambda: not _traces(c, iri), "erasure after the aggregator's restart")
    print(f"deleted while C was down: gone from C {time.monotonic() - started:.2f} s after its restart began")


def _send_delete(node: Node, actor: str, signer: FakeActor, key_id: str) -> int:
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#delete-{uuid.uuid4()}",
        "type": "Delete",
        "actor": actor,
        "object": actor,
    }
    body = json.dumps(activity).encode()
    url = f"{node.base_url}/inbox"
    return fetch(url, method="POST", headers=signer.sign(url, body, key_id=key_id), body=body).status


def test_a_forged_delete_erases_nothing(network: Network) -> None:
    a, c = network.a, network.c
    live = _projects(a)[3]
    assert _traces(c, live)
    forger = ActorServer()
    try:
        mallory = forger.add_actor("mallory")
        # A Delete in the name of a live actor, signed by a key on its origin that C does not hold: C asks the
        # origin, which still answers 200, so nothing is erased
        assert _send_delete(c, live, mallory, f"{live}#main-key") == 202
        within(5, lambda: "still answers at its origin" in c.log(), "the check at the origin")
        # C now holds the actor's real key: the same Delete is refused (401), as is one signed by a key on
        # another origin than the actor's
        assert _send_delete(c, live, mallory, f"{live}#main-key") == 401
        assert _send_delete(c, live, mallory, mallory.key_id) == 401
        # And the forger's own Delete naming the live actor as its object
        activity = {"id": f"{mallory.id}/d/{uuid.uuid4()}", "type": "Delete", "actor": mallory.id, "object": live}
        body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams", **activity}).encode()
        url = f"{c.base_url}/inbox"
        assert fetch(url, method="POST", headers=mallory.sign(url, body), body=body).status in (202, 400)
        time.sleep(3)
        assert live in _aggregated(c) and _traces(c, live)
    finally:
        forger.stop()


class PagedPeer:
    """A peer node of our own making with many projects, listed 100 a page."""

    def __init__(self, count: int) -> None:
        self.server = ActorServer()
        self.base = self.server.base_url
        self.instance = f"{self.base}/actor"
        self.server.serve_document(
            "/actor",
            {
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": self.instance,
                "type": "Application",
                "preferredUsername": "paged",
                "inbox": f"{self.instance}/inbox",
                "profiles": f"{self.instance}/profiles",
                "publicKey": {
                    "id": f"{self.instance}#main-key",
                    "owner": self.instance,
                    "publicKeyPem": self.server.keys.public_pem,
                },
            },
        )
        self.listed: list[dict[str, Any]] = []
        for number in range(count):
            self.listed.append(self.add(f"p{number:03d}"))
        self.publish_listing()

    def iri(self, slug: str) -> str:
        return f"{self.base}/projects/{slug}"

    def add(self, slug: str) -> dict[str, Any]:
        """Serve the project ``slug``; the document (not listed until ``publish_listing``)."""
        stamp = "2026-01-01T00:00:00Z"
        record = ActorRecord(
            "project",
            slug,
            "org",
            {"nameMap": {"ca": f"Projecte {slug}"}, "areas": ["area:maker"], "projectStatus": "status:active"},
            self.server.keys.public_pem,
            stamp,
            stamp,
        )
        document = render_actor(record, base_url=self.base, authority=self.base.split("://")[1], language="ca")
        self.server.serve_document(f"/projects/{slug}", document)
        return document

    def publish_listing(self, *, skip_page: int | None = None) -> None:
        """Serve the collection of ``listed``, 100 a page (``skip_page``: page 1's ``next`` jumps over it)."""
        collection = f"{self.instance}/profiles"
        pages = max(1, -(-len(self.listed) // PAGE))
        self.server.serve_document(
            "/actor/profiles",
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": collection,
                "type": "OrderedCollection",
                "totalItems": len(self.listed),
                "first": f"{collection}?page=1",
            },
        )
        for page in range(1, pages + 1):
            chunk = self.listed[(page - 1) * PAGE : page * PAGE]
            following = page + 1 if page + 1 != skip_page else page + 2
            document: dict[str, Any] = {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{collection}?page={page}",
                "type": "OrderedCollectionPage",
                "orderedItems": [{"id": item["id"], "type": "Group", "updated": item["updated"]} for item in chunk],
            }
            if following <= pages:
                document["next"] = f"{collection}?page={following}"
            self.server.serve_document(f"/actor/profiles?page={page}", document)

    def push_create(self, node: Node, document: dict[str, Any]) -> int:
        actor = document["id"]
        signer = FakeActor(actor, f"{actor}/inbox", f"{actor}#main-key", self.server.keys)
        activity = {
            "@context": document["@context"],
            "id": f"{actor}/activities/{uuid.uuid4()}",
            "type": "Create",
            "actor": actor,
            "object": {key: value for key, value in document.items() if key != "@context"},
        }
        body = json.dumps(activity).encode()
        url = f"{node.base_url}/inbox"
        return fetch(url, method="POST", headers=signer.sign(url, body), body=body).status


def _last_sync(node: Node, origin: str) -> str | None:
    for peer in api(node.base_url, node.token, "GET", "/api/peers").json():
        if peer["origin"] == origin:
            return peer["lastSync"]
    return None


def _resync(node: Node, peer: PagedPeer) -> None:
    """Start a resync of ``peer`` (adding a peer again resyncs it)."""
    assert api(node.base_url, node.token, "POST", "/api/peers", {"url": peer.base}).status == 202


@pytest.fixture(scope="module")
def paged(network: Network) -> Iterator[PagedPeer]:
    """A peer of 300 profiles (three pages), backfilled by C."""
    c = network.c
    peer = PagedPeer(PROFILES)
    _resync(c, peer)
    seconds = within(30, lambda: len(_aggregated(c, peer.base)) == PROFILES, "the backfill of 300 profiles")
    print(f"backfill of {PROFILES} profiles (3 pages): {seconds:.2f} s")
    within(10, lambda: _last_sync(c, peer.base) is not None, "the end of the backfill")
    yield peer
    peer.server.stop()


def test_a_profile_pushed_while_a_resync_lists_300_profiles_survives_it(network: Network, paged: PagedPeer) -> None:
    c, peer = network.c, paged
    # Given C holds the 300 profiles of a peer (three pages)
    assert len(_aggregated(c, peer.base)) == PROFILES
    # When a resync lists the peer slowly, and a new profile is pushed after the listing began
    synced = _last_sync(c, peer.base)
    for path in ("/actor/profiles", "/actor/profiles?page=1", "/actor/profiles?page=2", "/actor/profiles?page=3"):
        peer.server.delays[path] = 1.0
    listed_before = peer.server.gets["/actor/profiles"]
    time.sleep(1.1)  # lastSync has seconds
    _resync(c, peer)
    within(5, lambda: peer.server.gets["/actor/profiles"] >= listed_before + 1, "the start of the listing")
    fresh = peer.add("p-new")
    assert peer.push_create(c, fresh) == 202
    within(3, lambda: peer.iri("p-new") in _aggregated(c, peer.base), "the pushed Create")
    assert peer.server.gets["/actor/profiles"] < listed_before + 4, "the push landed after the listing"
    within(20, lambda: _last_sync(c, peer.base) != synced, "the end of the resync")
    peer.server.delays.clear()
    # Then the pushed profile, absent from the listing, is still held
    assert len(_aggregated(c, peer.base)) == PROFILES + 1
    # and once the peer lists it, a resync keeps it (no tombstone of it blocks the origin's version)
    peer.listed.append(fresh)
    peer.publish_listing()
    synced = _last_sync(c, peer.base)
    time.sleep(1.1)
    _resync(c, peer)
    within(20, lambda: _last_sync(c, peer.base) != synced, "the second resync")
    assert len(_aggregated(c, peer.base)) == PROFILES + 1


def test_a_listing_that_skips_a_page_erases_nothing(network: Network, paged: PagedPeer) -> None:
    c, peer = network.c, paged
    held = len(_aggregated(c, peer.base))
    assert held >= PROFILES
    # When page 1's next is page 3, the listing has fewer items than the collection's totalItems
    peer.publish_listing(skip_page=2)
    before = _last_sync(c, peer.base)
    _resync(c, peer)
    within(
        10,
        lambda: f"of the {len(peer.listed)} profiles" in (_peer_error(c, peer.base) or ""),
        "the resync that found the listing partial",
    )
    # Then the resync stops there: nothing is erased, and the peer is not marked synced
    assert _last_sync(c, peer.base) == before
    assert len(_aggregated(c, peer.base)) == held
    peer.publish_listing()


def _peer_error(node: Node, origin: str) -> str | None:
    for peer in api(node.base_url, node.token, "GET", "/api/peers").json():
        if peer["origin"] == origin:
            return peer["lastError"]
    return None
