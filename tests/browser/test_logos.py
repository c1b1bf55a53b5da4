"""The demo's logos and header images in Chromium: the home, directory and profile pages show them, loaded
from the node itself, decoded, kept in their boxes at 360 px, and axe-core finds nothing serious."""

import pytest
from playwright.sync_api import Page

from tests.support.browser import SharedTab, axe_violations, sideways_overflow
from tests.support.nodes import Node

PAGES = [
    ("home", "/?lang=ca", ".cards img.logo", 25),
    ("directory", "/directory?lang=en&per_page=50", ".results img.logo", 25),
    ("tag", "/tags/maker?lang=es", ".cards img.logo", 1),
    ("organisation", "/@taller-comunitari-poblenou?lang=en", ".profile-head img.logo", 1),
    ("project", "/projects/aire-net-a-escola?lang=ca", ".profile img.banner", 1),
]


def _loaded_images(page: Page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        """images => images.map(image => ({
            src: image.currentSrc, complete: image.complete, natural: image.naturalWidth,
            width: image.getBoundingClientRect().width, right: image.getBoundingClientRect().right,
            alt: image.getAttribute("alt"), hasSize: image.hasAttribute("width") && image.hasAttribute("height")
        }))""",
    )


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize(("name", "path", "selector", "least"), PAGES, ids=[p[0] for p in PAGES])
def test_the_demo_pages_show_their_logos(
    demo_node: Node, reading_tab: SharedTab, name: str, path: str, selector: str, least: int, width: int
) -> None:
    page = reading_tab.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_node.base_url + path)
    # Lazy images below the fold load once scrolled to: load them all now.
    page.eval_on_selector_all(selector, "images => images.forEach(image => { image.loading = 'eager'; })")
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)", arg=selector
    )
    images = _loaded_images(page, selector)
    assert len(images) >= least, (name, images)
    for image in images:
        assert image["src"].startswith(demo_node.base_url + "/media/"), image
        assert image["complete"] and image["natural"] > 0, image  # decoded: a real image, served right
        assert image["alt"] == "" and image["hasSize"], image  # decorative; its box is known before it loads
        assert image["right"] <= width + 0.5, image
    every_source = page.eval_on_selector_all("img", "images => images.map(image => image.currentSrc)")
    assert all(source.startswith(demo_node.base_url + "/") for source in every_source), every_source
    assert sideways_overflow(page) is None
    assert axe_violations(page) == [], name
