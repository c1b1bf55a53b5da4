"""A researcher runs SPARQL queries from the node's page in Chromium; values from the graph stay text."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.support.http import api
from tests.support.nodes import Node

EVIL = '<img src=x onerror="window.pwned=1">'


def test_the_example_query_runs_in_place(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/sparql?lang=es")
    page.get_by_role("button", name="Ejecutar").click()
    table = page.locator("#sparql-output table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr").count()
    assert rows > 0
    expect(page.locator("#sparql-output p").first).to_have_text(f"{rows} filas")
    assert page.url == f"{demo_node.base_url}/sparql?lang=es"  # no navigation: the results came in place
    header = table.locator("thead th").all_inner_texts()
    assert header and all(header)
    first_link = table.locator("tbody a").first
    expect(first_link).to_have_attribute("href", re.compile(r"^https?://"))
    download = page.get_by_role("link", name="Descarga estos resultados")
    expect(download).to_have_attribute("href", re.compile(r"^/sparql\?query=.+&format=json$"))

    page.fill("#query", "ASK { ?s ?p ?o }")
    page.get_by_role("button", name="Ejecutar").click()
    expect(page.locator("#sparql-output p").first).to_have_text("true")


def test_a_bad_query_shows_the_reason(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/sparql?lang=en")
    page.fill("#query", "SELECT * WHERE { ?s ?p ")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#sparql-output .sparql-error")).to_have_text(re.compile(r"^400: .*SPARQL"))
    page.fill("#query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#sparql-output .sparql-error")).to_have_text(re.compile(r"^4\d\d: "))


def test_markup_in_the_graph_is_shown_as_text(node_factory: Callable[..., Node], page: Page) -> None:
    node = node_factory()
    organisation = {"nameMap": {"ca": EVIL}, "sectors": ["sector:industry"], "areas": ["area:maker"]}
    assert api(node.base_url, node.token, "PUT", "/api/organisations/malicia", organisation).status == 201
    for slug, needs, offers in (("primer", ["skill:translation"], []), ("segon", [], ["skill:translation"])):
        project = {
            "organisation": "malicia",
            "nameMap": {"ca": f"{EVIL} {slug}"},
            "summaryMap": {"ca": f"<script>window.pwned=1</script> {slug}"},
            "areas": ["area:maker"],
            "needs": needs,
            "offers": offers,
        }
        assert api(node.base_url, node.token, "PUT", f"/api/projects/{slug}", project).status == 201
    node.settle()

    page.goto(f"{node.base_url}/sparql?lang=ca")
    page.fill("#query", "SELECT ?name WHERE { ?p <https://www.w3.org/ns/activitystreams#name> ?name }")
    page.get_by_role("button", name="Executa").click()
    expect(page.locator("#sparql-output table")).to_be_visible()
    cells = page.locator("#sparql-output td").all_inner_texts()
    assert len(cells) >= 3 and all(cell.startswith(EVIL) for cell in cells), cells
    assert page.locator("#sparql-output img").count() == 0

    page.goto(f"{node.base_url}/partners?project={node.base_url}/projects/primer&include_own=true&lang=ca")
    expect(page.locator("h1")).to_have_text(f"{EVIL} primer")
    expect(page.locator(".partner h2")).to_have_text([f"{EVIL} segon", EVIL])  # its own organisation too
    page.goto(f"{node.base_url}/projects/segon?lang=ca")
    expect(page.locator(".summary")).to_contain_text("<script>")
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.pwned") is None
