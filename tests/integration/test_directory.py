"""The directory over two peered nodes: text in three languages finds both nodes' 3D-printing projects, an
aggregated profile names its source node, the JSON, CSV and HTML twins agree, changes reach the directory,
and bad parameters get a 400 (JSON for the API, a page in the visitor's language for the page)."""

import csv
import io
import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import quote, urlencode, urlsplit

import pytest

from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
ORGANISATION = {
    "nameMap": {"ca": "Fàbrica Oberta de Gràcia"},
    "sectors": ["sector:civil-society"],
    "basedIn": "district:6",
}
PROJECT = {
    "organisation": "fabrica-oberta",
    "nameMap": {"ca": "Impressores al Carrer", "es": "Impresoras en la Calle", "en": "Printers in the Street"},
    "summaryMap": {
        "ca": "Un taller d'impressió 3D per al veïnat de Gràcia.",
        "es": "Un taller de impresión 3D para el vecindario de Gràcia.",
        "en": "A 3D printing workshop for the neighbours of Gràcia.",
    },
    "offers": ["skill:3d-printing"],
    "areas": ["area:digital-fabrication"],
    "basedIn": "neighbourhood:31",
    "projectStatus": "status:active",
}
QUERIES = ("impressió 3D", "3d printing", "impresion")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("directory")
    a, b = start_node(folder / "a", demo=True, env=ENV), start_node(folder / "b", env=ENV)
    assert api(b.base_url, b.token, "PUT", "/api/organisations/fabrica-oberta", ORGANISATION).status == 201
    assert api(b.base_url, b.token, "PUT", "/api/projects/impressores", PROJECT).status == 201
    assert api(a.base_url, a.token, "POST", "/api/peers", {"url": b.base_url}).status == 202
    yield a, b
    a.stop()
    b.stop()


def _directory(node: Node, **params: str | list[str]) -> dict:
    answer = fetch(f"{node.base_url}/api/directory?{urlencode(params, doseq=True)}")
    assert answer.status == 200, answer.body
    assert answer.headers["access-control-allow-origin"] == "*"
    return answer.json()


def _ids(node: Node, **params: str | list[str]) -> list[str]:
    return [result["id"] for result in _directory(node, **params)["results"]]


def test_text_in_three_languages_finds_both_nodes_projects_with_their_source(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    theirs, ours = f"{b.base_url}/projects/impressores", f"{a.base_url}/projects/reparem-al-barri"
    within(15, lambda: theirs in _ids(a, q="impressio"), "B's project in A's directory")
    for text in QUERIES:
        assert {theirs, ours} <= set(_ids(a, q=text)), text
    results = {result["id"]: result for result in _directory(a, q="3d printing", lang="en")["results"]}
    assert results[theirs]["source"] == {
        "node": urlsplit(b.base_url).netloc,
        "local": False,
        "label": urlsplit(b.base_url).netloc,
    }
    assert results[theirs]["url"] == theirs
    assert results[ours]["source"]["local"] is True and results[ours]["source"]["label"] == "this node"
    assert results[theirs]["name"] == "Printers in the Street"
    assert {"key": "3d-printing", "label": "3D printing"} in results[theirs]["concepts"]["offers"]
    # B's project inherits its organisation's sector, and a source filter keeps only B's entries
    assert _ids(a, q="3d", source=urlsplit(b.base_url).netloc, sector="civil-society") == [theirs]


def _page_state(html: str) -> tuple[list[str], int, dict[str, dict[str, int]]]:
    """Result ids, the total and the facet counts shown on a /directory page."""
    ids = [unescape(value) for value in re.findall(r'<li class="result" data-id="([^"]+)"', html)]
    total = int(re.search(r'data-total="(\d+)"', html).group(1))  # type: ignore[union-attr]
    facets: dict[str, dict[str, int]] = {}
    for facet, body in re.findall(r'<details class="facet" data-facet="(\w+)".*?>(.*?)</details>', html, re.S):
        facets[facet] = {key: int(count) for key, count in re.findall(r'data-key="([^"]+)">(\d+)<', body)}
    return ids, total, facets


def test_the_page_the_json_and_the_csv_agree(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    within(15, lambda: f"{b.base_url}/projects/impressores" in _ids(a, q="impressio"), "aggregation")
    for params in (
        {"q": "3d"},
        {"q": "taller", "kind": "project"},
        {"district": "6", "status": ["active", "idea"]},
        {"sort": "name", "per_page": "5", "page": "2"},
        {"area": "maker", "lang": "es"},
    ):
        data = _directory(a, **params)
        page = fetch(f"{a.base_url}/directory?{urlencode(params, doseq=True)}")
        assert page.status == 200 and page.content_type.startswith("text/html")
        ids, total, facets = _page_state(page.body.decode("utf-8"))
        assert ids == [result["id"] for result in data["results"]], params
        assert total == data["total"]
        assert facets == {
            facet: {value["key"]: value["count"] for value in values}
            for facet, values in data["facets"].items()
            if values
        }
        sheet = fetch(f"{a.base_url}/api/directory.csv?{urlencode(params, doseq=True)}")
        assert sheet.status == 200 and sheet.content_type == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(sheet.body.decode("utf-8"))))
        assert [row["id"] for row in rows] == ids
        assert (
            fetch(f"{a.base_url}/api/directory?{urlencode({**params, 'format': 'csv'}, doseq=True)}").body == sheet.body
        )


def test_changes_and_deletions_reach_the_directory(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    theirs = f"{b.base_url}/projects/impressores"
    within(15, lambda: theirs in _ids(a, q="impressio"), "aggregation")
    assert (
        api(
            b.base_url, b.token, "PUT", "/api/projects/impressores", {**PROJECT, "nameMap": {"ca": "Ferros Vius"}}
        ).status
        == 200
    )
    within(15, lambda: _ids(a, q="ferros") == [theirs], "the rename")
    assert api(a.base_url, a.token, "DELETE", "/api/projects/reparem-al-barri").status == 200
    within(15, lambda: f"{a.base_url}/projects/reparem-al-barri" not in _ids(a, q="reparem"), "the local deletion")
    assert api(b.base_url, b.token, "DELETE", "/api/projects/impressores").status == 200
    within(15, lambda: theirs not in _ids(a, q="ferros"), "the remote deletion")


BAD = [
    "page=0",
    "page=-1",
    "page=abc",
    "per_page=0",
    "per_page=101",
    "area=no-such-area",
    "area=https%3A%2F%2Fw3id.org%2Fdsi4bcn%2Fskill%2Fhardware",
    "district=99",
    "kind=person",
    "sort=popularity",
    "colour=red",
    "source=a%20b",
    "q=" + "x" * 10_000,
    "q=" + quote("é" * 1700),
]


@pytest.mark.parametrize("query", BAD, ids=lambda query: query[:24])
def test_bad_parameters_get_a_400_in_json_and_as_a_page(nodes: tuple[Node, Node], query: str) -> None:
    a, _ = nodes
    answer = fetch(f"{a.base_url}/api/directory?{query}", headers={"Accept-Language": "es"})
    assert answer.status == 400, answer.body[:200]
    assert answer.content_type == "application/json"
    assert answer.json()["code"].startswith("directory_") and answer.json()["error"]
    page = fetch(f"{a.base_url}/directory?{query}&lang=ca")
    assert page.status == 400 and page.content_type.startswith("text/html")
    text = page.body.decode("utf-8")
    assert '<html lang="ca">' in text and "No es pot fer aquesta cerca" in text
    sheet = fetch(f"{a.base_url}/api/directory.csv?{query}")
    assert sheet.status == 400 and sheet.content_type == "application/json"
