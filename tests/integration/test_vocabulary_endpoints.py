"""/ns and /ns/context.jsonld on a real node: the vocabulary as Turtle, JSON-LD and pages in three
languages, all one graph; the context document is the one the node's profiles are written with."""

import json
from collections.abc import Iterator

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.support.http import fetch
from tests.support.nodes import Node, start_node
from vocab.contexts import dsi_context
from vocab.graph import vocabulary_graph
from vocab.rdf import jsonld_to_graph

TITLES = {"ca": "Vocabulari", "es": "Vocabulario", "en": "vocabulary"}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("ns") / "node", demo=True)
    yield running
    running.stop()


def test_turtle_and_json_ld_are_the_bundled_vocabulary(node: Node) -> None:
    turtle = fetch(f"{node.base_url}/ns", headers={"Accept": "text/turtle"})
    assert turtle.status == 200 and turtle.content_type.startswith("text/turtle")
    assert turtle.headers["access-control-allow-origin"] == "*"
    from_turtle = Graph().parse(data=turtle.body, format="turtle")
    json_ld = fetch(f"{node.base_url}/ns", headers={"Accept": "application/ld+json"})
    assert json_ld.status == 200 and json_ld.content_type.startswith("application/ld+json")
    from_json_ld = jsonld_to_graph(json.loads(json_ld.body))  # its context is inline: nothing is fetched
    bundled = vocabulary_graph()
    assert len(from_turtle) == len(bundled) > 500
    assert isomorphic(from_turtle, bundled)
    assert isomorphic(from_json_ld, bundled)


@pytest.mark.parametrize("language", ["ca", "es", "en"])
def test_the_page_is_in_the_visitors_language(node: Node, language: str) -> None:
    page = fetch(f"{node.base_url}/ns", headers={"Accept": "text/html", "Accept-Language": language})
    assert page.status == 200 and page.content_type.startswith("text/html")
    text = page.body.decode()
    assert f'lang="{language}"' in text
    assert "dsi:Project" in text or "Project" in text
    others = [
        title for other, title in TITLES.items() if other != language and title.lower() != TITLES[language].lower()
    ]
    assert TITLES[language].lower() in text.lower()
    assert not any(f">{title}<" in text for title in others)


def test_an_unknown_media_type_is_406(node: Node) -> None:
    answer = fetch(f"{node.base_url}/ns", headers={"Accept": "image/png"})
    assert answer.status == 406


def test_the_context_document_is_the_one_profiles_are_written_with(node: Node) -> None:
    answer = fetch(f"{node.base_url}/ns/context.jsonld")
    assert answer.status == 200 and answer.content_type.startswith("application/ld+json")
    assert answer.headers["access-control-allow-origin"] == "*"
    served = json.loads(answer.body)["@context"]
    assert served == dsi_context()
    # Profiles carry this very context inline (so no reader ever needs to fetch it).
    profile = fetch(f"{node.base_url}/projects/taller-mobil-de-fabricacio", headers={"Accept": "application/ld+json"})
    assert profile.status == 200, profile.body
    assert served in json.loads(profile.body)["@context"]
