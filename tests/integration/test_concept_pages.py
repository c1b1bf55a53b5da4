"""Concept pages on a demo node: a skill's page lists exactly the profiles the directory finds needing it
beside those offering it, a district's page lists its neighbourhoods, the index lists every scheme, and an
unknown scheme or concept is a 404 page in the visitor's language (JSON for a program)."""

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlencode

import pytest

from tests.support.http import fetch
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.network
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    demo = start_node(tmp_path_factory.mktemp("concepts") / "node", demo=True)
    yield demo
    demo.stop()


def _directory(node: Node, **params: str) -> dict[str, object]:
    answer = fetch(f"{node.base_url}/api/directory?{urlencode({**params, 'per_page': '100', 'lang': 'en'})}")
    assert answer.status == 200
    body: dict[str, object] = answer.json()
    return body


def _section(text: str, facet: str) -> str:
    found = re.search(rf'<section class="concept-use concept-use-{facet}".*?</section>', text, re.S)
    assert found, facet
    return found.group(0)


def _names(section: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'<li><a href="[^"]*">([^<]*)</a>', section)]


def test_a_skill_page_lists_who_needs_it_and_who_offers_it(node: Node) -> None:
    facets = _directory(node)["facets"]
    assert isinstance(facets, dict)
    needed = {item["key"] for item in facets["needs"]}
    offered = {item["key"] for item in facets["offers"]}
    both = sorted(needed & offered)
    assert both, "the demo data has skills some profiles need and others offer"
    for code in both[:3]:
        page = fetch(f"{node.base_url}/concepts/skill/{code}?lang=en", headers=HTML)
        assert page.status == 200 and page.content_type.startswith("text/html")
        text = page.body.decode()
        for facet in ("needs", "offers"):
            results = _directory(node, **{facet: code})["results"]
            assert isinstance(results, list) and results
            section = _section(text, facet)
            assert sorted(_names(section)) == sorted(result["name"] for result in results), (code, facet)
            for result in results:
                assert f'href="{result["id"]}?lang=en"' in section  # the demo node's own profiles
            assert f'href="/directory?{facet}={code}&amp;lang=en"' in section
        assert "Who needs it" in text and "Who offers it" in text


def test_a_district_page_lists_its_neighbourhoods(node: Node) -> None:
    text = fetch(f"{node.base_url}/concepts/district/10?lang=ca", headers=HTML).body.decode()
    assert "<h1>Sant Martí</h1>" in text and "Barris del districte" in text
    for code in range(64, 74):
        assert f'href="/concepts/neighbourhood/{code}?lang=ca"' in text
    assert 'href="/directory?district=10&amp;lang=ca"' in text
    # Without ?lang= the page speaks the language the visitor chose before (the cookie).
    remembered = fetch(f"{node.base_url}/concepts/district/10", headers={**HTML, "Cookie": "lang=es"}).body.decode()
    assert '<html lang="es">' in remembered and "Barrios del distrito" in remembered
    neighbourhood = fetch(f"{node.base_url}/concepts/neighbourhood/71?lang=es", headers=HTML).body.decode()
    assert 'href="/concepts/district/10?lang=es"' in neighbourhood and '<html lang="es">' in neighbourhood


def test_the_index_lists_every_scheme(node: Node) -> None:
    text = fetch(f"{node.base_url}/concepts?lang=es", headers=HTML).body.decode()
    for scheme in ("area", "skill", "district", "neighbourhood", "sector", "sdg", "status"):
        assert f'id="scheme-{scheme}"' in text
    assert 'href="/concepts/skill/3d-printing?lang=es"' in text and "Habilidades" in text
    vocabulary = fetch(f"{node.base_url}/ns?lang=en", headers=HTML).body.decode()
    assert 'href="/concepts/area/open-data?lang=en"' in vocabulary and 'href="/concepts?lang=en"' in vocabulary


def test_an_unknown_concept_is_a_404_page_in_the_visitors_language(node: Node) -> None:
    odd = ("/concepts/district/%C2%B2", "/concepts/sdg/%EF%BC%91", "/concepts/area/%00", "/concepts/skill/a%2Fb")
    for path in ("/concepts/skill/no-such-skill", "/concepts/colour/red", "/concepts/district/99", *odd):
        page = fetch(f"{node.base_url}{path}?lang=ca", headers=HTML)
        assert page.status == 404 and page.content_type.startswith("text/html"), path
        assert '<html lang="ca">' in page.body.decode()
    program = fetch(f"{node.base_url}/concepts/skill/no-such-skill", headers={"Accept": "application/json"})
    assert program.status == 404 and program.json()["code"] == "not_found"


def test_the_directory_leads_to_the_pages_of_its_concepts(node: Node) -> None:
    # Given a visitor filtering the directory by a skill needed and a district
    facets = _directory(node)["facets"]
    assert isinstance(facets, dict)
    skill = facets["needs"][0]["key"]
    district = next(item["key"] for item in facets["district"] if item["count"])
    text = fetch(f"{node.base_url}/directory?needs={skill}&district={district}&lang=es", headers=HTML).body.decode()
    # Then each filter in force names its concept's page
    chosen = re.search(r'<p class="chosen">(.*?)</p>', text, re.S)
    assert chosen, "the page lists the filters in force"
    assert f'href="/concepts/skill/{skill}?lang=es"' in chosen.group(1)
    assert f'href="/concepts/district/{district}?lang=es"' in chosen.group(1)
    # And the areas on each result lead to their pages, which exist
    everything = fetch(f"{node.base_url}/directory?lang=en", headers=HTML).body.decode()
    areas = re.findall(r'<p class="concepts"><a href="(/concepts/area/[^"?]+)\?lang=en">', everything)
    assert areas
    for path in set(areas):
        assert fetch(f"{node.base_url}{path}?lang=en", headers=HTML).status == 200, path
    assert '<p class="chosen">' not in everything  # no filter in force, nothing listed
