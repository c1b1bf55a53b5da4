"""Calls for collaboration on one real node with a real Fedify follower: a project publishes a request
through the admin API; the follower receives a verified ``Create`` whose object, typed ``Proposal`` and
``Note`` (which Mastodon shows), Fedify reads as its own FEP-0837 ``Proposal``; the call's id answers its JSON-LD, which
conforms to the SHACL shapes, and a page in the reader's language; it enters the graph; editing, closing and
deleting reach the follower; bad input changes nothing; a deleted call leaves no triple behind."""

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.fedify_peer import FedifyPeer, start_fedify_peer
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, database_dump, fetch, settled_dump, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within
from vocab.rdf import jsonld_to_graph
from vocab.shapes import validate

pytestmark = [pytest.mark.peer, pytest.mark.network]
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
ORGANISATION = {"nameMap": {"ca": "Fem Barri"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "fem-barri", "nameMap": {"ca": "Fira maker"}, "areas": ["area:maker"]}
CALL = {
    "purpose": "request",
    "nameMap": {"ca": "Voluntàries d'impressió 3D per a la fira", "en": "3D printing volunteers for the fair"},
    "contentMap": {"ca": "Busquem dues persones per al 15 de desembre.\n\n<b>Gràcies!</b>"},
    "concepts": ["skill:3d-printing"],
    "quantity": 2,
    "basedIn": "district:10",
    "validFrom": "2026-12-01",
    "validUntil": "2099-12-15",
    "deadline": "2099-12-10T12:00:00+01:00",
}
AS_JSON = {"Accept": "application/activity+json"}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("calls") / "a", env=ENV)
    for path, document in (("organisations/fem-barri", ORGANISATION), ("projects/fira-maker", PROJECT)):
        assert api(started.base_url, started.token, "PUT", f"/api/{path}", document).status == 201
    yield started
    started.stop()


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory, node: Node) -> Iterator[FedifyPeer]:
    started = start_fedify_peer(log_dir=tmp_path_factory.mktemp("fedify-calls"))
    started.follow(f"{node.base_url}/projects/fira-maker")
    started.wait_for_activity("Accept")
    yield started
    started.stop()


def _call_triples(node: Node, iri: str) -> list[dict[str, str]]:
    return sparql_rows(node.base_url, f"SELECT ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")


def _publish(node: Node, document: dict[str, Any]) -> dict[str, Any]:
    answer = api(node.base_url, node.token, "POST", "/api/projects/fira-maker/calls", document)
    assert answer.status == 201, answer.body
    created: dict[str, Any] = answer.json()
    assert answer.headers["location"] == created["id"]
    return created


def test_a_published_call_reaches_the_follower_the_graph_and_the_page(node: Node, peer: FedifyPeer) -> None:
    created = _publish(node, CALL)
    iri = created["id"]
    assert created["state"] == "open" and created["concepts"] == ["skill:3d-printing"]
    # The follower receives a verified Create
    create = peer.wait_for_activity("Create", objectId=iri)
    assert create["auth"]["verifiedBy"] == "http-signature"
    # Fedify implements FEP-0837: it reads the object as its own Proposal, with the intent and its concept
    assert create["objectType"] == "Proposal", create
    read = create["object"]
    assert read["purpose"] == "request" and read["url"] == iri
    assert read["publishes"]["resourceConformsTo"] == "https://w3id.org/dsi4bcn/skill/3d-printing"
    assert read["publishes"]["resourceQuantity"]["hasNumericalValue"] == "2"
    assert "Impressió 3D" in read["contentMap"]["ca"]
    raw = create["body"] if isinstance(create["body"], dict) else json.loads(create["body"])
    assert raw["object"]["type"] == ["Proposal", "Note"] and raw["object"]["purpose"] == "request"
    # The id answers the Proposal, which conforms to the shapes
    document = fetch(iri, headers=AS_JSON).json()
    assert document["publishes"]["resourceConformsTo"] == ["https://w3id.org/dsi4bcn/skill/3d-printing"]
    assert document["publishes"]["resourceQuantity"] == {"hasUnit": "one", "hasNumericalValue": "2"}
    result = validate(jsonld_to_graph(document))
    assert result.conforms, result.violations
    assert "&lt;b&gt;Gràcies!&lt;/b&gt;" in document["contentMap"]["ca"]
    # A browser gets a page in its language, the description as text
    for language, label in (("ca", "Petició de col·laboració"), ("es", "Petición de colaboración"), ("en", "Request")):
        page = fetch(f"{iri}?lang={language}", headers={"Accept": "text/html"})
        text = page.body.decode("utf-8")
        assert page.status == 200 and label in text
        assert "&lt;b&gt;Gràcies!&lt;/b&gt;" in text and "<b>Gràcies" not in text
    # The graph holds it as a ValueFlows proposal
    within(10, lambda: _call_triples(node, iri), "the call's graph")
    concepts = sparql_rows(
        node.base_url,
        "PREFIX vf: <https://w3id.org/valueflows/ont/vf#> SELECT ?c WHERE { GRAPH ?g { "
        f"<{iri}> a vf:Proposal ; vf:purpose 'request' ; vf:publishes/vf:resourceConformsTo ?c }} }}",
    )
    assert concepts == [{"c": "https://w3id.org/dsi4bcn/skill/3d-printing"}]


