"""Issue 12's acceptance, as a community admin goes through it in Chromium against real processes: node A
(where the admin works), node B (peered with A) and a Fedify user. Accept the invitation, create an
organisation and a project with the pickers, the map and a logo; the project is in A's directory and in
B's within 5 s; a Fedify follower of the project receives the Update when it is edited in the form, and
the post written on its posts page; a follow request from B is approved on the followers page; sign out."""

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.accounts import PASSWORD, sign_up_in_browser
from tests.support.fedify_peer import FedifyPeer, start_fedify_peer
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.peer

ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("journey")
    a = start_node(folder / "a", env=ENV)
    b = start_node(folder / "b", env=ENV)
    try:
        assert api(b.base_url, b.token, "POST", "/api/peers", {"url": a.base_url}).status == 202
        yield a, b
    finally:
        b.stop()
        a.stop()


@pytest.fixture(scope="module")
def fedify(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FedifyPeer]:
    started = start_fedify_peer(log_dir=tmp_path_factory.mktemp("journey-fedify"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("journey-images") / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (168, 54, 31)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _in_directory(node: Node, iri: str, text: str) -> bool:
    answer = json.loads(fetch(f"{node.base_url}/api/directory?q={text}").body)
    return iri in [item["id"] for item in answer["results"]]


def test_a_community_admin_publishes_a_project_that_federates(
    nodes: tuple[Node, Node], fedify: FedifyPeer, page: Page, logo: Path
) -> None:
    a, b = nodes
    # Given the first admin's invitation, accepted in the browser
    sign_up_in_browser(page, a, "coordinacio@ateneu-poblenou.example")

    # When they create an organisation with a logo, and a project with the pickers and the map
    page.get_by_role("link", name="Nova organització").click()
    page.get_by_label("Adreça curta").fill("ateneu-poblenou")
    page.locator("#name-ca").fill("Ateneu de Fabricació del Poblenou")
    page.get_by_role("checkbox", name="Societat civil").check()
    page.locator("#icon-file").set_input_files(str(logo))
    page.get_by_role("button", name="Crea l'organització").click()
    expect(page.get_by_role("status")).to_contain_text("Desat i publicat")

    page.goto(f"{a.base_url}/admin/new/project?lang=ca")
    page.get_by_label("Adreça curta").fill("robotica-poblenou")
    page.locator("#name-ca").fill("Robòtica veïnal del Poblenou")
    page.locator("#summary-ca").fill("Tallers de robòtica lliure per a joves del barri.")
    page.locator("#field-areas").get_by_role("searchbox").fill("fabrica")
    page.locator("#field-areas").get_by_role("checkbox", name="Fabricació digital").check()
    page.locator("#field-needs").get_by_role("searchbox").fill("financ")
    page.locator("#field-needs").get_by_role("checkbox").first.check()
    page.locator('.place-map a.dm-area[data-code="68"]').click()
    page.get_by_role("button", name="Crea el projecte").click()
    expect(page.get_by_role("status")).to_contain_text("Desat i publicat")
    project = f"{a.base_url}/projects/robotica-poblenou"

    # Then it is in this node's directory, and in the peer's within 5 s
    within(5, lambda: _in_directory(a, project, "robotica"), "the project in A's directory")
    within(5, lambda: _in_directory(b, project, "robotica"), "the project in B's directory")

    # Given a Fedify user who follows the project
    fedify.follow(project)
    fedify.wait_for_activity("Accept", actor=project)
    # When the admin renames it in the form, Then Fedify receives a verified Update with the new name
    page.goto(f"{a.base_url}/admin/projects/robotica-poblenou?lang=ca")
    page.locator("#name-ca").fill("Robòtica lliure del Poblenou")
    page.get_by_role("button", name="Desa i publica").click()
    expect(page.get_by_role("status")).to_contain_text("Desat i publicat")
    update = fedify.wait_for_activity("Update", actor=project)
    assert "Robòtica lliure del Poblenou" in json.dumps(update["body"], ensure_ascii=False)

    # When they write a post on the project's posts page, Then the Fedify follower receives it
    page.goto(f"{a.base_url}/admin?lang=ca")
    page.get_by_role("link", name="Publicacions: Robòtica lliure del Poblenou").click()
    page.get_by_label("Text", exact=True).fill("Dissabte **muntem** robots amb material reciclat.")
    page.get_by_role("button", name="Publica").click()
    expect(page.get_by_role("status")).to_contain_text("Publicat")
    create = fedify.wait_for_activity("Create", actor=project)
    assert "<strong>muntem</strong>" in json.dumps(create["object"], ensure_ascii=False)
    assert fedify.errors() == [], fedify.errors()

    # When the project approves followers by hand and a peer node's organisation asks to follow it
    page.goto(f"{a.base_url}/admin/projects/robotica-poblenou?lang=ca")
    page.get_by_label("Aprova els seguidors a mà").check()
    page.get_by_role("button", name="Desa i publica").click()
    expect(page.get_by_role("status")).to_contain_text("Desat i publicat")
    veins = {"nameMap": {"ca": "Veïns del Poblenou"}, "sectors": ["sector:civil-society"]}
    assert api(b.base_url, b.token, "PUT", "/api/organisations/veins", veins).status == 201
    asked = api(b.base_url, b.token, "POST", "/api/organisations/veins/following", {"target": project})
    assert asked.status == 202, asked.body
    follower = f"{b.base_url}/organisations/veins"
    requests = "/api/projects/robotica-poblenou/follow-requests"
    pending = lambda: [f["actor"] for f in api(a.base_url, a.token, "GET", requests).json()]  # noqa: E731
    within(15, lambda: follower in pending(), "the follow request on node A")
    # Then the admin approves it on the followers page, and the peer sees the follow accepted
    page.goto(f"{a.base_url}/admin/projects/robotica-poblenou/followers?lang=ca")
    page.get_by_role("button", name=f"Aprova: {follower}").click()
    expect(page.get_by_role("status")).to_contain_text("Sol·licitud aprovada")

    def state() -> str | None:
        rows = api(b.base_url, b.token, "GET", "/api/organisations/veins/following").json()
        return next((row["state"] for row in rows if row["actor"] == project), None)

    within(15, lambda: state() == "accepted", "the Accept on the peer node")

    # And signing out ends the session
    page.get_by_role("button", name="Tanca la sessió").first.click()
    expect(page).to_have_url(re.compile(r"/signin\?lang=ca$"))
    page.goto(f"{a.base_url}/admin?lang=ca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicia la sessió")
    # And signing in again leads back to the dashboard
    page.get_by_label("Correu").fill("coordinacio@ateneu-poblenou.example")
    page.get_by_label("Contrasenya").fill(PASSWORD)
    page.get_by_role("button", name="Inicia la sessió").click()
    expect(page.get_by_role("link", name="Robòtica lliure del Poblenou", exact=True)).to_be_visible()
