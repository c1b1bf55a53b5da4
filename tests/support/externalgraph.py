"""The three-node network of ``tests/integration/test_network.py`` with C's graph in an external engine, and
what the external store tests check on it: the same answers as the embedded store, and an engine outage that
loses nothing."""

import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from tests.integration.test_network import ENV, ORGANISATION, _project
from tests.integration.test_sparql_parity import CONSTRUCT, PREFIXES, QUERIES
from tests.support.engines import Engine
from tests.support.http import api, fetch, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

__all__ = ["QUERY_TIMEOUT", "check_outage", "check_parity", "check_time_limit", "three_nodes"]

OUTAGE_SECONDS = 30.0
QUERY_TIMEOUT = 3.0  # C's SPARQL time limit (seconds); the engines are started with a limit of their own


@contextmanager
def three_nodes(folder: Path, engine: Engine) -> Iterator[dict[str, Node]]:
    """A (demo data), B (an organisation and two projects) and C, whose graph is in ``engine``."""
    started: dict[str, Node] = {}
    try:
        started["A"] = start_node(folder / "a", demo=True, env=ENV)
        started["B"] = start_node(folder / "b", env=ENV)
        c_env = {**ENV, "DSI4BCN_QUERY_TIMEOUT": f"{QUERY_TIMEOUT:g}"}
        started["C"] = start_node(folder / "c", env=c_env, extra_args=engine.node_args())
        b = started["B"]
        assert api(b.base_url, b.token, "PUT", "/api/organisations/teixit", ORGANISATION).status == 201
        for slug in ("mercat-obert", "eines-lliures"):
            document = _project(slug.replace("-", " "))
            assert api(b.base_url, b.token, "PUT", f"/api/projects/{slug}", document).status == 201
        yield started
    finally:
        for node in started.values():
            node.stop()


def _rows(answer: list[dict[str, str]]) -> Counter[tuple[tuple[str, str], ...]]:
    return Counter(tuple(sorted(row.items())) for row in answer)


def _reference(c: Node) -> ox.Store:
    """An embedded Oxigraph store holding C's whole dataset, read from C's ``/graph`` download."""
    dump = fetch(f"{c.base_url}/graph", headers={"Accept": "application/n-quads"})
    assert dump.status == 200, dump.body[:300]
    store = ox.Store()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.nq"
        path.write_bytes(dump.body)
        store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def check_parity(c: Node) -> None:
    """C's endpoint, forwarding to the engine, answers the parity query set as the embedded store does over
    the same dataset (pyoxigraph with the union default graph, as the node's own graph process runs it)."""
    store = _reference(c)
    for name, body in sorted(QUERIES.items()):
        query = PREFIXES + body
        solutions = store.query(query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [variable.value for variable in solutions.variables]
        theirs = Counter(
            tuple(sorted((n, solution[n].value) for n in names if solution[n] is not None)) for solution in solutions
        )
        ours = _rows(sparql_rows(c.base_url, query))
        assert ours == theirs, name
        assert sum(ours.values()) > 0, name
    query = PREFIXES + CONSTRUCT
    answer = fetch(f"{c.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/n-triples"})
    ours_triples = {line for line in answer.body.decode().splitlines() if line.strip()}
    theirs_triples = {str(triple) + " ." for triple in store.query(query, use_default_graph_as_union=True)}
    assert ours_triples == theirs_triples and len(ours_triples) > 20


def check_time_limit(c: Node) -> None:
    """A query that would run for hours is stopped at C's time limit (503 ``sparql_timeout``), and the engine
    answers the next query at once."""
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    answer = fetch(f"{c.base_url}/sparql?{urlencode({'query': endless})}", headers={"Accept": "application/json"})
    seconds = time.monotonic() - started
    assert answer.status == 503, answer.body[:300]
    assert f"{QUERY_TIMEOUT:g} s" in answer.json()["error"], answer.body[:300]  # the timeout, not the outage
    assert QUERY_TIMEOUT - 0.5 < seconds < QUERY_TIMEOUT + 3, seconds
    assert sparql_rows(c.base_url, PREFIXES + "SELECT ?p WHERE { ?p a dsi:Project } LIMIT 1")


def _name(c: Node, iri: str) -> list[str]:
    query = (
        f"SELECT ?n WHERE {{ GRAPH <{iri}> {{ <{iri}> <https://www.w3.org/ns/activitystreams#name> ?n "
        'FILTER(lang(?n) = "en") } }'
    )
    return [row["n"] for row in sparql_rows(c.base_url, query)]


def _status(c: Node) -> dict[str, object]:
    answer = api(c.base_url, c.token, "GET", "/api/graph")
    assert answer.status == 200, answer.body[:300]
    status: dict[str, object] = answer.json()
    return status


def check_outage(nodes: dict[str, Node], engine: Engine) -> None:
    """The engine stopped for 30 s: C serves everything but SPARQL (503), keeps what its peers change in
    SQLite, and has it in the engine within 60 s of the engine's return."""
    a, b, c = nodes["A"], nodes["B"], nodes["C"]
    for peer in (a, b):  # C aggregates both (earlier tests may have removed one)
        api(c.base_url, c.token, "POST", "/api/peers", {"url": peer.base_url})
    within(20, lambda: _status(c)["unsynced"] == 0, "C in step before the outage")
    # Given the engine stops
    engine.stop()
    stopped = time.monotonic()
    # Then C's endpoint says so with a 503 in JSON, and everything else still answers
    refused = fetch(f"{c.base_url}/sparql?{urlencode({'query': 'ASK {}'})}", headers={"Accept": "application/json"})
    assert refused.status == 503 and refused.json()["code"] == "sparql_refused", refused.body[:300]
    assert refused.headers.get("retry-after") == "30"
    assert fetch(f"{c.base_url}/", headers={"Accept": "text/html"}).status == 200
    assert fetch(f"{c.base_url}/api/directory").status == 200
    assert fetch(f"{c.base_url}/actor", headers={"Accept": "application/activity+json"}).status == 200
    # When A changes a project and B adds one during the outage
    slug = "reparem-al-barri"
    document = api(a.base_url, a.token, "GET", f"/api/projects/{slug}").json()
    document["nameMap"]["en"] = "Repair café, during the outage"
    assert api(a.base_url, a.token, "PUT", f"/api/projects/{slug}", document).status == 200
    added = _project("teler comunitari", nameMap={"ca": "Teler comunitari", "en": "Community loom"})
    assert api(b.base_url, b.token, "PUT", "/api/projects/teler-comunitari", added).status == 201
    # Then C receives both (its inbox and resync work) and keeps them unsynced in SQLite
    within(20, lambda: int(str(_status(c)["unsynced"])) >= 2, "the peers' changes queued on C")
    assert _status(c)["storeReachable"] is False
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    # When the engine comes back, C writes them within 60 s
    engine.start()
    edited, new = f"{a.base_url}/projects/{slug}", f"{b.base_url}/projects/teler-comunitari"
    seconds = within(
        60,
        lambda: _name(c, edited) == ["Repair café, during the outage"] and _name(c, new) == ["Community loom"],
        "catching up after the engine's outage",
    )
    assert seconds < 60
    print(f"{engine.name}: C caught up {seconds:.1f} s after the engine answered again")  # shown with -s
    within(10, lambda: _status(c)["unsynced"] == 0, "nothing left unsynced")
