"""A node moved to another graph store writes every graph to it by itself, and one moved back leaves no
stale graph behind: the sync state in SQLite names the store it describes (``node_settings.graph_store``)."""

from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.integration.test_network import ORGANISATION, _project
from tests.support.engines import start_oxigraph
from tests.support.http import api, fetch, sparql_rows
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.network

NAME = "https://www.w3.org/ns/activitystreams#name"


def _names(node: Node) -> dict[str, str]:
    """Each project's Catalan name, as the node's /sparql answers (from whichever store it uses)."""
    query = (
        f"SELECT ?p ?n WHERE {{ GRAPH ?p {{ ?p a <https://w3id.org/dsi4bcn/ns#Project> ; <{NAME}> ?n "
        'FILTER(lang(?n) = "ca") } }'
    )
    return {row["p"].rsplit("/", 1)[-1]: row["n"] for row in sparql_rows(node.base_url, query)}


def _move(node: Node, args: list[str]) -> None:
    node.stop()
    node.args = args
    node.start()
    node.settle(20)


def test_a_node_moved_to_another_store_and_back_writes_what_it_holds(tmp_path: Path) -> None:
    # Given a node on its embedded store, with two projects
    node = start_node(tmp_path / "node")
    engine = start_oxigraph(tmp_path / "oxigraph")
    embedded = list(node.args)
    try:
        assert api(node.base_url, node.token, "PUT", "/api/organisations/teixit", ORGANISATION).status == 201
        for slug in ("mercat-obert", "eines-lliures"):
            answer = api(node.base_url, node.token, "PUT", f"/api/projects/{slug}", _project(slug.replace("-", " ")))
            assert answer.status == 201, answer.body[:300]
        node.settle(20)
        assert _names(node) == {"mercat-obert": "mercat obert", "eines-lliures": "eines lliures"}
        # When it restarts on an empty engine (no `graph rebuild`)
        _move(node, [*embedded, *engine.node_args()])
        # Then it has written both projects there: its /sparql (on the engine) and the engine itself have them
        assert _names(node) == {"mercat-obert": "mercat obert", "eines-lliures": "eines lliures"}
        query = urlencode({"query": f"SELECT ?p WHERE {{ GRAPH ?p {{ ?p <{NAME}> ?n }} }}"})
        in_engine = fetch(f"{engine.query_url}?{query}", headers={"Accept": "application/sparql-results+json"})
        rows = in_engine.json()["results"]["bindings"]
        assert {row["p"]["value"].rsplit("/", 1)[-1] for row in rows} == {"teixit", "mercat-obert", "eines-lliures"}
        assert "the graph store was embedded and is now sparql http://127.0.0.1:" in node.log()
        # When, on the engine, one project is renamed and the other erased, and the node goes back to its own store
        document = api(node.base_url, node.token, "GET", "/api/projects/mercat-obert").json()
        document["nameMap"]["ca"] = "Mercat obert del barri"
        assert api(node.base_url, node.token, "PUT", "/api/projects/mercat-obert", document).status == 200
        assert api(node.base_url, node.token, "DELETE", "/api/projects/eines-lliures").status == 200
        node.settle(20)
        _move(node, embedded)
        # Then its embedded store, which still held the old versions, has the new name and not the erased project
        assert _names(node) == {"mercat-obert": "Mercat obert del barri"}
        provenance = sparql_rows(
            node.base_url,
            "SELECT ?g WHERE { GRAPH <urn:dsi4bcn:provenance> { ?g ?p ?o } FILTER(CONTAINS(STR(?g), '/projects/')) }",
        )
        assert {row["g"].rsplit("/", 1)[-1] for row in provenance} == {"mercat-obert"}
        # And a restart on the same store writes nothing again
        assert node.log().count("every graph will be written") == 2
        node.restart()
        assert node.log().count("every graph will be written") == 2
    finally:
        node.stop()
        engine.stop()
