"""A domain block does what Mastodon's does: the domain's requests are refused, nothing more is delivered to
it, follows both ways are dropped and its aggregated profiles leave the graph; unblocking brings back what
can be fetched again.

Every process here listens on 127.0.0.1, so a "domain" is a host name, not a port: the blocked side (node B
and a fake Mastodon-like server) is addressed as ``localhost``, everything else as ``127.0.0.1``, and C blocks
``localhost``. Blocks apply to host names (and their subdomains), never to ports, as Mastodon's do.
"""

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import pytest

from federation.httpsig import sign_headers
from tests.support.fake_actors import ActorServer, FakeActor, send_follow
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import Answer, api, fetch, put_profile
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "2"}
AS_JSON = {"Accept": "application/activity+json"}
PREFIX = "PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>\n"
NEVER = 10**9  # a fake inbox that fails this many times keeps our deliveries to it queued


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("blocks")
    c = start_node(folder / "c", env=ENV, extra_args=["--authorized-fetch"])
    b = start_node(folder / "b", env=ENV, host_name="localhost")
    remote = ActorServer(host_name="localhost")  # a Mastodon-like server on the blocked domain
    friends = ActorServer()  # and one on 127.0.0.1, which stays welcome
    _put(c, "organisations/ateneu", {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]})
    _put(
        c,
        "projects/repair-cafe",
        {
            "organisation": "ateneu",
            "nameMap": {"ca": "Repair Cafè del Clot"},
            "areas": ["area:social-solidarity-economy"],
            "needs": ["skill:web-development"],
        },
    )
    _put(b, "organisations/teixit", {"nameMap": {"ca": "Teixit Digital"}, "sectors": ["sector:industry"]})
    for slug, name in (("botiga-web", "Botigues web cooperatives"), ("eines", "Eines lliures")):
        _put(
            b,
            f"projects/{slug}",
            {
                "organisation": "teixit",
                "nameMap": {"ca": name},
                "areas": ["area:social-solidarity-economy"],
                "offers": ["skill:web-development"],
            },
        )
    yield {"b": b, "c": c, "remote": remote, "friends": friends}
    for node in (b, c):
        node.stop()
    remote.stop()
    friends.stop()


def _put(node: Node, path: str, document: dict) -> None:
    put_profile(node.base_url, node.token, path, document)


def _rows(node: Node, query: str) -> list[tuple]:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def _on_localhost(url: str) -> bool:
    return urlsplit(url).hostname == "localhost"


def _follows(c: Node) -> dict[str, list[str]]:
    """Who follows C's actors, and whom they follow, on the blocked domain."""
    followers = [actor for (actor,) in _rows(c, "SELECT actor FROM followers") if _on_localhost(actor)]
    following = [actor for (actor,) in _rows(c, "SELECT actor FROM following") if _on_localhost(actor)]
    return {"followers": sorted(followers), "following": sorted(following)}


def _queued(c: Node) -> list[str]:
    return [inbox for (inbox,) in _rows(c, "SELECT inbox FROM deliveries") if _on_localhost(inbox)]


