"""Concept pages in Chromium: a concept on a project page leads to its page, whose profiles link back to
their pages; a skill's needs and offers sit side by side at 1280 px and stack at 360 px."""

from playwright.sync_api import Page, expect

from tests.support.browser import axe_violations, sideways_overflow
from tests.support.nodes import Node


def test_a_concept_on_a_project_page_leads_to_its_page(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/@aire-net-a-escola?lang=en")
    page.get_by_role("link", name="Citizen sensing").click()
    expect(page).to_have_url(f"{demo_node.base_url}/concepts/area/citizen-sensing?lang=en")
    expect(page.locator("main h1")).to_have_text("Citizen sensing")
    used = page.locator("section.concept-use-area")
    expect(used.get_by_role("link", name="Clean Air at School")).to_be_visible()
    expect(used.get_by_role("link", name="See all in the directory")).to_have_attribute(
        "href", "/directory?area=citizen-sensing&lang=en"
    )
    used.get_by_role("link", name="Clean Air at School").click()
    expect(page.locator("main h1")).to_have_text("Clean Air at School")


def test_a_skills_needs_and_offers_are_side_by_side_and_stack_on_a_phone(demo_node: Node, page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{demo_node.base_url}/concepts/skill/training?lang=en")
    needs, offers = page.locator("section.concept-use-needs"), page.locator("section.concept-use-offers")
    expect(needs.locator("h2")).to_contain_text("Who needs it")
    expect(offers.locator("h2")).to_contain_text("Who offers it")
    wide_needs, wide_offers = needs.bounding_box(), offers.bounding_box()
    assert wide_needs and wide_offers and wide_needs["y"] == wide_offers["y"] and wide_needs["x"] < wide_offers["x"]
    page.set_viewport_size({"width": 360, "height": 740})
    narrow_needs, narrow_offers = needs.bounding_box(), offers.bounding_box()
    assert narrow_needs and narrow_offers and narrow_needs["x"] == narrow_offers["x"]
    assert narrow_offers["y"] >= narrow_needs["y"] + narrow_needs["height"]
    assert sideways_overflow(page) is None, sideways_overflow(page)
    assert axe_violations(page) == []
