"""A demo node's calls in Chromium: the demo set publishes its calls at the first start; the public
challenge's page shows what it asks, its deadline and budget and who could help, with their reasons; a
project's "Answers and agreements" page lists the calls it could answer with a form to offer to collaborate;
both accessible (axe-core) and without sideways scrolling at 1280 and 360 px."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import sign_up_in_browser
from tests.support.browser import check_page
from tests.support.http import api
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("call-answer-pages") / "node", demo=True)
    yield started
    started.stop()


def _demo_call(node: Node, author: str) -> str:
    calls = api(node.base_url, node.token, "GET", f"/api/calls?profile={author}").json()
    assert len(calls) == 1, calls
    return str(calls[0]["id"])


def test_a_demo_challenge_shows_who_could_help(node: Node, page: Page) -> None:
    challenge = _demo_call(node, "reptes-compra-innovadora")
    page.goto(f"{challenge}?lang=ca")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Repte: informació de les parades")
    expect(page.locator(".profile-facts")).to_contain_text("30000 €")
    expect(page.locator(".profile-facts")).to_contain_text("Termini per respondre")
    # The demo project that offers IoT sensors is among those who could help, for that reason
    within(15, lambda: page.reload() or page.locator(".call-candidates li").count() > 0, "the candidates")
    helpers = page.locator(".call-candidates")
    expect(helpers.get_by_role("heading")).to_have_text("Qui podria ajudar")
    expect(helpers).to_contain_text("Aire Net a l'Escola")
    expect(helpers).to_contain_text("Sensors i IoT ← Sensors i IoT")
    check_page(page, "call-challenge")


def test_a_project_sees_the_calls_it_could_answer(node: Node, page: Page) -> None:
    sign_up_in_browser(page, node)
    page.goto(f"{node.base_url}/admin/projects/aire-net-a-escola/answers?lang=ca")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Respostes i acords")
    to_answer = page.locator("section", has=page.get_by_role("heading", name="Crides que podríeu respondre"))
    expect(to_answer).to_contain_text("Repte: informació de les parades")
    expect(to_answer.get_by_role("button").first).to_have_text("Ofereix col·laborar")
    check_page(page, "answers-admin")