def _graph_rows(c: Node) -> list[dict[str, str]]:
    """Every named graph on C with a project in it, and its provenance source."""
    query = PREFIX + (
        "SELECT ?g ?p WHERE { { GRAPH ?g { ?p a dsi:Project } } UNION"
        " { GRAPH <urn:dsi4bcn:provenance> { ?g <http://www.w3.org/ns/prov#wasAttributedTo> ?p } } }"
    )
    answer = fetch(
        f"{c.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status == 200, answer.body[:300]
    bindings = answer.json()["results"]["bindings"]
    return [{name: value["value"] for name, value in row.items()} for row in bindings]


def _graph_of_b(c: Node, b: Node) -> list[dict[str, str]]:
    return [row for row in _graph_rows(c) if any(value.startswith(b.base_url) for value in row.values())]


def _b_projects(b: Node) -> set[str]:
    return {item["id"] for item in api(b.base_url, b.token, "GET", "/api/projects").json()}


def _partners(c: Node) -> list[str]:
    query = {"project": f"{c.base_url}/projects/repair-cafe", "limit": "50"}
    answer = fetch(f"{c.base_url}/api/match?{urlencode(query)}", headers={"Accept": "application/json"})
    assert answer.status == 200, answer.body[:300]
    return [result["partner"] for result in answer.json()["results"]]


def _signed_get(url: str, actor: FakeActor) -> Answer:
    signed = sign_headers(
        method="GET", url=url, key_id=actor.key_id, private_key_pem=actor.keys.private_pem, now=datetime.now(UTC)
    )
    return fetch(url, headers={**AS_JSON, **signed})


def test_a_blocked_domains_follows_deliveries_and_graph_data_are_gone_after_the_block(world: dict) -> None:
    b, c, remote, friends = world["b"], world["c"], world["remote"], world["friends"]
    project = f"{c.base_url}/projects/repair-cafe"
    # Given C aggregates B's profiles, and B aggregates C's (follows both ways between the instance actors)
    for here, there in ((c, b), (b, c)):
        answer = api(here.base_url, here.token, "POST", "/api/peers", {"url": there.base_url})
        assert answer.status == 202, answer.body
    within(15, lambda: {row["p"] for row in _graph_of_b(c, b)} >= _b_projects(b), "C aggregating B")
    within(15, lambda: set(_partners(c)) & _b_projects(b), "C matching its project with B's")
    # and an account on the blocked domain follows C's project, which follows it back; its server is down,
    # so the Accept, the Follow and a post stay queued for it
    zoe = remote.add_actor("zoe")
    remote.fail_first.update({"zoe": NEVER, "shared": NEVER})
    send_follow(f"{project}/inbox", zoe, project)
    answer = api(c.base_url, c.token, "POST", "/api/projects/repair-cafe/following", {"target": zoe.id})
    assert answer.status == 202, answer.body
    assert api(c.base_url, c.token, "POST", "/api/projects/repair-cafe/notes", {"content": "Hola"}).status == 201
    within(10, lambda: _follows(c)["followers"] == sorted([zoe.id, f"{b.base_url}/actor"]), "the follows")
    assert _follows(c)["following"] == sorted([zoe.id, f"{b.base_url}/actor"])
    within(10, lambda: len(_queued(c)) >= 3 and remote.attempts["zoe"] + remote.attempts["shared"] >= 3, "queueing")
    reader = friends.add_actor("reader")
    assert _signed_get(project, reader).status == 200
    assert _signed_get(project, zoe).status == 200

    # When C blocks the domain (with the command line, in a spelling of its own)
    command = ["blocks", "add", "LOCALHOST\u3002", "--reason", "spam", "--url", c.base_url, "--token", c.token]
    blocked = run_dsi4bcn(command)
    assert blocked.returncode == 0, blocked.stderr
    answer = json.loads(blocked.stdout)
    assert answer["domain"] == "localhost"
    assert answer["purged"] == {
        "followers": 2,
        "following": 2,
        "deliveries": answer["purged"]["deliveries"],
        "activities": 0,
        "actors": 2,
        "profiles": 3,
    }
    assert answer["purged"]["deliveries"] >= 3

    # Then the follows both ways and the queued deliveries are gone, and nothing is attempted any more
    assert _follows(c) == {"followers": [], "following": []}
    assert _queued(c) == []
    attempts = dict(remote.attempts)
    # B's profiles leave the graph (provenance included) and the matching
    within(10, lambda: _graph_of_b(c, b) == [], "erasing B's profiles from C's graph")
    within(10, lambda: not set(_partners(c)) & _b_projects(b), "dropping B's projects from the matching")
    assert _rows(c, "SELECT actor FROM remote_profiles WHERE deleted IS NULL") == []
    # and the domain is refused everywhere: signed GETs, its inbox posts, peering, following its accounts
    refused = _signed_get(project, zoe)
    assert refused.status == 403 and "blocked" in refused.json()["error"], refused.body
    assert _signed_get(project, reader).status == 200
    follow = {"id": f"{zoe.id}/follows/again", "type": "Follow", "actor": zoe.id, "object": project}
    body = json.dumps(follow).encode()
    answer = fetch(f"{project}/inbox", method="POST", body=body, headers=zoe.sign(f"{project}/inbox", body))
    assert answer.status == 403 and "blocked" in answer.json()["error"], answer.body
    answer = api(c.base_url, c.token, "POST", "/api/peers", {"url": b.base_url})
    assert answer.status == 403 and "blocked" in answer.json()["error"], answer.body
    answer = api(c.base_url, c.token, "POST", "/api/projects/repair-cafe/following", {"target": zoe.id})
    assert answer.status == 403 and "blocked" in answer.json()["error"], answer.body
    # B's resync (every 2 s) and B's pushes bring nothing back while the block holds
    edited = {"organisation": "teixit", "nameMap": {"ca": "Eines lliures, edició 2"}}
    _put(b, "projects/eines", dict(edited, areas=["area:social-solidarity-economy"], offers=["skill:web-development"]))
    time.sleep(4)
    assert _graph_of_b(c, b) == []
    assert _queued(c) == []
    assert dict(remote.attempts) == attempts, "a delivery to the blocked domain was attempted after the block"
    # The peer itself is kept (so that unblocking can resume it), marked as blocked
    peers = {peer["origin"]: peer for peer in api(c.base_url, c.token, "GET", "/api/peers").json()}
    assert peers[b.base_url]["blocked"] is True

    # When C unblocks the domain, the peer is followed and resynced again: B's profiles come back
    unblocked = api(c.base_url, c.token, "DELETE", "/api/blocked-domains/localhost")
    assert unblocked.status == 200, unblocked.body
    within(15, lambda: {row["p"] for row in _graph_of_b(c, b)} >= _b_projects(b), "B's profiles coming back")
    names = fetch(
        f"{c.base_url}/sparql?{urlencode({'query': f'SELECT ?n WHERE {{ <{b.base_url}/projects/eines> ?p ?n }}'})}",
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    assert any(row["n"]["value"] == "Eines lliures, edició 2" for row in names)
    within(15, lambda: set(_partners(c)) & _b_projects(b), "B's projects back in the matching")
    within(10, lambda: f"{b.base_url}/actor" in _follows(c)["following"], "following B again")
    assert api(c.base_url, c.token, "GET", "/api/peers").json()[0]["blocked"] is False
    # Follows of accounts (zoe) are not restored: they were dropped, as Mastodon drops them
    assert zoe.id not in _follows(c)["followers"]
    assert _signed_get(project, zoe).status == 200
