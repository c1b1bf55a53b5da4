"""A visitor reads the whole network in Chromium over two peered node processes: node A (the demo data)
aggregates node B (a Gràcia workshop whose projects offer and need 3D printing). Search in three languages,
facets that narrow with their counts, the map, the back button, a concept's needers and offerers, an
aggregated profile's page with its origin, and the follow button on the original."""

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import CHROMIUM_ARGS, SharedTab, axe_violations, chromium_path, sideways_overflow
from tests.support.twonodes import TwoNodes, directory, two_nodes
from tests.support.webfinger_server import webfinger_server

pytestmark = pytest.mark.network
APPLY = "Apply filters"


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoNodes]:
    with two_nodes(tmp_path_factory.mktemp("visitor")) as nodes:
        yield nodes


def _ids(page: Page) -> list[str]:
    return [
        value or "" for value in page.locator("li.result").evaluate_all("(items) => items.map((i) => i.dataset.id)")
    ]


def _facets(page: Page) -> dict[str, dict[str, int]]:
    """The facet counts the page shows: {facet: {key: count}}."""
    found: dict[str, dict[str, int]] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("details.facet")].map((d) => [
            d.dataset.facet,
            Object.fromEntries([...d.querySelectorAll(".count")].map((c) => [c.dataset.key, Number(c.textContent)])),
        ]))"""
    )
    return found


def _checked(page: Page) -> set[str]:
    """The ticked facet checkboxes as ``facet=key``."""
    return set(
        page.locator("details.facet input:checked").evaluate_all("(boxes) => boxes.map((b) => b.name + '=' + b.value)")
    )


def _agrees_with_the_api(page: Page, network: TwoNodes) -> dict:
    """Check that the results, total and facet counts on the page are those of /api/directory for the page's
    own query; return the API's answer."""
    page.wait_for_load_state("domcontentloaded")  # after a navigation, the whole new page
    data = directory(network.a, urlsplit(page.url).query)
    assert _ids(page) == [result["id"] for result in data["results"]], page.url
    expect(page.locator("#directory-total")).to_have_attribute("data-total", str(data["total"]))
    assert _facets(page) == {
        facet: {value["key"]: value["count"] for value in values} for facet, values in data["facets"].items() if values
    }
    return data


