"""The endpoint answers like pyoxigraph over the node's own /graph dump, and SPARQLWrapper can read it."""

import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.support.http import fetch
from tests.support.nodes import Node, start_node

PREFIXES = """PREFIX as: <https://www.w3.org/ns/activitystreams#>
PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
"""
QUERIES = {
    "optional and filter": """SELECT ?p ?name ?start WHERE {
        ?p a dsi:Project ; as:name ?name . OPTIONAL { ?p schema:startDate ?start }
        FILTER(lang(?name) = "ca" && CONTAINS(LCASE(?name), "a")) }""",
    "group by": """SELECT ?area (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dsi:Project ; dsi:area ?area }
        GROUP BY ?area HAVING (COUNT(DISTINCT ?p) > 1)""",
    "property path over broader*": """SELECT ?p ?district WHERE { ?p a dsi:Project ; dsi:basedIn ?place .
        ?place skos:broader* ?district . ?district skos:inScheme <https://w3id.org/dsi4bcn/district> }""",
    "graph": """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g""",
    "provenance": """SELECT ?g ?src WHERE { GRAPH <urn:dsi4bcn:provenance> { ?g prov:wasAttributedTo ?src } }""",
    "needs met by offers": """SELECT ?a ?b ?skill WHERE { ?a dsi:needs ?skill . ?b dsi:offers ?skill .
        FILTER(?a != ?b) }""",
}
CONSTRUCT = """CONSTRUCT { ?p dsi:area ?a ; skos:related ?district } WHERE {
    ?p a dsi:Project ; dsi:area ?a ; dsi:basedIn/skos:broader* ?district .
    ?district skos:inScheme <https://w3id.org/dsi4bcn/district> }"""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("parity") / "node", demo=True)
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = fetch(f"{running.base_url}/api/graph", headers={"Authorization": f"Bearer {running.token}"}).json()
        if status["unsynced"] == 0 and status["graphs"] >= 27:
            break
        time.sleep(0.2)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def reference(node: Node) -> ox.Store:
    dump = fetch(f"{node.base_url}/graph", headers={"Accept": "application/n-quads"})
    assert dump.status == 200
    store = ox.Store()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.nq"
        path.write_bytes(dump.body)
        store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def _endpoint_rows(node: Node, query: str) -> Counter[tuple[tuple[str, str], ...]]:
    answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/json"})
    assert answer.status == 200, answer.body[:300]
    rows = answer.json()["results"]["bindings"]
    return Counter(tuple(sorted((name, value["value"]) for name, value in row.items())) for row in rows)


def _reference_rows(store: ox.Store, query: str) -> Counter[tuple[tuple[str, str], ...]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    return Counter(
        tuple(sorted((name, solution[name].value) for name in names if solution[name] is not None))
        for solution in solutions
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_select_answers_match_pyoxigraph_over_the_dump(node: Node, reference: ox.Store, name: str) -> None:
    query = PREFIXES + QUERIES[name]
    ours = _endpoint_rows(node, query)
    theirs = _reference_rows(reference, query)
    assert ours == theirs
    assert sum(ours.values()) > 0


def test_construct_matches_pyoxigraph_over_the_dump(node: Node, reference: ox.Store) -> None:
    query = PREFIXES + CONSTRUCT
    answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/n-triples"})
    ours = {line for line in answer.body.decode().splitlines() if line.strip()}
    theirs = {str(triple) + " ." for triple in reference.query(query, use_default_graph_as_union=True)}
    assert ours == theirs and len(ours) > 20


def test_sparqlwrapper_reads_the_endpoint(node: Node) -> None:
    client = SPARQLWrapper(f"{node.base_url}/sparql")
    client.setQuery(PREFIXES + "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dsi:Project }")
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"][0]["n"]["value"] == "20"
    client.setMethod("POST")
    client.setQuery(PREFIXES + "ASK { ?p dsi:area <https://w3id.org/dsi4bcn/area/maker> }")
    assert client.query().convert()["boolean"] is True