def test_editing_closing_and_deleting_reach_the_follower(node: Node, peer: FedifyPeer) -> None:
    iri = _publish(node, {**CALL, "quantity": 1})["id"]
    call = iri.rsplit("/", 1)[1]
    changed = api(node.base_url, node.token, "PUT", f"/api/calls/{call}", {**CALL, "quantity": 3})
    assert changed.status == 200 and changed.json()["quantity"] == 3
    update = peer.wait_for_activity("Update", objectId=iri)
    assert update["auth"]["verifiedBy"] == "http-signature"
    closed = api(node.base_url, node.token, "POST", f"/api/calls/{call}/close")
    assert closed.status == 200 and closed.json()["state"] == "closed"
    assert "hasEnd" in fetch(iri, headers=AS_JSON).json()
    within(10, lambda: _call_triples(node, iri), "the call's graph")
    deleted = api(node.base_url, node.token, "DELETE", f"/api/calls/{call}")
    assert deleted.status == 200
    peer.wait_for_activity("Delete")
    gone = fetch(iri, headers=AS_JSON)
    assert gone.status == 410 and gone.json()["type"] == "Tombstone"
    assert fetch(iri, headers={"Accept": "text/html"}).status == 410
    within(5, lambda: not _call_triples(node, iri), "no triple of the deleted call")
    assert api(node.base_url, node.token, "GET", f"/api/calls/{call}").status == 410


BAD_CALLS = [
    ({**CALL, "concepts": ["skill:3d-printin"]}, "concepts[0]", "unknown_concept"),
    ({**CALL, "validFrom": "2026-12-16", "validUntil": "2026-12-15"}, "validUntil", "call_time_order"),
    ({**CALL, "purpose": "gift"}, "purpose", "bad_purpose"),
    ({**CALL, "deadline": "soon"}, "deadline", "bad_datetime"),
    ({**CALL, "budget": "-3"}, "budget", "out_of_range"),
    ({key: value for key, value in CALL.items() if key != "concepts"}, "concepts", "required"),
]


@pytest.mark.parametrize(("document", "where", "code"), BAD_CALLS)
def test_a_bad_call_is_refused_with_its_problem_and_changes_nothing(
    node: Node, document: dict[str, Any], where: str, code: str
) -> None:
    before = settled_dump(node.database)
    answer = api(node.base_url, node.token, "POST", "/api/projects/fira-maker/calls", document)
    assert answer.status == 422
    problems = {(problem["field"], problem["code"]) for problem in answer.json()["problems"]}
    assert (where, code) in problems
    assert database_dump(node.database) == before


def test_calls_of_missing_or_foreign_things_are_refused(node: Node) -> None:
    assert api(node.base_url, node.token, "POST", "/api/projects/nobody/calls", CALL).status == 404
    assert api(node.base_url, None, "POST", "/api/projects/fira-maker/calls", CALL).status == 401
    assert api(node.base_url, node.token, "GET", "/api/calls/nosuchcall").status == 404
    assert fetch(f"{node.base_url}/calls/nosuchcall", headers=AS_JSON).status == 404


def _cli(node: Node, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_dsi4bcn([args[0], "--url", node.base_url, "--token", node.token, *args[1:]], input=stdin)


def test_the_command_line_publishes_lists_closes_and_deletes_a_call(node: Node) -> None:
    call_yaml = (
        "purpose: offer\nnameMap:\n  ca: Taller lliure els dimarts\nconcepts: [skill:3d-printing]\n"
        "validUntil: 2099-03-30\n"
    )
    published = _cli(node, "project", "call", "fira-maker", "-", stdin=call_yaml)
    assert published.returncode == 0, published.stderr
    call = json.loads(published.stdout)["call"]
    listed = _cli(node, "call", "list")
    assert listed.returncode == 0 and call in listed.stdout
    closed = _cli(node, "call", "close", call)
    assert closed.returncode == 0 and json.loads(closed.stdout)["state"] == "closed"
    assert _cli(node, "call", "delete", call).returncode == 0
    gone = _cli(node, "call", "get", call)
    assert gone.returncode == 1 and gone.stderr
    # Bad input: a message and a non-zero exit, nothing sent or written
    before = settled_dump(node.database)
    bad = _cli(node, "project", "call", "fira-maker", "-", stdin=call_yaml.replace("3d-printing", "3d-printin"))
    assert bad.returncode == 1 and "3d-printing" in bad.stderr  # the node's "did you mean"
    assert _cli(node, "call", "close", "not a call!").returncode == 2
    assert database_dump(node.database) == before