def _tick(page: Page, facet: str, key: str) -> int:
    """Tick one facet value, apply, and return the count the page showed beside it before."""
    box = page.locator(f'details[data-facet="{facet}"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    count = int(box.locator(f'.count[data-key="{key}"]').inner_text())
    box.locator(f'input[value="{key}"]').check()
    page.get_by_role("button", name=APPLY).click()
    expect(page).to_have_url(re.compile(rf"[?&]{facet}={re.escape(quote(key, safe=''))}(&|$)"))
    return count


@pytest.mark.parametrize("text", ["impressió 3D", "3d printing", "impresion"])
def test_a_search_in_any_language_finds_both_nodes_3d_printing_projects(
    network: TwoNodes, page: Page, text: str
) -> None:
    page.goto(f"{network.a.base_url}/directory?lang=en")
    page.get_by_label("Name or description").fill(text)
    page.get_by_label("Name or description").press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == [text]
    page.wait_for_load_state("domcontentloaded")
    ids = _ids(page)
    theirs, ours = network.theirs("projects/impressores"), network.ours("projects/reparem-al-barri")
    assert {theirs, ours} <= set(ids), ids
    # each result says where it comes from
    expect(page.locator(f'li.result[data-id="{theirs}"] .source')).to_have_text(f"From {network.b_host}")
    expect(page.locator(f'li.result[data-id="{ours}"] .source')).to_have_text("this node")
    _agrees_with_the_api(page, network)


def test_a_district_and_then_a_skill_narrow_the_results_and_the_counts(network: TwoNodes, page: Page) -> None:
    page.goto(f"{network.a.base_url}/directory?lang=en")
    everything = _agrees_with_the_api(page, network)
    # When the visitor ticks Gràcia, the total becomes the count shown beside it, from both nodes
    gracia = _tick(page, "district", "6")
    in_gracia = _agrees_with_the_api(page, network)
    assert in_gracia["total"] == gracia < everything["total"]
    assert {result["source"]["node"] for result in in_gracia["results"]} == {network.a_host, network.b_host}
    assert _facets(page)["district"]["6"] == gracia
    assert sum(_facets(page)["source"].values()) == gracia
    districts = _facets(page)["district"]
    # And then 3D printing offered: fewer again, only B's printing project in Gràcia offers it
    printing = _tick(page, "offers", "3d-printing")
    narrowed = _agrees_with_the_api(page, network)
    assert narrowed["total"] == printing < gracia
    assert _ids(page) == [network.theirs("projects/impressores")]
    assert sum(_facets(page)["source"].values()) == printing
    # the districts' counts now follow the skill (each district's own filter left out, as in any facet)
    narrowed_districts = _facets(page)["district"]
    assert narrowed_districts["6"] == printing
    assert all(count <= districts[key] for key, count in narrowed_districts.items())
    assert sum(narrowed_districts.values()) < sum(districts.values())
    assert _checked(page) == {"district=6", "offers=3d-printing"}


def test_the_back_button_restores_the_text_the_facets_and_the_results(network: TwoNodes, page: Page) -> None:
    def state() -> tuple[str, set[str], list[str]]:
        page.wait_for_load_state("domcontentloaded")
        return page.get_by_label("Name or description").input_value(), _checked(page), _ids(page)

    page.goto(f"{network.a.base_url}/directory?lang=en")
    page.get_by_label("Name or description").fill("taller")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=taller"))
    searched = state()
    _tick(page, "district", "10")
    in_district = state()
    _tick(page, "kind", "organisation")
    narrowed = state()
    assert searched[1] == set() and in_district[1] == {"district=10"}
    assert narrowed[1] == {"district=10", "kind=organisation"}
    assert len(searched[2]) > len(in_district[2]) > len(narrowed[2]) > 0
    page.go_back()
    expect(page).to_have_url(re.compile(r"district=10$"))
    assert state() == in_district
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=taller(&sort=\w+)?$"))
    assert state() == searched
    page.go_forward()
    expect(page).to_have_url(re.compile(r"district=10$"))
    assert state() == in_district


def test_choosing_a_neighbourhood_on_the_map_filters_by_click_and_by_keyboard(network: TwoNodes, page: Page) -> None:
    page.goto(f"{network.a.base_url}/directory?lang=en")
    # A click on la Salut, where only B's printing project is
    salut = page.locator("a.dm-area[data-code='30']")
    expect(salut).to_have_attribute("aria-label", "la Salut: 1 result")
    salut.click()
    expect(page).to_have_url(re.compile(r"[?&]neighbourhood=30(&|$)"))
    _agrees_with_the_api(page, network)
    assert _ids(page) == [network.theirs("projects/impressores")]
    expect(page.locator(f'.dm-points a[href="{network.theirs("projects/impressores")}"]')).to_have_count(1)
    # Enter on el Poblenou, where A's workshop and B's prosthetics project are
    page.goto(f"{network.a.base_url}/directory?lang=en")
    poblenou = page.locator("a.dm-area[data-code='68']")
    shown = int((poblenou.get_attribute("aria-label") or "").rsplit(": ", 1)[1].split()[0])
    poblenou.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]neighbourhood=68(&|$)"))
    data = _agrees_with_the_api(page, network)
    assert data["total"] == shown
    assert {network.theirs("projects/protesis-obertes"), network.ours("projects/reparem-al-barri")} <= set(_ids(page))
    # The chosen neighbourhood is marked on the map and its box is ticked
    expect(page.locator("a.dm-area[data-code='68']")).to_have_attribute("aria-current", "true")
    assert _checked(page) == {"neighbourhood=68"}


