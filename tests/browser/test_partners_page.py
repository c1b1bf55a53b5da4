"""A visitor finds possible partners from a project's page, reweighs them and switches language, in Chromium."""

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.support.nodes import Node


def test_from_a_project_page_to_its_possible_partners_and_back(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/?lang=ca")
    page.get_by_role("link", name="Aire Net a l'Escola").click()
    expect(page.locator("h1")).to_have_text("Aire Net a l'Escola")
    page.get_by_role("link", name="Possibles col·laboracions").click()

    expect(page.locator("h1")).to_have_text("Aire Net a l'Escola")
    expect(page.locator("dl.asker")).to_contain_text("Visualització de dades")  # what it needs, up front
    first = page.locator(".partner").first
    # The planted pair: the school air project needs data visualisation, the open atlas offers it.
    expect(first.locator("h2")).to_have_text("Atles Obert dels Barris")
    expect(first.locator("dt").first).to_have_text("Les seves ofertes cobreixen les vostres necessitats")
    expect(first.locator("dd.needs")).to_contain_text("Visualització de dades")
    expect(first.locator("dd.place")).to_have_text(re.compile(r"^a \d+,\d km$"))
    expect(first.locator(".shares li").first).to_have_text(re.compile(r"^Necessitats vostres cobertes: \d+ %$"))
    assert page.locator(".partner").count() == 10

    # Only complementary sectors count: the ranking changes and says so.
    page.locator(".weights summary").click()
    for part in ("needs", "offers", "areas", "sdgs", "place", "text"):
        page.fill(f"#weight_{part}", "0")
    page.fill("#weight_sectors", "1")
    page.get_by_role("button", name="Torna a ordenar").click()
    expect(page.locator("#weight_sectors")).to_have_value("1")
    expect(page.locator(".partner").first.locator(".shares li")).to_have_text(["Sectors complementaris: 100 %"])
    query = parse_qs(urlsplit(page.url).query)
    assert query["weight_needs"] == ["0"] and query["project"] == [f"{demo_node.base_url}/projects/aire-net-a-escola"]

    # The language switcher keeps the asker and the weights.
    page.get_by_role("link", name="en", exact=True).click()
    expect(page.locator(".kind").first).to_have_text(re.compile("possible partners", re.IGNORECASE))
    expect(page.locator("h1")).to_have_text("Clean Air at School")
    expect(page.locator("#weight_sectors")).to_have_value("1")
    expect(page.locator(".partner").first.locator(".shares li")).to_have_text(["Complementary sectors: 100 %"])

    # A suggestion's name leads to its profile page.
    partner = page.locator(".partner h2 a").first
    name = partner.inner_text()
    partner.click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.get_by_role("link", name="Possible partners")).to_be_visible()


def test_the_json_link_gives_the_same_ranking(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/partners?organisation={demo_node.base_url}/organisations/lab-ciutat-tecnologia")
    names = page.locator(".partner h2").all_inner_texts()
    assert names
    with page.expect_response(re.compile(r"/api/match\?")) as answer_info:
        page.get_by_role("link", name="Aquests resultats en JSON").click()
    answer = answer_info.value.json()
    assert [result["name"] for result in answer["results"]] == names
    assert answer["asker"]["kind"] == "organisation"
