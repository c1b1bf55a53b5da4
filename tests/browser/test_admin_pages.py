"""The admin pages in Chromium, as a community admin uses them: the first admin's link, the dashboard, an
invitation, a personal token, signing out and in again; every one of them accessible (axe-core) and
without sideways scrolling at 1280 and 360 px."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import first_admin_link
from tests.support.browser import axe_violations, sideways_overflow
from tests.support.nodes import Node, start_node

PASSWORD = "una frase prou llarga"
WIDTHS = [1280, 360]
SHOTS = os.environ.get("DSI4BCN_ADMIN_SHOTS")  # a folder to save screenshots in, to look at them


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("admin-pages") / "node", demo=True)
    yield started
    started.stop()


def _check(page: Page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert sideways_overflow(page) is None, (name, width, sideways_overflow(page))
        assert axe_violations(page) == [], (name, width)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_community_admin_signs_up_invites_makes_a_token_and_signs_out_and_in(node: Node, page: Page) -> None:
    page.goto(first_admin_link(node) + "?lang=ca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Creeu el vostre compte")
    _check(page, "invitation")
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
    _check(page, "admin")

    page.get_by_role("link", name="El vostre compte").click()
    page.get_by_label("Nom del testimoni").fill("còpies de seguretat")
    page.get_by_role("button", name="Crea un testimoni").click()
    expect(page.locator(".secret code")).to_have_text(re.compile(r"^[\w-]{40,}$"))
    expect(page.get_by_role("button", name="Revoca: còpies de seguretat")).to_be_visible()
    _check(page, "account")

    page.get_by_role("button", name="Tanca la sessió").first.click()
    expect(page).to_have_url(re.compile(r"/signin\?lang=ca$"))
    page.goto(f"{node.base_url}/admin?lang=ca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicia la sessió")
    page.get_by_label("Correu").fill("coordinacio@ateneu.example")
    page.get_by_label("Contrasenya").fill("no és la contrasenya")
    page.get_by_role("button", name="Inicia la sessió").click()
    expect(page.get_by_role("alert")).to_have_text("l'adreça o la contrasenya no són correctes")
    _check(page, "signin")
    page.get_by_label("Contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Inicia la sessió").click()
    expect(page).to_have_url(re.compile(r"/admin\?lang=ca$"))
