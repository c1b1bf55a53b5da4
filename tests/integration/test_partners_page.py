"""``/partners`` over HTTP: the page's answers, and the clear errors it shares with ``/api/match``."""

import html

import pytest

from tests.support.http import fetch
from tests.support.nodes import Node

HTML = {"Accept": "text/html"}


def test_the_page_is_html_in_the_asked_language(demo_node: Node) -> None:
    project = f"{demo_node.base_url}/projects/aire-net-a-escola"
    answer = fetch(f"{demo_node.base_url}/partners?project={project}&lang=es&limit=3", headers=HTML)
    assert answer.status == 200 and answer.content_type.startswith("text/html")
    assert answer.headers["vary"] == "Accept-Language, Cookie"
    text = answer.body.decode()
    assert '<html lang="es">' in text and text.count('class="partner"') == 3
    assert "Sus ofertas cubren vuestras necesidades" in text
    # The language switcher keeps the asker and the limit.
    assert 'href="?project=http%3A%2F%2F127.0.0.1' in text and "limit=3&amp;lang=ca" in text


def test_profile_pages_link_to_their_partners(demo_node: Node) -> None:
    page = fetch(f"{demo_node.base_url}/organisations/lab-ciutat-tecnologia?lang=en", headers=HTML).body.decode()
    assert 'href="/partners?organisation=http%3A//127.0.0.1' in page and ">Possible partners</a>" in page


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("", 400, "exactly one of"),
        ("project=not-an-iri", 400, "absolute http(s) IRI"),
        ("project={base}/projects/nobody", 404, "is known here"),
        ("organisation={base}/projects/aire-net-a-escola", 404, "no organisation"),
        ("project={base}/projects/aire-net-a-escola&weight_needs=2", 400, "weight"),
        ("project={base}/projects/aire-net-a-escola&weight_colour=1", 400, "unknown weight"),
        ("project={base}/projects/aire-net-a-escola&limit=0", 400, "limit"),
    ],
)
def test_bad_requests_get_a_clear_error_page_or_json(demo_node: Node, query: str, status: int, words: str) -> None:
    url = f"{demo_node.base_url}/partners?{query.format(base=demo_node.base_url)}&lang=en"
    page = fetch(url, headers=HTML)
    assert page.status == status and page.content_type.startswith("text/html")
    assert '<html lang="en">' in page.body.decode() and html.escape(words) in page.body.decode()
    answer = fetch(url, headers={"Accept": "application/json"})
    assert answer.status == status
    assert answer.content_type.startswith("application/json")
    assert words in answer.json()["error"]
