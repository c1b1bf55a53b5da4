"""A visitor searches the directory, narrows it by a district and then by a skill, goes back, and reads it
on a 360 px screen, in Chromium (the page works without JavaScript: a form, links and checkboxes)."""

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.support.nodes import Node


def _state(page: Page) -> tuple[int, list[str]]:
    total = int(page.locator("#directory-total").get_attribute("data-total") or "-1")
    return total, page.locator(".result h3").all_inner_texts()


def test_search_then_filter_by_district_and_skill_and_back(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/directory?lang=ca")
    expect(page.locator("h1")).to_have_text("Directori de la xarxa")
    page.get_by_label("Nom o descripció").fill("taller")
    page.get_by_role("button", name="Cerca").click()
    expect(page).to_have_url(re.compile(r"[?&]q=taller(&|$)"))
    searched_total, searched = _state(page)
    assert searched_total == len(searched) > 2
    assert "Reparem al Barri" in searched

    # When the visitor ticks a district, the results narrow to it and its count is the new total
    district = page.locator('details[data-facet="district"]')
    option = district.locator("li").first
    count = int(option.locator(".count").inner_text())
    assert 0 < count < searched_total
    option.locator("input").check()
    page.get_by_role("button", name="Aplica els filtres").click()
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(count))
    in_district_total, in_district = _state(page)
    assert set(in_district) < set(searched)
    assert "district" in parse_qs(urlsplit(page.url).query)

    # And then a skill offered: fewer again, and the district keeps its checkbox ticked
    offers = page.locator('details[data-facet="offers"]')
    if offers.get_attribute("open") is None:
        offers.locator("summary").click()
    skill = offers.locator("li").first
    skill_count = int(skill.locator(".count").inner_text())
    assert skill_count <= in_district_total
    skill.locator("input").check()
    page.get_by_role("button", name="Aplica els filtres").click()
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(skill_count))
    _, narrowed = _state(page)
    assert set(narrowed) <= set(in_district)
    expect(district.locator("li").first.locator("input")).to_be_checked()

    # The back button restores each earlier state
    page.go_back()
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(in_district_total))
    assert _state(page)[1] == in_district
    page.go_back()
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(searched_total))
    assert _state(page)[1] == searched
    expect(page.get_by_label("Nom o descripció")).to_have_value("taller")


def test_a_result_names_its_source_and_leads_to_the_original(demo_node: Node, page: Page) -> None:
    page.goto(f"{demo_node.base_url}/directory?lang=en&q=3d+printing")
    first = page.locator(".result").first
    expect(first.locator(".source")).to_have_text("this node")
    link = first.locator("h3 a")
    assert link.get_attribute("href") == first.get_attribute("data-id")
    link.click()
    # the original, in the language chosen with ?lang=en, which the node remembers
    expect(page.locator("h1")).to_have_text("Repair in the Neighbourhood")


def test_the_page_fits_a_360_px_screen(demo_node: Node, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for query in ("", "?q=taller&district=1", "?sort=name&per_page=5&page=2", "?page=0"):
        page.goto(f"{demo_node.base_url}/directory{query}")
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, query
    page.goto(f"{demo_node.base_url}/directory?lang=es&per_page=5")
    page.get_by_role("link", name="Siguiente").click()
    assert parse_qs(urlsplit(page.url).query)["page"] == ["2"]
    expect(page.locator(".pages [aria-current=page]")).to_have_text("2")


def test_choosing_a_neighbourhood_on_the_map_filters_and_back_restores(demo_node: Node, page: Page) -> None:
    # Given the whole directory and its map, where every neighbourhood with results says how many
    page.goto(f"{demo_node.base_url}/directory?lang=en&q=taller")
    everything = int(page.locator("#directory-total").get_attribute("data-total") or "0")
    shaded = page.locator(".directory-map a.dm-area:not([aria-label$=': 0 results'])").first
    label = shaded.get_attribute("aria-label") or ""
    code = shaded.get_attribute("data-code")
    # When a visitor picks that neighbourhood with the keyboard
    shaded.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**neighbourhood=*")
    # Then the directory is filtered by it, the text kept, and the count is the one the map showed
    query = parse_qs(urlsplit(page.url).query)
    assert query["neighbourhood"] == [code] and query["q"] == ["taller"]
    shown = int(label.rsplit(": ", 1)[1].split()[0])
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(shown))
    assert shown <= everything
    for result in page.locator(".result").all():
        assert result.get_attribute("data-id")
    # And the back button brings the whole directory back
    page.go_back()
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(everything))