def test_a_skills_page_lists_its_needers_and_offerers_from_both_nodes(network: TwoNodes, page: Page) -> None:
    page.goto(f"{network.a.base_url}/concepts/skill/3d-printing?lang=en")
    expect(page.locator("main h1")).to_have_text("3D printing")
    needs, offers = page.locator("section.concept-use-needs"), page.locator("section.concept-use-offers")
    for section, facet in ((needs, "needs"), (offers, "offers")):
        total = directory(network.a, {facet: "3d-printing"})["total"]
        expect(section.locator(".concept-count")).to_have_text(f"({total} profiles)")
    prosthetics = needs.locator("li", has=page.get_by_role("link", name="Open Prosthetics"))
    expect(prosthetics.locator(".concept-source")).to_have_text(f"From {network.b_host}")
    printers = offers.locator("li", has=page.get_by_role("link", name="Printers in the Street"))
    expect(printers.locator(".concept-source")).to_have_text(f"From {network.b_host}")
    repair = offers.locator("li", has=page.get_by_role("link", name="Repair in the Neighbourhood"))
    expect(repair.locator(".concept-source")).to_have_text("this node")
    expect(needs.get_by_role("link", name="Printers in the Street")).to_have_count(0)
    expect(offers.get_by_role("link", name="Open Prosthetics")).to_have_count(0)


def test_an_aggregated_profile_says_where_it_comes_from_and_its_original_can_be_followed(
    network: TwoNodes, page: Page
) -> None:
    # Given the aggregated printing project, reached from its skill's page on A
    page.goto(f"{network.a.base_url}/concepts/skill/3d-printing?lang=en")
    page.locator("section.concept-use-offers").get_by_role("link", name="Printers in the Street").click()
    theirs = network.theirs("projects/impressores")
    expect(page).to_have_url(f"{network.a.base_url}/network/profile?{urlencode({'id': theirs, 'lang': 'en'})}")
    expect(page.locator("main h1")).to_have_text("Printers in the Street")
    # Then its page names B as its source and links to the original
    origin = page.locator(".received-origin")
    expect(origin).to_contain_text(f"Profile received from the node {network.b_host}")
    expect(origin.locator("strong")).to_have_text(network.b_host)
    expect(page.get_by_role("link", name="3D printing")).to_have_attribute(
        "href", "/concepts/skill/3d-printing?lang=en"
    )
    original = origin.get_by_role("link", name="see the original")
    expect(original).to_have_attribute("href", f"{network.b.base_url}/@impressores")
    original.click()
    # And on B, the original's follow button leads to the visitor's own server's subscribe page
    expect(page.locator("main h1")).to_have_text(re.compile("^(Impressores al Carrer|Printers in the Street)$"))
    assert page.url.startswith(f"{network.b.base_url}/@impressores")
    with webfinger_server() as server:
        page.locator("form.remote-follow input[name=handle]").fill(f"alice@{server.host}")
        page.locator("form.remote-follow button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Confirm the follow")
        assert page.url == f"{server.subscribe_page}?uri={quote(theirs, safe='')}"
        assert server.subscribed == [theirs]


def test_a_local_projects_follow_button_leads_to_the_subscribe_page(network: TwoNodes, page: Page) -> None:
    ours = network.ours("projects/reparem-al-barri")
    with webfinger_server() as server:
        page.goto(f"{network.a.base_url}/projects/reparem-al-barri?lang=es")
        page.get_by_label("Sigue desde tu cuenta del fediverso").fill(f"@alice@{server.host}")
        page.get_by_role("button", name="Seguir").click()
        expect(page.locator("h1")).to_have_text("Confirm the follow")
        assert page.url == f"{server.subscribe_page}?uri={quote(ours, safe='')}"
        assert server.subscribed == [ours]


