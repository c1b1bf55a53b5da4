"""Calls for collaboration across real nodes: a call published on A reaches B, which aggregates A, as a
proposal in its own named graph with A as its source; each change, the closing and the deletion follow
within seconds, a deleted call leaves no triple on B, and a profile erased on A takes its calls with it."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.http import api, sparql_rows
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
ORGANISATION = {"nameMap": {"ca": "Fem Barri"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "fem-barri", "nameMap": {"ca": "Fira maker"}, "areas": ["area:maker"]}
CALL: dict[str, Any] = {
    "purpose": "request",
    "nameMap": {"ca": "Voluntàries d'impressió 3D"},
    "concepts": ["skill:3d-printing"],
    "quantity": 2,
    "validUntil": "2099-12-15",
}
VF = "https://w3id.org/valueflows/ont/vf#"
PROV = "http://www.w3.org/ns/prov#"


@dataclass
class Pair:
    a: Node
    b: Node


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    folder = tmp_path_factory.mktemp("call-federation")
    a, b = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    for path, document in (("organisations/fem-barri", ORGANISATION), ("projects/fira-maker", PROJECT)):
        assert api(a.base_url, a.token, "PUT", f"/api/{path}", document).status == 201
    assert api(b.base_url, b.token, "POST", "/api/peers", {"url": a.base_url}).status == 202
    project = f"{a.base_url}/projects/fira-maker"
    within(15, lambda: _graph(b, project), "A's project on B")
    yield Pair(a, b)
    a.stop()
    b.stop()


def _graph(node: Node, iri: str) -> list[dict[str, str]]:
    return sparql_rows(node.base_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")


def _value(node: Node, iri: str, predicate: str) -> str | None:
    rows = sparql_rows(node.base_url, f"SELECT ?o WHERE {{ GRAPH <{iri}> {{ ?s <{predicate}> ?o }} }}")
    return rows[0]["o"] if rows else None


def _publish(a: Node, document: dict[str, Any], profile: str = "projects/fira-maker") -> tuple[str, str]:
    answer = api(a.base_url, a.token, "POST", f"/api/{profile}/calls", document)
    assert answer.status == 201, answer.body
    return answer.json()["id"], answer.json()["call"]


def test_a_call_and_its_changes_reach_the_aggregator(pair: Pair) -> None:
    a, b = pair.a, pair.b
    iri, call = _publish(a, CALL)
    within(10, lambda: _value(b, iri, VF + "purpose") == "request", "the call on B")
    source = sparql_rows(
        b.base_url,
        f"SELECT ?source WHERE {{ GRAPH <urn:dsi4bcn:provenance> {{ <{iri}> <{PROV}wasAttributedTo> ?source }} }}",
    )
    assert source, "the call's provenance on B"
    assert api(a.base_url, a.token, "PUT", f"/api/calls/{call}", {**CALL, "quantity": 5}).status == 200
    quantity = "http://www.ontology-of-units-of-measure.org/resource/om-2/hasNumericalValue"
    within(10, lambda: _value(b, iri, quantity) == "5", "the changed quantity on B")
    assert api(a.base_url, a.token, "POST", f"/api/calls/{call}/close").status == 200
    within(10, lambda: (_value(b, iri, VF + "hasEnd") or "9") < "2099", "the closing on B")
    assert api(a.base_url, a.token, "DELETE", f"/api/calls/{call}").status == 200
    within(5, lambda: not _graph(b, iri), "no triple of the deleted call on B")


def test_an_erased_profile_takes_its_calls_with_it(pair: Pair) -> None:
    a, b = pair.a, pair.b
    assert (
        api(a.base_url, a.token, "PUT", "/api/projects/taller", {**PROJECT, "nameMap": {"ca": "Taller"}}).status == 201
    )
    within(10, lambda: _graph(b, f"{a.base_url}/projects/taller"), "the new project on B")
    iri, _ = _publish(a, CALL, "projects/taller")
    within(10, lambda: _graph(b, iri), "the call on B")
    assert api(a.base_url, a.token, "DELETE", "/api/projects/taller").status == 200
    within(5, lambda: not _graph(b, iri), "no triple of the erased profile's call on B")
    # A's own graph follows its database through the graph sync, which need not have run before B's inbox
    within(5, lambda: not _graph(a, iri), "no triple of the erased profile's call on A")
