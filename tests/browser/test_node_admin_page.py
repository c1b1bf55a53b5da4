"""The node admin page in Chromium, as a node admin uses it: set the node's name, upload a logo, block and
unblock a domain, add a peer and see its state, refuse an unreachable one in plain words; accessible
(axe-core) and without sideways scrolling at 1280 and 360 px."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.accounts import sign_up_in_browser
from tests.support.browser import check_page
from tests.support.nodes import Node, free_port, start_node

WIDTHS = [1280, 360]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("node-page") / "node", demo=True)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("node-page-peer") / "node", demo=True, host_name="localhost")
    yield started
    started.stop()


def _logo(path: Path) -> Path:
    image = Image.new("RGB", (120, 120), (255, 255, 255))
    for x in range(20, 100):
        for y in range(20, 100):
            image.putpixel((x, y), (176, 58, 46) if (x // 20 + y // 20) % 2 else (21, 101, 192))
    image.save(path, "PNG")
    return path


def test_a_node_admin_names_the_node_uploads_a_logo_blocks_a_domain_and_adds_a_peer(
    node: Node, peer: Node, page: Page, tmp_path: Path
) -> None:
    sign_up_in_browser(page, node)
    page.get_by_role("link", name="El node").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("El node")
    check_page(page, "node")

    page.get_by_role("group", name="En català").get_by_label("Nom").fill("Ateneu del Clot")
    page.get_by_role("group", name="En català").get_by_label("Descripció").fill("Fabricació digital al Clot.")
    page.get_by_role("group", name="En anglès").get_by_label("Nom").fill("Clot Fab Workshop")
    page.get_by_label("Logotip", exact=True).set_input_files(str(_logo(tmp_path / "logo.png")))
    page.get_by_role("button", name="Desa").click()
    expect(page.get_by_role("status")).to_have_text("S'han desat el nom, la descripció i el logotip.")
    expect(page.locator(".brand span")).to_have_text("Ateneu del Clot")
    expect(page.locator(".brand img")).to_have_attribute("src", re.compile(r"^/media/[0-9a-f]{64}\.png$"))
    expect(page.get_by_role("img", name="Logotip actual")).to_be_visible()

    page.get_by_role("group", name="En castellà").get_by_label("Nom").fill("n" * 100 + "x")  # maxlength holds it
    page.get_by_label("Logotip", exact=True).set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": b"not an image at all"}
    )
    page.get_by_role("button", name="Desa").click()
    expect(page.locator("#logo-error")).to_contain_text("no és una imatge PNG, JPEG, GIF o WebP sencera")
    expect(page.get_by_role("alert")).to_contain_text("Hi ha un problema")
    check_page(page, "node-logo-error")
    expect(page.locator(".brand span")).to_have_text("Ateneu del Clot")  # nothing changed

    page.get_by_label("Domini", exact=True).fill("spam.example")
    page.get_by_label("Motiu (opcional)").fill("correu brossa")
    page.get_by_role("button", name="Bloqueja").click()
    expect(page.get_by_role("status")).to_have_text("Domini bloquejat.")
    expect(page.locator(".blocked li")).to_contain_text("spam.example · correu brossa")

    page.get_by_label("Adreça del node").fill(f"http://127.0.0.1:{free_port()}")
    page.get_by_role("button", name="Connecta").click()
    expect(page.locator("#url-error")).to_have_text(
        "no s'ha pogut connectar amb el node: comproveu l'adreça o torneu-ho a provar més tard"
    )
    page.get_by_label("Adreça del node").fill(peer.base_url)
    page.get_by_role("button", name="Connecta").click()
    expect(page.get_by_role("status")).to_have_text("Node connectat: se n'estan recollint els perfils.")
    expect(page.locator(".peers li")).to_contain_text(peer.base_url)
    expect(page.locator(".peers li")).to_contain_text(re.compile(r"Estat: (al dia|posant-se al dia|esperant)"))
    expect(page.get_by_text(re.compile(r"El graf té [\d.,]+ afirmacions"))).to_be_visible()
    check_page(page, "node-filled")

    page.get_by_role("button", name="Desbloqueja: spam.example").click()
    expect(page.get_by_role("status")).to_have_text("Domini desbloquejat.")
    expect(page.get_by_text("No hi ha cap domini bloquejat.")).to_be_visible()
    page.get_by_label(re.compile("Ho entenc: el graf")).check()
    page.get_by_role("button", name="Refés el graf").click()
    expect(page.get_by_role("status")).to_have_text("El graf s'està refent.")