def test_an_aggregated_profiles_own_page_here_has_a_follow_button_for_the_original(
    network: TwoNodes, page: Page
) -> None:
    theirs = network.theirs("projects/impressores")
    with webfinger_server() as server:
        page.goto(f"{network.a.base_url}/network/profile?{urlencode({'id': theirs, 'lang': 'ca'})}")
        page.locator("form.remote-follow input[name=handle]").fill(f"alice@{server.host}")
        page.locator("form.remote-follow button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Confirm the follow")
        assert page.url == f"{server.subscribe_page}?uri={quote(theirs, safe='')}"
        assert server.subscribed == [theirs]
        # An actor the node neither has nor aggregates is no one to follow from here
        stranger = "https://elsewhere.example/users/someone"
        page.goto(f"{network.a.base_url}/follow?{urlencode({'actor': stranger, 'handle': f'alice@{server.host}'})}")
        expect(page.locator("main h1")).to_be_visible()
        assert server.subscribed == [theirs]
    answer = page.request.get(f"{network.a.base_url}/follow?{urlencode({'actor': theirs + 'x', 'handle': 'a@b.c'})}")
    assert answer.status == 404


# Every page type over the two nodes' data: (name, path, status); ``{b}`` is B's base URL.
PAGES = [
    ("home", "/?lang=ca", 200),
    ("directory", "/directory?lang=es", 200),
    ("directory-filtered", "/directory?lang=en&q=3d&district=6&district=10&kind=project", 200),
    ("directory-neighbourhood", "/directory?lang=ca&neighbourhood=68&sort=updated", 200),
    ("organisation", "/@taller-comunitari-poblenou?lang=en", 200),
    ("project", "/projects/reparem-al-barri?lang=ca", 200),
    ("aggregated-project", "/network/profile?id={b}/projects/impressores&lang=es", 200),
    ("aggregated-organisation", "/network/profile?id={b}/organisations/fabrica-oberta&lang=ca", 200),
    ("partners-of-aggregated", "/partners?project={b}/projects/protesis-obertes&lang=en", 200),
    ("concept-skill", "/concepts/skill/3d-printing?lang=es", 200),
    ("concept-neighbourhood", "/concepts/neighbourhood/68?lang=en", 200),
    ("stats", "/stats?lang=en", 200),
    ("tag", "/tags/digital-fabrication?lang=ca", 200),
    ("not-found", "/no-such-page?lang=es", 404),
    ("aggregated-not-found", "/network/profile?id={b}/projects/nobody&lang=en", 404),
    ("directory-bad", "/directory?lang=es&page=-1", 400),
]


@pytest.mark.parametrize(("name", "path", "status"), PAGES, ids=[name for name, _, _ in PAGES])
def test_every_page_type_is_accessible_fits_360_px_and_loads_from_this_node_only(
    network: TwoNodes, reading_tab: SharedTab, name: str, path: str, status: int
) -> None:
    page = reading_tab.page
    page.set_viewport_size({"width": 360, "height": 800})
    answer = page.goto(network.a.base_url + path.replace("{b}", quote(network.b.base_url, safe="")))
    assert answer is not None and answer.status == status, name
    expect(page.locator("main h1")).to_be_visible()
    assert page.locator("header, nav, main, footer").count() >= 4
    assert sideways_overflow(page) is None, sideways_overflow(page)
    assert axe_violations(page) == []
    # and on a wide screen (axe-core already runs on every page type at 1280 px over one node's data)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert sideways_overflow(page) is None, sideways_overflow(page)
    # the visitor's browser talks to this node only, never to the peer whose profiles it shows
    assert reading_tab.hosts == {network.a_host}


def test_the_home_page_and_the_statistics_count_both_nodes(network: TwoNodes, page: Page) -> None:
    page.goto(f"{network.a.base_url}/?lang=en")
    numbers = page.locator(".home-numbers li")
    organisations = directory(network.a, {"kind": "organisation"})["total"]
    projects = directory(network.a, {"kind": "project"})["total"]
    expect(numbers.nth(0).locator("strong")).to_have_text(str(organisations))
    expect(numbers.nth(1).locator("strong")).to_have_text(str(projects))
    expect(numbers.nth(2).locator("strong")).to_have_text("2")
    assert directory(network.a, {"kind": "organisation", "source": network.b_host})["total"] == 1
    # the map's la Salut has B's project only; the statistics list B as a source of its three profiles
    expect(page.locator(".home-map a.dm-area[data-code='30']")).to_have_attribute("aria-label", "la Salut: 1 result")
    page.goto(f"{network.a.base_url}/stats?lang=en")
    expect(page.locator("#stats-source tbody tr", has_text=network.b_host).locator("td")).to_have_text("3")


