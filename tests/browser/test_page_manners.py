"""Every page type, as a visitor sees it in Chromium at 1280 and 360 px: no serious or critical axe-core
violation, no sideways scrolling; the language picked is remembered; a missing page is a page in the
visitor's language for a browser and JSON for a program."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import SharedTab, axe_violations, sideways_overflow
from tests.support.http import api
from tests.support.nodes import Node

# (name, path): ``{base}`` is the node's URL, ``{note}`` a post's id.
PAGES = [
    ("home", "/?lang=ca"),
    ("organisation", "/@lab-ciutat-tecnologia?lang=es"),
    ("project", "/projects/aire-net-a-escola?lang=ca"),
    ("partners", "/partners?project={base}/projects/aire-net-a-escola&lang=en"),
    ("sparql", "/sparql?lang=ca"),
    ("vocabulary", "/ns?lang=es"),
    ("tag", "/tags/maker?lang=en"),
    ("post", "{note}?lang=ca"),
    ("error-404", "/no-such-page?lang=en"),
    ("directory", "/directory?lang=ca"),
    ("directory-search", "/directory?lang=es&q=impresion&district=10"),
    ("directory-error", "/directory?lang=en&page=-1"),
    ("concepts", "/concepts?lang=es"),
    ("concept-skill", "/concepts/skill/training?lang=ca"),
    ("concept-district", "/concepts/district/10?lang=en"),
    ("error-concept", "/concepts/skill/no-such-skill?lang=es"),
    ("follow-error", "/follow?actor={base}/projects/aire-net-a-escola&handle=nobody&lang=ca"),
    ("stats", "/stats?lang=es"),
]
WIDTHS = [1280, 360]


@pytest.fixture(scope="module")
def note(demo_node: Node) -> Iterator[str]:
    """A post of the demo school-air project, with a link and a long unbroken word in it."""
    content = (
        "<p>Dissabte mesurem l'aire del pati. Les dades, a "
        '<a href="https://example.org/dades/qualitat-de-l-aire/escoles/provencals-del-poblenou/2026">'
        "https://example.org/dades/qualitat-de-l-aire/escoles/provencals-del-poblenou/2026</a></p>"
    )
    answer = api(
        demo_node.base_url, demo_node.token, "POST", "/api/projects/aire-net-a-escola/notes", {"content": content}
    )
    assert answer.status == 201
    yield str(answer.json()["object"]["id"])


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_every_page_type_is_accessible_and_fits(
    demo_node: Node, note: str, reading_tab: SharedTab, name: str, path: str
) -> None:
    page = reading_tab.page
    url = path.format(base=demo_node.base_url, note=note)
    expected = 404 if name.startswith("error") else 400 if name.endswith("error") else 200
    for width in WIDTHS:  # loaded at each width, as a phone and a laptop would load it
        page.set_viewport_size({"width": width, "height": 800})
        answer = page.goto(url if url.startswith("http") else demo_node.base_url + url)
        assert answer is not None and answer.status == expected
        expect(page.locator("main h1")).to_be_visible()
        assert page.locator("header, nav, main, footer").count() >= 4
        assert sideways_overflow(page) is None, (width, sideways_overflow(page))
        assert axe_violations(page) == [], width


def test_the_skip_link_leads_to_the_content(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/?lang=en")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_language_picked_is_remembered_on_the_next_pages(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/")  # the browser speaks Catalan (the context's locale)
    expect(page.locator("html")).to_have_attribute("lang", "ca")
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="es", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # Addresses without ?lang= now come in Spanish too, whatever the browser's Accept-Language says.
    page.goto(f"{demo_node.base_url}/ns")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name="Vocabulario", exact=True)).to_have_attribute("aria-current", "page")
    page.goto(f"{demo_node.base_url}/@aire-net-a-escola")
    expect(page.locator(".kind").first).to_have_text("Proyecto")
    page.goto(f"{demo_node.base_url}/nowhere")
    expect(page.locator("h1")).to_have_text("Esta página no existe.")
    # Picking again replaces the choice.
    page.goto(f"{demo_node.base_url}/?lang=es")
    page.get_by_role("link", name="en", exact=True).click()
    page.goto(f"{demo_node.base_url}/sparql")
    expect(page.get_by_role("button", name="Run")).to_be_visible()


@pytest.mark.parametrize(
    ("locale", "language", "words"),
    [("ca-ES", "ca", "Aquesta pàgina no existeix."), ("es-ES", "es", "Esta página no existe.")],
)
def test_a_missing_page_is_a_page_for_a_browser_and_json_for_a_program(
    demo_node: Node, browser: Browser, locale: str, language: str, words: str
) -> None:
    context = browser.new_context(locale=locale)
    try:
        tab = context.new_page()
        answer = tab.goto(f"{demo_node.base_url}/projects/nobody-here")
        assert answer is not None and answer.status == 404
        assert answer.headers["content-type"].startswith("text/html")
        expect(tab.locator("html")).to_have_attribute("lang", language)
        expect(tab.locator("h1")).to_have_text(words)
        tab.get_by_role("main").get_by_role("link").first.click()  # home
        expect(tab).to_have_url(f"{demo_node.base_url}/?lang={language}")
        program = tab.request.get(f"{demo_node.base_url}/projects/nobody-here", headers={"Accept": "application/json"})
        assert program.status == 404 and program.headers["content-type"] == "application/json"
        assert program.json()["code"] == "not_found"
    finally:
        context.close()


def test_the_checks_find_what_they_look_for(demo_node: Node, page: Page) -> None:
    # A page with an unnamed button, grey-on-white text and a box wider than the window fails both checks.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{demo_node.base_url}/?lang=ca")
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend",
                '<button><svg width="10" height="10"></svg></button>'
                + '<p style="color:#bbb;background:#fff">pale</p><div style="width:900px">wide</div>');
        }"""
    )
    assert {violation["id"] for violation in axe_violations(page)} >= {"button-name", "color-contrast"}
    overflow = sideways_overflow(page)
    assert overflow is not None and overflow["scrollWidth"] > overflow["innerWidth"] == 360


def test_sparql_results_stay_inside_the_window(demo_node: Node, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{demo_node.base_url}/sparql?lang=en")
    page.fill("#query", "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 30")
    page.get_by_role("button", name="Run").click()
    table = page.locator("#sparql-output table")
    expect(table).to_be_visible()
    # Long IRIs wrap in their cells; whatever is still too wide scrolls inside the table's own box.
    assert table.evaluate("(t) => t.getBoundingClientRect().right <= window.innerWidth")
    assert sideways_overflow(page) is None, sideways_overflow(page)
    assert axe_violations(page) == []
