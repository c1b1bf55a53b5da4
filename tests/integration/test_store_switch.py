"""A node moved to another graph store writes every graph to it by itself, and one moved back leaves no
stale graph behind: the sync state in SQLite names the store it describes (``node_settings.graph_store``).
A store filled from the node's /graph dump by other means is adopted with ``dsi4bcn graph adopt`` instead."""

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.integration.test_network import ORGANISATION, _project
from tests.support.engines import start_oxigraph
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, fetch, sparql_rows
from tests.support.nodes import Node, free_port, start_node

pytestmark = pytest.mark.network

NAME = "https://www.w3.org/ns/activitystreams#name"


def _names(node: Node) -> dict[str, str]:
    """Each project's Catalan name, as the node's /sparql answers (from whichever store it uses)."""
    query = (
        f"SELECT ?p ?n WHERE {{ GRAPH ?p {{ ?p a <https://w3id.org/dsi4bcn/ns#Project> ; <{NAME}> ?n "
        'FILTER(lang(?n) = "ca") } }'
    )
    return {row["p"].rsplit("/", 1)[-1]: row["n"] for row in sparql_rows(node.base_url, query)}


def _add_two_projects(node: Node) -> None:
    assert api(node.base_url, node.token, "PUT", "/api/organisations/teixit", ORGANISATION).status == 201
    for slug in ("mercat-obert", "eines-lliures"):
        answer = api(node.base_url, node.token, "PUT", f"/api/projects/{slug}", _project(slug.replace("-", " ")))
        assert answer.status == 201, answer.body[:300]
    node.settle(20)


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
        _add_two_projects(node)
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


def test_a_store_loaded_from_the_dump_is_adopted_and_not_written_again(tmp_path: Path) -> None:
    # Given a stopped node whose /graph dump was taken, and an empty engine
    node = start_node(tmp_path / "node")
    engine = start_oxigraph(tmp_path / "oxigraph")
    embedded = list(node.args)
    adopt = ["graph", "adopt", "--data-dir", str(node.data_dir), *engine.node_args()]
    try:
        _add_two_projects(node)
        dump = fetch(f"{node.base_url}/graph", headers={"Accept": "application/n-quads"})
        assert dump.status == 200
        node.stop()
        # When the operator adopts the engine before loading the dump, Then it is refused, in their language
        refused = run_dsi4bcn(adopt, env=_env(LANG="ca_ES.UTF-8"))
        assert refused.returncode == 1 and "no té cap graf d'aquest node" in refused.stderr, refused.stderr
        # When the dump is loaded into the engine by other means (here Oxigraph's own dataset upload), and adopted
        loaded = fetch(engine.gsp_url, method="POST", body=dump.body, headers={"Content-Type": "application/n-quads"})
        assert loaded.status in (200, 201, 204), loaded.body[:300]
        adopted = run_dsi4bcn(adopt, env=_env())
        assert adopted.returncode == 0, adopted.stderr
        assert "holds 5 of the node's graphs" in adopted.stdout, adopted.stdout  # 3 profiles, vocabulary, provenance
        # Then the node starts on the engine without writing its graphs again, and answers from it
        node.args = [*embedded, *engine.node_args()]
        node.start()
        node.settle(20)
        assert "the graph store was" not in node.log()
        assert _names(node) == {"mercat-obert": "mercat obert", "eines-lliures": "eines lliures"}
        # And what changes from now is written there
        document = api(node.base_url, node.token, "GET", "/api/projects/mercat-obert").json()
        document["nameMap"]["ca"] = "Mercat obert del barri"
        assert api(node.base_url, node.token, "PUT", "/api/projects/mercat-obert", document).status == 200
        node.settle(20)
        assert _names(node)["mercat-obert"] == "Mercat obert del barri"
    finally:
        node.stop()
        engine.stop()


def test_adopt_needs_an_external_store_that_answers(tmp_path: Path) -> None:
    node = start_node(tmp_path / "node")
    node.stop()
    embedded = run_dsi4bcn(["graph", "adopt", "--data-dir", str(node.data_dir)], env=_env())
    assert embedded.returncode == 2 and "is for an external store" in embedded.stderr, embedded.stderr
    closed = f"http://127.0.0.1:{free_port()}"
    store = [f"--graph-store-query={closed}/q", f"--graph-store-update={closed}/u", f"--graph-store-gsp={closed}/g"]
    unreachable = run_dsi4bcn(["graph", "adopt", "--data-dir", str(node.data_dir), *store], env=_env())
    assert unreachable.returncode == 1 and "does not answer" in unreachable.stderr, unreachable.stderr
    missing = run_dsi4bcn(["graph", "adopt", "--data-dir", str(tmp_path / "none"), *store], env=_env())
    assert missing.returncode == 2 and "holds no node database" in missing.stderr, missing.stderr


def _env(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DSI4BCN_", "LANG", "LC_"))}
    return environment | extra
