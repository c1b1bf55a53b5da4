"""The district map in Chromium: Tab walks the neighbourhoods in order and shows where focus is, Enter and a
click follow a neighbourhood's link, and the map fits a 360 px screen without sideways scrolling."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from dsi4bcn.directory.districtmap import render_map

ORIGIN = "http://map.test"
CSS = Path(__file__).resolve().parents[2] / "dsi4bcn" / "web" / "static" / "map.css"
POINTS = [(41.40363, 2.17436, "Sagrada Família", "/projects/sagrada"), (41.38087, 2.12282, "Camp Nou", None)]


def _page_html() -> str:
    counts = {str(code): code % 7 for code in range(1, 74)}
    figure = render_map(counts, POINTS, "/directory?neighbourhood={code}", selected="11", language="ca", title="Mapa")
    return (
        '<!doctype html><html lang="ca"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/map.css"><title>Mapa</title></head>'
        f"<body><main><h1>Directori</h1>{figure}</main></body></html>"
    )


def _serve(page: Page) -> None:
    """Answer every request to the test origin in memory: the page, the map's CSS, and a stand-in directory."""

    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/static/map.css":
            route.fulfill(body=CSS.read_text(encoding="utf-8"), content_type="text/css")
        elif path.startswith("/directory") or path.startswith("/projects"):
            route.fulfill(body=f"<!doctype html><title>{path}</title><h1>{path}</h1>", content_type="text/html")
        else:
            route.fulfill(body=_page_html(), content_type="text/html")

    page.route(f"{ORIGIN}/**", answer)


def test_tab_walks_every_neighbourhood_in_order_and_enter_follows_it(page: Page) -> None:
    _serve(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{ORIGIN}/")
    codes = []
    for _ in range(73):
        page.keyboard.press("Tab")
        codes.append(page.evaluate("document.activeElement.getAttribute('data-code')"))
    assert codes == [str(code) for code in range(1, 74)]
    # The focused neighbourhood is painted differently from its shade.
    focused_fill = page.evaluate("getComputedStyle(document.activeElement.querySelector('path')).fill")
    assert focused_fill == "rgb(255, 210, 63)"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "la Verneda i la Pau: 3 resultats"
    # Past the map come the licence links, not the points (the results list has the profiles).
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "© Ajuntament de Barcelona — CartoBCN"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{ORIGIN}/directory?neighbourhood=73")


def test_a_click_on_a_neighbourhood_or_a_point_follows_its_link(page: Page) -> None:
    _serve(page)
    page.goto(f"{ORIGIN}/")
    page.locator("a.dm-area[data-code='1']").click()  # under its count label, which lets clicks through
    expect(page).to_have_url(f"{ORIGIN}/directory?neighbourhood=1")
    page.go_back()
    page.locator(".dm-points a").click()
    expect(page).to_have_url(f"{ORIGIN}/projects/sagrada")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_map_fits_the_screen(page: Page, width: int) -> None:
    _serve(page)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{ORIGIN}/")
    page.locator(".dm-table summary").click()
    expect(page.locator(".dm-table table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator("svg.dm-svg").bounding_box()
    assert box is not None and 0 < box["width"] <= width and box["height"] > 200
    expect(page.locator(".dm-attribution")).to_be_visible()
    expect(page.locator(".dm-attribution")).to_contain_text("CartoBCN")
