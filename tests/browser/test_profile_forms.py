"""The profile forms in Chromium, as a community admin uses them: create an organisation and a project
with the concept pickers (filtered as one types), the place chosen on the map, a logo uploaded; the
project is then in the directory; the forms are accessible and fit 360 px; a mistake comes back beside
its field with nothing saved."""

import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.accounts import PASSWORD, sign_up_in_browser
from tests.support.browser import check_page
from tests.support.http import fetch
from tests.support.nodes import Node, start_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("profile-forms") / "node")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), (11, 86, 135)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_an_admin_creates_an_organisation_and_a_project_in_the_forms(node: Node, page: Page, logo: Path) -> None:
    sign_up_in_browser(page, node)
    page.get_by_role("link", name="Nova organització").click()
    check_page(page, "organisation-form")
    page.get_by_label("Adreça curta").fill("ateneu-sants")
    page.locator("#name-ca").fill("Ateneu de Fabricació de Sants")
    page.locator("#summary-ca").fill("Fabricació digital oberta al barri.\n\nTallers cada dijous.")
    page.get_by_role("checkbox", name="Societat civil").check()
    page.locator("#icon-file").set_input_files(str(logo))
    page.get_by_role("button", name="Crea l'organització").click()
    expect(page).to_have_url(re.compile(r"/admin/organisations/ateneu-sants\?lang=ca&saved=1$"))
    expect(page.get_by_role("status")).to_contain_text("Desat i publicat")
    expect(page.locator(".mc-handle")).to_have_text(re.compile(r"^@ateneu-sants@"))
    expect(page.locator(".current-icon")).to_be_visible()

    page.goto(f"{node.base_url}/admin/new/project?lang=ca")
    page.get_by_label("Adreça curta").fill("taller-sants")
    page.locator("#name-ca").fill("Taller obert de Sants")
    areas = page.locator("#field-areas")
    areas.get_by_role("searchbox").fill("fabricacio")  # accents and case do not matter
    expect(areas.get_by_role("checkbox", name="Fabricació digital")).to_be_visible()
    expect(areas.get_by_role("checkbox", name="Dades obertes")).to_be_hidden()
    areas.get_by_role("checkbox", name="Fabricació digital").check()
    page.locator("#field-offers").get_by_role("searchbox").fill("3d")
    page.locator("#field-offers").get_by_role("checkbox").first.check()
    page.locator('.place-map a.dm-area[data-code="18"]').click()
    expect(page.locator("#basedIn")).to_have_value("neighbourhood:18")
    expect(page.locator("#latitude")).not_to_have_value("")
    check_page(page, "project-form")
    page.get_by_role("button", name="Crea el projecte").click()
    expect(page).to_have_url(re.compile(r"/admin/projects/taller-sants\?lang=ca&saved=1$"))

    project = f"{node.base_url}/projects/taller-sants"
    deadline = time.monotonic() + 5  # within the graph sync's latency
    page.get_by_role("link", name="Esborra el projecte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Esborra el projecte")
    expect(page.locator(".address")).to_have_text(f"{node.base_url}/projects/taller-sants")
    check_page(page, "delete-confirmation")
    page.get_by_role("link", name="No, torna al formulari").click()
    found: list[str] = []
    while project not in found and time.monotonic() < deadline:
        found = [item["id"] for item in json.loads(fetch(f"{node.base_url}/api/directory?q=taller").body)["results"]]
        time.sleep(0.2)
    assert project in found
    actor = json.loads(fetch(project, headers={"Accept": "application/activity+json"}).body)
    assert actor["basedIn"] == "neighbourhood:18" and "area:digital-fabrication" in actor["areas"]
    assert 41.3 < actor["location"]["latitude"] < 41.5


def test_a_mistake_comes_back_beside_its_field_and_nothing_is_saved(node: Node, page: Page) -> None:
    _sign_up_or_in(page, node)
    page.goto(f"{node.base_url}/admin/new/project?lang=es")
    page.get_by_label("Dirección corta").fill("sin-nombre")
    page.locator("#website").fill("notaurl")
    page.get_by_role("button", name="Crear el proyecto").click()
    expect(page.get_by_role("alert").first).to_contain_text("No se ha guardado nada")
    expect(page.locator("#error-nameMap")).to_be_visible()
    expect(page.locator("#error-areas")).to_be_visible()
    expect(page.locator("#website")).to_have_value("notaurl")
    check_page(page, "project-form-errors")
    assert fetch(f"{node.base_url}/projects/sin-nombre", headers={"Accept": "application/activity+json"}).status == 404


def _sign_up_or_in(page: Page, node: Node) -> None:
    page.goto(f"{node.base_url}/signin?lang=ca")
    page.get_by_label("Correu").fill("coordinacio@ateneu.example")
    page.get_by_label("Contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Inicia la sessió").click()
    expect(page).to_have_url(re.compile(r"/admin"))
