"""A visitor of node B reads a post of a project of node A, which B aggregates, in Chromium: on B's home page,
then on the project's page on B, which offers its feed; both pages pass axe-core and fit 360 px."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import axe_violations, sideways_overflow
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
POST = (
    "<p>Dissabte obrim la ràdio del barri a tothom. Programació a "
    '<a href="https://example.org/radio/programacio/tardor-2026/dissabtes-oberts">'
    "https://example.org/radio/programacio/tardor-2026/dissabtes-oberts</a></p>"
)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node, str]]:
    folder = tmp_path_factory.mktemp("posts-pages")
    a, b = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    organisation = {"nameMap": {"ca": "Ateneu del Barri"}, "sectors": ["sector:civil-society"]}
    project = {"organisation": "ateneu", "nameMap": {"ca": "Ràdio Oberta"}, "areas": ["area:open-data"]}
    assert api(a.base_url, a.token, "PUT", "/api/organisations/ateneu", organisation).status == 201
    assert api(a.base_url, a.token, "PUT", "/api/projects/radio", project).status == 201
    assert api(b.base_url, b.token, "POST", "/api/peers", {"url": a.base_url}).status == 202
    radio = f"{a.base_url}/projects/radio"
    within(15, lambda: fetch(f"{b.base_url}/network/profile?id={radio}").status == 200, "B aggregating the project")
    answer = api(a.base_url, a.token, "POST", "/api/projects/radio/notes", {"content": POST})
    assert answer.status == 201
    note = str(answer.json()["object"]["id"])
    within(15, lambda: note in fetch(f"{b.base_url}/").body.decode("utf-8"), "the post on B's home page")
    yield a, b, note
    a.stop()
    b.stop()


@pytest.mark.parametrize("width", [1280, 360])
def test_from_b_s_home_page_to_the_post_s_author_on_b(nodes: tuple[Node, Node, str], page: Page, width: int) -> None:
    a, b, note = nodes
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{b.base_url}/?lang=ca")
    post = page.locator(".home-posts .post").first
    expect(post).to_contain_text("Dissabte obrim la ràdio del barri")
    expect(post.locator(".post-node")).to_have_text(f"({a.base_url.split('//')[1]})")
    expect(post.locator(f'a[href="{note}"]')).to_be_visible()  # the original post
    assert sideways_overflow(page) is None, sideways_overflow(page)
    assert axe_violations(page) == []

    post.get_by_role("link", name="Ràdio Oberta").click()
    expect(page.locator("main h1")).to_have_text("Ràdio Oberta")
    assert page.url.startswith(f"{b.base_url}/network/profile?")
    expect(page.locator(".profile-posts .post")).to_contain_text("Dissabte obrim la ràdio del barri")
    feed = page.locator(".profile-posts .feed-link a").get_attribute("href")
    assert feed is not None and fetch(f"{b.base_url}{feed}").status == 200
    assert sideways_overflow(page) is None, sideways_overflow(page)
    assert axe_violations(page) == []
