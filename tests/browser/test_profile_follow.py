"""A visitor follows a project from its page in Chromium: the handle typed in the form leads to the
subscribe page of their own (test) server; a mistyped handle gets a page saying so, in their language."""

from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.support.nodes import Node
from tests.support.webfinger_server import webfinger_server


def test_the_follow_form_ends_on_the_visitors_subscribe_page(demo_node: Node, page: Page) -> None:
    actor = f"{demo_node.base_url}/projects/aire-net-a-escola"
    with webfinger_server() as server:
        page.goto(f"{demo_node.base_url}/@aire-net-a-escola?lang=en")
        page.get_by_label("Follow from your fediverse account").fill(f"alice@{server.host}")
        page.get_by_role("button", name="Follow").click()
        expect(page.locator("h1")).to_have_text("Confirm the follow")
        assert page.url == f"{server.subscribe_page}?uri={quote(actor, safe='')}"
        assert server.subscribed == [actor]


def test_a_mistyped_handle_gets_a_page_in_the_visitors_language(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/@aire-net-a-escola")  # the context's locale is Catalan
    page.get_by_label("Segueix des del teu compte del fedivers").fill("alice at home")
    page.get_by_role("button", name="Segueix").click()
    expect(page.locator("h1")).to_have_text("No s'ha pogut seguir")
    expect(page.locator(".reason")).to_contain_text("usuari@servidor.exemple")
    # The form is there again with what was typed, to correct it.
    expect(page.get_by_label("Segueix des del teu compte del fedivers")).to_have_value("alice at home")
    page.get_by_role("link", name="Torna al perfil").click()
    expect(page.locator("h1")).to_have_text("Aire Net a l'Escola")


def test_concepts_and_the_organisation_are_links(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/@aire-net-a-escola?lang=en")
    expect(page.get_by_role("link", name="Citizen sensing")).to_have_attribute(
        "href", "/concepts/area/citizen-sensing?lang=en"
    )
    page.get_by_role("link", name="Poblenou Community Workshop").click()
    expect(page.locator("h1")).to_have_text("Poblenou Community Workshop")
    expect(page.get_by_role("link", name="Clean Air at School")).to_be_visible()
