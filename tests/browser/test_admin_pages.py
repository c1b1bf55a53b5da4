"""The admin pages in Chromium, as a community admin uses them: the first admin's link, the dashboard, an
invitation, a personal token, signing out and in again; every one of them accessible (axe-core) and
without sideways scrolling at 1280 and 360 px."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import first_admin_link
from tests.support.browser import check_page
from tests.support.nodes import Node, start_node

PASSWORD = "una frase prou llarga"
WIDTHS = [1280, 360]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("admin-pages") / "node", demo=True)
    yield started
    started.stop()


def test_a_community_admin_signs_up_invites_makes_a_token_and_signs_out_and_in(node: Node, page: Page) -> None:
    answer = page.goto(first_admin_link(node) + "?lang=ca")
    assert answer is not None and answer.status == 200, node.log()[-3000:]  # an open invitation, not a spent one
    expect(page.get_by_role("heading", level=1)).to_have_text("Creeu el vostre compte")
    check_page(page, "invitation")
    page.get_by_label("Correu").fill("coordinacio@ateneu.example")
    page.get_by_label("Contrasenya nova").fill(PASSWORD)
    page.get_by_label("Repetiu la contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Crea el compte").click()
    expect(page).to_have_url(re.compile(r"/admin\?lang=ca$"))
    expect(page.get_by_text("Heu entrat com a coordinacio@ateneu.example")).to_be_visible()
    expect(page.locator(".managed li").first).to_be_visible()

    page.get_by_label("Correu").fill("editora@ateneu.example")
    page.get_by_label("Rol", exact=True).select_option("editor")
    page.get_by_label("Organització (per a un rol d'edició)").fill("ateneu-fabricacio-les-corts")
    page.get_by_role("button", name="Crea la invitació").click()
    expect(page.locator(".secret code")).to_contain_text("/invitation/")
    expect(page.locator("#accounts-heading + .table-wrap td").first).to_have_text("coordinacio@ateneu.example")
    check_page(page, "admin")

    page.get_by_role("link", name="El vostre compte").click()
    page.get_by_label("Nom del testimoni").fill("còpies de seguretat")
    page.get_by_role("button", name="Crea un testimoni").click()
    expect(page.locator(".secret code")).to_have_text(re.compile(r"^[\w-]{40,}$"))
    expect(page.get_by_role("button", name="Revoca: còpies de seguretat")).to_be_visible()
    check_page(page, "account")

    page.get_by_role("button", name="Tanca la sessió").first.click()
    expect(page).to_have_url(re.compile(r"/signin\?lang=ca$"))
    page.goto(f"{node.base_url}/admin?lang=ca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicia la sessió")
    page.get_by_label("Correu").fill("coordinacio@ateneu.example")
    page.get_by_label("Contrasenya").fill("no és la contrasenya")
    page.get_by_role("button", name="Inicia la sessió").click()
    expect(page.get_by_role("alert")).to_have_text("l'adreça o la contrasenya no són correctes")
    check_page(page, "signin")
    page.get_by_label("Contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Inicia la sessió").click()
    expect(page).to_have_url(re.compile(r"/admin\?lang=ca$"))
