"""The calls admin pages in Chromium, as a community admin uses them (in Catalan): from the dashboard to a
project's calls page, a new call filled in with the skill picker's filter, the map and the date fields,
first with a mistake (shown beside its field), then published; its public page; the calls page, the edit
form and the public page accessible (axe-core) and without sideways scrolling at 1280 and 360 px."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import sign_up_in_browser
from tests.support.browser import check_page
from tests.support.http import api
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("call-pages") / "node", env=ENV)
    organisation = {"nameMap": {"ca": "Fem Barri"}, "sectors": ["sector:civil-society"]}
    project = {"organisation": "fem-barri", "nameMap": {"ca": "Fira maker del Poblenou"}, "areas": ["area:maker"]}
    assert api(started.base_url, started.token, "PUT", "/api/organisations/fem-barri", organisation).status == 201
    assert api(started.base_url, started.token, "PUT", "/api/projects/fira-maker", project).status == 201
    earlier = {
        "purpose": "offer",
        "nameMap": {"ca": "Taller obert els dimarts a la tarda"},
        "concepts": ["skill:3d-printing"],
        "validUntil": "2020-01-31",
    }
    assert api(started.base_url, started.token, "POST", "/api/projects/fira-maker/calls", earlier).status == 201
    yield started
    started.stop()


def test_a_community_admin_publishes_a_call_from_the_form(node: Node, page: Page) -> None:
    sign_up_in_browser(page, node)
    page.get_by_role("link", name="Crides: Fira maker del Poblenou").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crides de Fira maker del Poblenou")
    expect(page.locator(".admin-calls li")).to_have_count(1)
    expect(page.locator(".admin-calls .call-state")).to_have_text("Caducada")

    # A request, with a mistake: it ends before it opens
    page.get_by_label("Una petició: necessitem alguna cosa").check()
    page.locator("#title-ca").fill("Voluntàries d'impressió 3D per a la fira")
    page.locator("#description-ca").fill("Busquem dues persones per al 15 de desembre.\n\nGràcies!")
    page.locator("#field-concepts").get_by_role("searchbox").fill("impressio")
    page.locator("#field-concepts").get_by_role("checkbox", name="Impressió 3D").check()
    page.get_by_label("Quantitat").fill("2")
    page.locator('.place-map a.dm-area[data-code="68"]').click()
    page.locator("#validFrom-date").fill("2099-12-10")
    page.locator("#validUntil-date").fill("2099-12-01")
    page.get_by_role("button", name="Publica la crida").click()
    expect(page.locator("#error-validUntil")).to_contain_text("La crida acaba abans de començar")
    expect(page.locator("#validUntil-date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#title-ca")).to_have_value("Voluntàries d'impressió 3D per a la fira")
    expect(page.locator("#field-concepts").get_by_role("checkbox", name="Impressió 3D")).to_be_checked()
    check_page(page, "calls-form-errors")

    # Fixed and published
    page.locator("#validUntil-date").fill("2099-12-15")
    page.locator("#validUntil-time").fill("18:30")
    page.get_by_role("button", name="Publica la crida").click()
    expect(page.get_by_role("status")).to_contain_text("Crida publicada")
    expect(page.locator(".admin-calls li")).to_have_count(2)
    expect(page.locator(".admin-calls li").first.locator(".call-state")).to_have_text("Encara no ha començat")
    check_page(page, "calls")

    # Its edit form, filled in
    page.get_by_role("link", name="Edita: Voluntàries d'impressió 3D per a la fira").click()
    expect(page.locator("#validUntil-time")).to_have_value("18:30")
    expect(page.locator("#basedIn")).to_have_value("neighbourhood:68")
    check_page(page, "call-edit")

    # Deleting the expired call asks first
    page.goto(f"{node.base_url}/admin/projects/fira-maker/calls?lang=ca")
    page.get_by_role("link", name="Esborra: Taller obert els dimarts a la tarda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Esborrar la crida: Taller obert els dimarts a la tarda")
    check_page(page, "call-delete")
    page.get_by_role("button", name="Sí, esborra-ho").click()
    expect(page.get_by_role("status")).to_contain_text("Crida esborrada")
    expect(page.locator(".admin-calls li")).to_have_count(1)

    # Its public page
    page.goto(f"{node.base_url}/admin/projects/fira-maker/calls?lang=ca")
    page.get_by_role("link", name="Voluntàries d'impressió 3D per a la fira", exact=True).click()
    expect(page).to_have_url(re.compile(r"/calls/[a-z0-9]{12}\?lang=ca$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voluntàries d'impressió 3D per a la fira")
    # Its times as they were typed: Barcelona's day, and the time where one was given
    expect(page.locator(".profile-facts")).to_contain_text(re.compile(r"Des de\s+2099-12-10\s+Fins a"))
    expect(page.locator(".profile-facts")).to_contain_text(re.compile(r"Fins a\s+2099-12-15 18:30"))
    check_page(page, "call-public")
