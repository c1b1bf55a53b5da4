"""The posts and followers pages in Chromium, as a community admin uses them: from the dashboard to a
project's posts page, a Markdown post previewed and published with one suggested hashtag left out and one
of their own, then a follow request (from a second node) approved on the followers page; every page
accessible (axe-core) and without sideways scrolling at 1280 and 360 px."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import first_admin_link
from tests.support.browser import check_page
from tests.support.http import api
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
PASSWORD = "una frase prou llarga"
WIDTHS = [1280, 360]
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
SLUG = "reparem-al-barri"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    """A demo node whose project approves followers by hand, and a second node asking to follow it."""
    folder = tmp_path_factory.mktemp("post-admin-pages")
    a, b = start_node(folder / "a", demo=True, env=ENV), start_node(folder / "b", env=ENV)
    profile = api(a.base_url, a.token, "GET", f"/api/projects/{SLUG}").json()
    profile["manuallyApprovesFollowers"] = True
    assert api(a.base_url, a.token, "PUT", f"/api/projects/{SLUG}", profile).status == 200
    organisation = {"nameMap": {"ca": "Veïns de Sants"}, "sectors": ["sector:civil-society"]}
    assert api(b.base_url, b.token, "PUT", "/api/organisations/veins", organisation).status == 201
    target = f"{a.base_url}/projects/{SLUG}"
    assert api(b.base_url, b.token, "POST", "/api/organisations/veins/following", {"target": target}).status == 202
    yield a, b
    a.stop()
    b.stop()


def test_a_community_admin_writes_a_post_and_approves_a_follow_request(nodes: tuple[Node, Node], page: Page) -> None:
    a, b = nodes
    answer = page.goto(first_admin_link(a) + "?lang=ca")
    assert answer is not None and answer.status == 200, a.log()[-3000:]  # an open invitation, not a spent one
    page.get_by_label("Correu").fill("coordinacio@ateneu.example")
    page.get_by_label("Contrasenya nova").fill(PASSWORD)
    page.get_by_label("Repetiu la contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Crea el compte").click()
    expect(page).to_have_url(re.compile(r"/admin\?lang=ca$"))
    check_page(page, "dashboard")

    # From the dashboard to the project's posts page
    page.get_by_role("link", name="Publicacions: Reparem al Barri").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicacions de Reparem al Barri")
    expect(page.get_by_label("#CulturaMaker")).to_be_checked()
    check_page(page, "posts")

    # A Markdown post, previewed with one suggested hashtag left out and one of their own
    page.get_by_label("Text", exact=True).fill(
        "Dissabte **reparem** bicicletes a la plaça.\n\n- Porteu eines\n- Porteu ganes"
    )
    page.get_by_label("#FabricacióDigital").uncheck()
    page.get_by_label("Altres etiquetes").fill("Poblenou")
    page.get_by_role("button", name="Previsualitza").click()
    preview = page.locator(".post-preview")
    expect(preview.locator("strong")).to_have_text("reparem")
    expect(preview.locator(".tags")).to_have_text(re.compile(r"^#CulturaMaker #EconomiaSocialISolidària #Poblenou\s*$"))
    expect(page.get_by_label("#FabricacióDigital")).not_to_be_checked()
    check_page(page, "posts-preview")
    page.get_by_role("button", name="Publica").click()
    expect(page.get_by_role("status")).to_contain_text("Publicat")
    expect(page.locator(".admin-posts li").first.locator("strong")).to_have_text("reparem")
    expect(page.get_by_role("button", name=re.compile(r"^Esborra la publicació del \d{4}-\d\d-\d\d$"))).to_have_count(1)
    check_page(page, "posts-published")

    # The follow request from the second node, approved on the followers page
    page.get_by_role("link", name="Seguidors", exact=True).click()
    follower = f"{b.base_url}/organisations/veins"
    expect(page.get_by_role("heading", level=1)).to_have_text("Seguidors de Reparem al Barri")
    check_page(page, "followers-pending")
    page.get_by_role("button", name=f"Aprova: {follower}").click()
    expect(page.get_by_role("status")).to_contain_text("Sol·licitud aprovada")
    expect(page.get_by_role("heading", name="Seguidors (1)")).to_be_visible()
    check_page(page, "followers")

    def state() -> str | None:
        rows = api(b.base_url, b.token, "GET", "/api/organisations/veins/following").json()
        return next((row["state"] for row in rows if row["actor"].endswith(f"/projects/{SLUG}")), None)

    within(15, lambda: state() == "accepted", "the Accept on the second node")
