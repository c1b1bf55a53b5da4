"""The calls page in Chromium: calls of the demo's projects listed with their badges, skills, place and
dates; a filter link narrows the list and shows as chosen; a call leads to its page; the page, its empty
state, a project's calls and a skill's calls pass axe and do not scroll sideways at 360 px."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import check_page
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

CALLS: list[tuple[str, dict[str, Any]]] = [
    (
        "projects/taller-mobil-de-fabricacio",
        {
            "purpose": "request",
            "nameMap": {"ca": "Busquem voluntàries per a la fira maker del Poblenou", "en": "Volunteers wanted"},
            "concepts": ["skill:3d-printing", "skill:volunteers"],
            "quantity": 4,
            "basedIn": "neighbourhood:68",
            "deadline": "2099-06-01",
            "validUntil": "2099-06-15",
        },
    ),
    (
        "projects/codi-en-femeni",
        {
            "purpose": "offer",
            "nameMap": {"ca": "Oferim mentoria en desenvolupament web per a entitats"},
            "concepts": ["skill:web-development", "skill:mentoring"],
            "basedIn": "district:2",
            "validUntil": "2099-12-31",
        },
    ),
    (
        "organisations/teixit-digital",
        {
            "purpose": "request",
            "nameMap": {"ca": "Assessorament legal sobre protecció de dades"},
            "concepts": ["skill:data-protection"],
            "budget": "1500",
            "deadline": "2099-03-01",
            "validUntil": "2099-03-31",
        },
    ),
]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("calls-page") / "node", demo=True)
    for profile, call in CALLS:
        answer = api(started.base_url, started.token, "POST", f"/api/{profile}/calls", call)
        assert answer.status == 201, answer.body
    within(
        20,
        lambda: fetch(f"{started.base_url}/api/network/calls").json()["total"] == 6,
        "the calls listed (and the demo set's three)",
    )
    yield started
    started.stop()


def test_the_calls_page_lists_filters_and_leads_to_a_call(node: Node, page: Page) -> None:
    page.goto(f"{node.base_url}/calls?lang=en")
    expect(page.locator("main h1")).to_have_text("Calls for collaboration")
    expect(page.locator("#calls-total")).to_have_text("6 calls")
    # (calls published within the same second are ordered by their random ids: look each up by its title)
    request = page.locator(".call-item").filter(has_text="Assessorament legal sobre protecció de dades")
    expect(request.locator(".call-badge")).to_have_text("Wanted")
    offer = page.locator(".call-item").filter(has_text="Oferim mentoria en desenvolupament web")
    expect(offer.locator(".call-badge")).to_have_text("Offered")
    check_page(page, "calls")
    page.locator(".calls-facet").get_by_role("link", name="Offered").click()
    expect(page.locator("#calls-total")).to_have_text("2 calls")
    expect(page.locator(".calls-facet a.chosen")).to_have_text("remove the filter: Offered")
    page.get_by_role("link", name="Oferim mentoria en desenvolupament web per a entitats").click()
    expect(page.locator("main h1")).to_have_text("Oferim mentoria en desenvolupament web per a entitats")
    page.goto(f"{node.base_url}/calls?lang=ca&skill=translation")
    expect(page.locator(".none")).to_be_visible()
    check_page(page, "calls-empty")


def test_a_projects_calls_and_a_skills_calls(node: Node, page: Page) -> None:
    page.goto(f"{node.base_url}/@taller-mobil-de-fabricacio?lang=en")
    section = page.locator("section.profile-calls")
    expect(section.locator("h2")).to_have_text("Calls for collaboration")
    expect(section.get_by_role("link", name="Volunteers wanted")).to_be_visible()
    check_page(page, "calls-profile")
    page.goto(f"{node.base_url}/concepts/skill/hardware?lang=es")
    calls = page.locator("section.concept-calls")
    expect(calls.get_by_role("link", name="Busquem voluntàries per a la fira maker del Poblenou")).to_be_visible()
    check_page(page, "calls-concept")
