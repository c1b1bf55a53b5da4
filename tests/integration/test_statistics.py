"""Statistics over two peered nodes: ``/api/stats`` counts agree with ``/api/directory``'s facet counts and
with the tables of ``/stats``, the peer appears as a source node, and growth adds up to the total."""

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlsplit

import pytest

from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
ORGANISATION = {"nameMap": {"ca": "Fàbrica Oberta"}, "sectors": ["sector:civil-society"]}
FACETS = ("kind", "area", "district", "sector", "sdg", "status", "source")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("statistics")
    a, b = start_node(folder / "a", demo=True, env=ENV), start_node(folder / "b", env=ENV)
    assert api(b.base_url, b.token, "PUT", "/api/organisations/fabrica", ORGANISATION).status == 201
    assert api(a.base_url, a.token, "POST", "/api/peers", {"url": b.base_url}).status == 202
    yield a, b
    a.stop()
    b.stop()


def _stats(node: Node, lang: str = "en") -> dict:
    answer = fetch(f"{node.base_url}/api/stats?lang={lang}")
    assert answer.status == 200, answer.body
    assert answer.headers["access-control-allow-origin"] == "*"
    return answer.json()


def _tables(html: str) -> dict[str, list[list[str]]]:
    """Each table's rows of cells, by the caption's section id."""
    found = {}
    for section, body in re.findall(r'<section class="stats-block" id="stats-([a-z]+)"(.*?)</section>', html, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        found[section] = [[unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)] for row in rows]
    return found


def test_the_api_the_directory_and_the_page_agree(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    theirs = urlsplit(b.base_url).netloc
    within(20, lambda: any(item["key"] == theirs for item in _stats(a)["facets"]["source"]), "the peer as a source")
    stats = _stats(a)
    directory = fetch(f"{a.base_url}/api/directory?lang=en").json()
    assert stats["total"] == directory["total"] > 1
    for facet in FACETS:
        expected = {item["key"]: item["count"] for item in directory["facets"][facet] if item["count"] > 0}
        assert {item["key"]: item["count"] for item in stats["facets"][facet]} == expected, facet
        counts = [item["count"] for item in stats["facets"][facet]]
        assert counts == sorted(counts, reverse=True)
    sources = {item["key"]: item["count"] for item in stats["facets"]["source"]}
    assert sources[theirs] == 1 and sum(sources.values()) == stats["total"]
    assert stats["growth"][-1]["total"] == sum(row["new"] for row in stats["growth"]) >= stats["total"]
    assert sum(row["received"] for row in stats["growth"]) == 1
    page = fetch(f"{a.base_url}/stats?lang=en")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    tables = _tables(page.body.decode())
    for facet in FACETS:
        rows = [[item["label"], str(item["count"])] for item in stats["facets"][facet]]
        assert tables[facet][1:] == rows, facet
    growth = [[r["month"], *(str(r[k]) for k in ("local", "received", "new", "total"))] for r in stats["growth"]]
    assert tables["growth"][1:] == growth
    assert page.body.decode().count('role="img"') == len(FACETS) + 1


def test_labels_follow_the_language_and_the_home_page_links_the_statistics(nodes: tuple[Node, Node]) -> None:
    a, _ = nodes
    ca = _stats(a, "ca")
    assert ca["language"] == "ca"
    assert {item["label"] for item in ca["facets"]["kind"]} == {"Organització", "Projecte"}
    page = fetch(f"{a.base_url}/stats?lang=ca").body.decode()
    assert "Estadístiques de la xarxa" in page
    assert fetch(f"{a.base_url}/").body.decode().count('href="/stats') >= 1
