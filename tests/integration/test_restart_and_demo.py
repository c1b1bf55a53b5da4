"""State survives a restart; the demo set is realistic, complete and conforms to the SHACL shapes."""

import json
from collections import Counter
from pathlib import Path

from tests.support.http import api, fetch
from tests.support.nodes import Node
from vocab.concepts import concept_index
from vocab.rdf import jsonld_to_graph
from vocab.shapes import validate

ACTIVITY_JSON = {"Accept": "application/activity+json"}


def _actor(node: Node, path: str) -> dict:
    answer = fetch(node.base_url + path, headers=ACTIVITY_JSON)
    assert answer.status == 200, path
    return answer.json()


def test_a_restart_keeps_every_profile_and_key(node_factory) -> None:
    node: Node = node_factory("restart")
    api(
        node.base_url,
        node.token,
        "PUT",
        "/api/organisations/ateneu",
        {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"]},
    )
    api(
        node.base_url,
        node.token,
        "PUT",
        "/api/projects/taller",
        {"organisation": "ateneu", "nameMap": {"ca": "Taller"}, "areas": ["area:maker"]},
    )
    before = {path: _actor(node, path) for path in ("/actor", "/organisations/ateneu", "/projects/taller")}
    node.restart()
    after = {path: _actor(node, path) for path in before}
    assert after == before
    assert after["/projects/taller"]["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert after["/actor"]["publicKey"] != after["/projects/taller"]["publicKey"]


def test_the_demo_node(demo_node: Node) -> None:
    organisations = api(demo_node.base_url, demo_node.token, "GET", "/api/organisations").json()
    projects = api(demo_node.base_url, demo_node.token, "GET", "/api/projects").json()
    assert len(organisations) >= 3 and len(projects) >= 15
    index = concept_index()
    districts, sectors, areas = set(), set(), set()
    for item in organisations:
        document = api(demo_node.base_url, demo_node.token, "GET", f"/api/organisations/{item['slug']}").json()
        place = index.resolve(document["basedIn"])
        assert place is not None
        districts.add(place.iri if place.scheme == "district" else place.broader[0])
        sectors.update(document["sectors"])
    assert len(districts) == len(organisations)
    assert sectors == {
        "sector:industry",
        "sector:academia",
        "sector:public-administration",
        "sector:civil-society",
    }
    per_organisation = Counter(item["organisation"] for item in projects)
    assert len(per_organisation) == len(organisations)
    for item in projects:
        document = api(demo_node.base_url, demo_node.token, "GET", f"/api/projects/{item['slug']}").json()
        assert document["needs"] and document["offers"], item["slug"]
        areas.update(document["areas"])
    assert {c.curie for c in index.in_scheme("area") if c.top} <= areas


def test_every_demo_profile_conforms_to_the_shapes(demo_node: Node) -> None:
    for kind in ("organisations", "projects"):
        for item in api(demo_node.base_url, demo_node.token, "GET", f"/api/{kind}").json():
            document = _actor(demo_node, f"/{kind}/{item['slug']}")
            result = validate(jsonld_to_graph(document))
            assert result.conforms, (item["slug"], [str(v) for v in result.violations])


def test_demo_is_loaded_only_into_an_empty_data_folder(node_factory, tmp_path: Path) -> None:
    node: Node = node_factory("once", demo=True)
    count = len(api(node.base_url, node.token, "GET", "/api/projects").json())
    api(
        node.base_url,
        node.token,
        "DELETE",
        "/api/projects/" + api(node.base_url, node.token, "GET", "/api/projects").json()[0]["slug"],
    )
    node.restart()
    assert len(api(node.base_url, node.token, "GET", "/api/projects").json()) == count - 1
    assert "already has profiles" in node.log()
    assert json.loads(fetch(f"{node.base_url}/nodeinfo/2.1").body)["metadata"]["projects"] == count - 1