def test_a_tag_page_lists_the_networks_projects_in_the_area(network: TwoNodes, page: Page) -> None:
    page.goto(f"{network.a.base_url}/tags/digital-fabrication?lang=en")
    expect(page.get_by_role("link", name="Repair in the Neighbourhood")).to_be_visible()
    page.get_by_role("link", name="Printers in the Street").click()
    theirs = network.theirs("projects/impressores")
    expect(page).to_have_url(f"{network.a.base_url}/network/profile?{urlencode({'id': theirs, 'lang': 'en'})}")
    expect(page.locator(".received-origin strong")).to_have_text(network.b_host)


def test_back_from_the_back_forward_cache_shows_the_urls_state(network: TwoNodes, browser: Browser) -> None:
    # Playwright turns the back-forward cache off; a visitor's Chromium keeps it on
    cached = browser.browser_type.launch(
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    try:
        page = cached.new_page()
        page.goto(f"{network.a.base_url}/directory?lang=en&district=6")
        before = _checked(page), _ids(page)
        page.evaluate("window.leftBehind = true")
        _tick(page, "kind", "project")
        page.go_back(wait_until="commit")  # a page from the cache has no new load event
        expect(page).to_have_url(re.compile(r"district=6$"))
        assert page.evaluate("window.leftBehind === true"), "the page did not come from the back-forward cache"
        assert (_checked(page), _ids(page)) == before
    finally:
        cached.close()


def test_the_facets_and_the_sort_work_from_the_keyboard(network: TwoNodes, page: Page) -> None:
    # Given the directory, where the visitor closes and opens the districts with Enter and ticks Sant Martí with Space
    page.goto(f"{network.a.base_url}/directory?lang=en&q=poblenou")
    districts = page.locator('details[data-facet="district"]')
    expect(districts).to_have_attribute("open", "")  # open: few districts have results
    districts.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(districts.locator('input[value="10"]')).to_be_hidden()
    page.keyboard.press("Enter")
    expect(districts.locator('input[value="10"]')).to_be_visible()
    districts.locator('input[value="10"]').focus()
    page.keyboard.press("Space")
    expect(districts.locator('input[value="10"]')).to_be_checked()
    # And sorts by the latest update with the arrow keys, then sends the form with Enter from the text box
    page.get_by_label("Sort by").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.get_by_label("Name or description").press("Enter")
    expect(page).to_have_url(re.compile(r"sort=updated"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["district"] == ["10"] and query["q"] == ["poblenou"] and query["sort"] == ["updated"]
    # Then B's prosthetics project, written after the demo data, comes first among the node's own
    _agrees_with_the_api(page, network)
    ids = _ids(page)
    assert ids[0] == network.theirs("projects/protesis-obertes")
    assert network.ours("projects/reparem-al-barri") in ids[1:]


def test_an_aggregated_project_leads_to_its_organisation_which_lists_its_projects(
    network: TwoNodes, page: Page
) -> None:
    page.goto(f"{network.a.base_url}/directory?lang=en")  # remembers English
    page.goto(f"{network.a.base_url}/network/profile?id={quote(network.theirs('projects/impressores'), safe='')}")
    page.locator(".parent").get_by_role("link", name="Gràcia Open Factory").click()
    organisation = network.theirs("organisations/fabrica-oberta")
    expect(page).to_have_url(f"{network.a.base_url}/network/profile?{urlencode({'id': organisation, 'lang': 'en'})}")
    expect(page.locator("main h1")).to_have_text("Gràcia Open Factory")
    projects = page.locator("section.profile-projects li")
    expect(projects).to_have_text(["Open Prosthetics", "Printers in the Street"])
    projects.get_by_role("link", name="Open Prosthetics").click()
    expect(page.locator("main h1")).to_have_text("Open Prosthetics")
    expect(page.locator(".received-origin strong")).to_have_text(network.b_host)
