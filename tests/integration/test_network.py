"""Three nodes federate into one graph: C aggregates A and B, follows their edits and deletions, survives a
restart, and catches up through resync after being down."""

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
PREFIXES = (
    "PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)
ORGANISATION = {"nameMap": {"ca": "Cooperativa Teixit"}, "sectors": ["sector:industry"], "basedIn": "district:6"}


def _project(name: str, **extra: object) -> dict:
    return {
        "organisation": "teixit",
        "nameMap": {"ca": name},
        "areas": ["area:platform-cooperativism"],
        "offers": ["skill:web-development"],
        **extra,
    }


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    folder = tmp_path_factory.mktemp("network")
    started = {
        "A": start_node(folder / "a", demo=True, env=ENV),
        "B": start_node(folder / "b", env=ENV),
        "C": start_node(folder / "c", env=ENV),
    }
    b = started["B"]
    assert api(b.base_url, b.token, "PUT", "/api/organisations/teixit", ORGANISATION).status == 201
    for slug in ("mercat-obert", "eines-lliures"):
        assert api(b.base_url, b.token, "PUT", f"/api/projects/{slug}", _project(slug.replace("-", " "))).status == 201
    yield started
    for node in started.values():
        node.stop()


def _select(node: Node, query: str) -> list[dict[str, str]]:
    return sparql_rows(node.base_url, PREFIXES + query)


def _projects(node: Node) -> list[str]:
    return [item["id"] for item in api(node.base_url, node.token, "GET", "/api/projects").json()]


def _aggregated_projects(c: Node) -> dict[str, str]:
    rows = _select(c, "SELECT ?g ?p WHERE { GRAPH ?g { ?p a dsi:Project } }")
    return {row["p"]: row["g"] for row in rows}


def test_c_aggregates_a_and_b_and_keeps_in_step(nodes: dict[str, Node]) -> None:
    a, b, c = nodes["A"], nodes["B"], nodes["C"]
    expected = set(_projects(a)) | set(_projects(b))
    assert len(expected) == 22
    # Given C peers with A and B
    for peer in (a, b):
        answer = api(c.base_url, c.token, "POST", "/api/peers", {"url": peer.base_url})
        assert answer.status == 202, answer.body
    # Then within 5 s C's endpoint lists every project, each in its own named graph, with provenance
    try:
        within(5, lambda: set(_aggregated_projects(c)) == expected, "aggregation of A and B")
    except AssertionError:
        held = set(_aggregated_projects(c))
        raise AssertionError(
            f"missing {sorted(expected - held)}, extra {sorted(held - expected)}; "
            f"peers {api(c.base_url, c.token, 'GET', '/api/peers').json()}"
        ) from None
    graphs = _aggregated_projects(c)
    assert all(graphs[project] == project for project in expected)
    provenance = _select(
        c,
        "SELECT ?g ?src ?key WHERE { GRAPH <urn:dsi4bcn:provenance> "
        "{ ?g prov:wasAttributedTo ?src ; dcterms:modified ?m . OPTIONAL { ?g dsi:verificationKey ?key } } }",
    )
    sources = {row["g"]: row["src"] for row in provenance}
    assert {sources[p] for p in _projects(a)} == {f"{a.base_url}/actor"}
    assert {sources[p] for p in _projects(b)} == {f"{b.base_url}/actor"}
    peers = api(c.base_url, c.token, "GET", "/api/peers").json()
    assert sorted(peer["origin"] for peer in peers) == sorted([a.base_url, b.base_url])

    # When a project changes on A, C shows the change within 5 s
    slug = "reparem-al-barri"
    document = api(a.base_url, a.token, "GET", f"/api/projects/{slug}").json()
    document["nameMap"]["en"] = "Repair café, every Thursday"
    assert api(a.base_url, a.token, "PUT", f"/api/projects/{slug}", document).status == 200
    iri = f"{a.base_url}/projects/{slug}"
    name_query = (
        f"SELECT ?n WHERE {{ GRAPH <{iri}> {{ <{iri}> <https://www.w3.org/ns/activitystreams#name> ?n "
        'FILTER(lang(?n) = "en") } }'
    )
    within(5, lambda: [row["n"] for row in _select(c, name_query)] == ["Repair café, every Thursday"], "the edit")

    # When a project is deleted on A, no triple of it is left on C within 5 s
    doomed = f"{a.base_url}/projects/mobles-oberts-per-a-casals"
    assert api(a.base_url, a.token, "DELETE", "/api/projects/mobles-oberts-per-a-casals").status == 200
    leftovers = (
        f"SELECT * WHERE {{ {{ GRAPH ?g {{ <{doomed}> ?p ?o }} }} UNION {{ GRAPH <{doomed}> {{ ?s ?p ?o }} }} "
        f"UNION {{ GRAPH ?g {{ ?s ?p <{doomed}> }} }} }}"
    )
    within(5, lambda: _select(c, leftovers) == [], "erasure of the deleted project")

    # When C restarts, it keeps its graph
    before = _aggregated_projects(c)
    c.restart()
    assert _aggregated_projects(c) == before

    # When A changes a project while C is down, C catches up within 60 s of coming back (resync)
    c.stop()
    document["nameMap"]["en"] = "Repair café, now on Fridays"
    assert api(a.base_url, a.token, "PUT", f"/api/projects/{slug}", document).status == 200
    c.start()
    seconds = within(
        60,
        lambda: [row["n"] for row in _select(c, name_query)] == ["Repair café, now on Fridays"],
        "catching up after downtime",
    )
    assert seconds < 60


def test_removing_a_peer_drops_its_data(nodes: dict[str, Node]) -> None:
    b, c = nodes["B"], nodes["C"]
    if not any(peer["origin"] == b.base_url for peer in api(c.base_url, c.token, "GET", "/api/peers").json()):
        api(c.base_url, c.token, "POST", "/api/peers", {"url": b.base_url})
        within(5, lambda: set(_projects(b)) <= set(_aggregated_projects(c)), "aggregation of B")
    answer = api(c.base_url, c.token, "DELETE", f"/api/peers?{urlencode({'peer': b.base_url})}")
    assert answer.status == 200 and answer.json()["profilesDropped"] >= 3
    within(5, lambda: not set(_projects(b)) & set(_aggregated_projects(c)), "dropping B's profiles")
    assert api(c.base_url, c.token, "DELETE", f"/api/peers?{urlencode({'peer': b.base_url})}").status == 404


def test_the_command_line_adds_a_peer_with_progress_and_rebuilds_the_graph(nodes: dict[str, Node]) -> None:
    import subprocess

    b, c = nodes["B"], nodes["C"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_dsi4bcn([*args, "--url", c.base_url, "--token", c.token], timeout=120)

    added = cli("peers", "add", b.base_url)
    assert added.returncode == 0, added.stderr
    # The bar ends with B's three profiles copied (removed with the peer before, so all fetched again)
    assert re.findall(r"backfill \[[#.]{30}\] (\d+)/(\d+)", added.stderr)[-1] == ("3", "3"), added.stderr
    assert set(_projects(b)) <= set(_aggregated_projects(c))
    listed = cli("peers", "list")
    assert b.base_url in listed.stdout
    before = _aggregated_projects(c)
    rebuilt = cli("graph", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "rebuild [" in rebuilt.stderr
    assert _aggregated_projects(c) == before
    status = cli("graph", "status")
    assert '"unsynced": 0' in status.stdout
    refused = cli("peers", "add", "http://127.0.0.1:9")
    assert refused.returncode == 1 and "cannot peer" in refused.stderr
