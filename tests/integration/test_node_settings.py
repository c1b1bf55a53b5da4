"""The node's own name and description: a default until its admins set them through the API, then on every
page, in NodeInfo, and still there after a restart; a bad document is refused whole and changes nothing."""

import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, fetch
from tests.support.nodes import Node

IDENTITY = {
    "nameMap": {"ca": "Ateneu de Fabricació de Les Corts", "es": "Ateneo de Fabricación de Les Corts"},
    "summaryMap": {
        "ca": "Fabricació digital oberta al barri: tallers, <b>impressió 3D</b> i projectes veïnals.",
        "en": "Open digital fabrication in the neighbourhood: workshops, 3D printing and local projects.",
    },
}


def _page(node: Node, path: str, language: str) -> str:
    separator = "&" if "?" in path else "?"
    return fetch(f"{node.base_url}{path}{separator}lang={language}", headers={"Accept": "text/html"}).body.decode()


def _heading(page: str) -> str:
    match = re.search(r'<h1 id="home-title">(.*?)</h1>', page)
    assert match, page[:500]
    return match.group(1)


def test_a_node_shows_its_default_name_until_its_admins_set_one(node_factory: Callable[..., Node]) -> None:
    node = node_factory()
    empty = {"nameMap": {}, "summaryMap": {}, "icon": None}
    assert json.loads(fetch(f"{node.base_url}/api/settings").body) == empty
    assert _heading(_page(node, "/", "ca")) == f"Node dsi4bcn {node.base_url.split('//')[1]}"
    nodeinfo = json.loads(fetch(f"{node.base_url}/nodeinfo/2.1").body)
    assert nodeinfo["metadata"]["nodeName"].startswith("dsi4bcn ")
    assert "nodeDescription" not in nodeinfo["metadata"]


def test_the_name_and_description_set_show_on_every_page_and_survive_a_restart(
    node_factory: Callable[..., Node],
) -> None:
    node = node_factory()
    # When the admins set the node's identity
    answer = api(node.base_url, node.token, "PUT", "/api/settings", IDENTITY)
    assert answer.status == 200, answer.body
    assert answer.json() == {**IDENTITY, "icon": None}
    # Then the home page names the node in the visitor's language, with its description as text
    home = _page(node, "/", "ca")
    assert _heading(home) == "Ateneu de Fabricació de Les Corts"
    assert "tallers, &lt;b&gt;impressió 3D&lt;/b&gt; i projectes" in home
    assert "<title>Ateneu de Fabricació de Les Corts</title>" in home
    # A language it has no text in falls back to one it has
    english = _page(node, "/", "en")
    assert _heading(english) == "Ateneu de Fabricació de Les Corts"
    assert "Open digital fabrication in the neighbourhood" in english
    # Every page's header and title carry the name
    for path in ("/directory", "/stats", "/ns", "/no-such-page"):
        page = _page(node, path, "es")
        assert "<span>Ateneo de Fabricación de Les Corts</span>" in page, path
        assert re.search(r"<title>[^<]*Ateneo de Fabricación de Les Corts</title>", page), path
    nodeinfo = json.loads(fetch(f"{node.base_url}/nodeinfo/2.1").body)["metadata"]
    assert nodeinfo["nodeName"] == "Ateneu de Fabricació de Les Corts"  # the node's language: Catalan
    assert nodeinfo["nodeDescription"].startswith("Fabricació digital oberta")
    # And after a restart nothing is lost
    node.restart()
    assert json.loads(fetch(f"{node.base_url}/api/settings").body) == {**IDENTITY, "icon": None}
    assert _heading(_page(node, "/", "ca")) == "Ateneu de Fabricació de Les Corts"


def test_a_bad_settings_document_is_refused_whole_and_changes_nothing(node_factory: Callable[..., Node]) -> None:
    node = node_factory()
    assert api(node.base_url, node.token, "PUT", "/api/settings", IDENTITY).status == 200
    refusals = [
        (None, IDENTITY, 401),
        ("wrong-token", IDENTITY, 401),
        (node.token, ["not", "an", "object"], 400),
        (node.token, {"nameMap": {"ca": "x" * 101}}, 422),
        (node.token, {"nameMap": {"ca": "   "}}, 422),
        (node.token, {"nameMap": {"not a language": "Nom"}}, 422),
        (node.token, {"nameMap": "Nom sense idioma"}, 422),
        (node.token, {"nameMap": {"ca": "Nou nom"}, "logo": "https://elsewhere.example/logo.png"}, 422),
    ]
    for token, document, status in refusals:
        answer = api(node.base_url, token, "PUT", "/api/settings", document)
        assert answer.status == status, (document, answer.body)
        body = answer.json()
        assert body["code"] and body["error"], body
    unknown = api(node.base_url, node.token, "PUT", "/api/settings", {"nameMap": {"ca": "Nou"}, "logo": "x"}).json()
    assert [problem["field"] for problem in unknown["problems"]] == ["logo"]
    assert "logo" in unknown["problems"][0]["message"]
    malformed = api(node.base_url, node.token, "PUT", "/api/settings", raw=b'{"nameMap": ')
    assert malformed.status == 400 and malformed.json()["code"] == "malformed_json"
    assert json.loads(fetch(f"{node.base_url}/api/settings").body) == {**IDENTITY, "icon": None}
    assert _heading(_page(node, "/", "ca")) == "Ateneu de Fabricació de Les Corts"


def test_the_command_line_shows_and_replaces_the_settings(node_factory: Callable[..., Node], tmp_path: Path) -> None:
    node = node_factory()
    settings = tmp_path / "node.yaml"
    settings.write_text("nameMap:\n  ca: Xarxa de Sants\nsummaryMap:\n  en: Sants' network node\n", encoding="utf-8")
    assert _cli(node, "settings", "put", str(settings)).returncode == 0
    shown = _cli(node, "settings", "show")
    assert shown.returncode == 0
    expected = {"nameMap": {"ca": "Xarxa de Sants"}, "summaryMap": {"en": "Sants' network node"}, "icon": None}
    assert json.loads(shown.stdout) == expected
    settings.write_text("nameMap: {ca: Xarxa}\nlogo: somewhere\n", encoding="utf-8")
    refused = _cli(node, "settings", "put", str(settings))
    assert refused.returncode == 1 and "HTTP 422" in refused.stderr and "logo" in refused.stderr
    assert json.loads(_cli(node, "settings", "show").stdout)["nameMap"] == {"ca": "Xarxa de Sants"}


def _cli(node: Node, *args: str) -> subprocess.CompletedProcess[str]:
    return run_dsi4bcn([*args, "--url", node.base_url, "--token", node.token])


def _png() -> bytes:
    image = Image.new("RGB", (120, 60), (20, 90, 110))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_logo_is_an_image_uploaded_to_the_node(node_factory: Callable[..., Node]) -> None:
    node = node_factory()
    uploaded = api(node.base_url, node.token, "POST", "/api/media", raw=_png(), content_type="image/png")
    assert uploaded.status == 201, uploaded.body
    logo = uploaded.json()["url"]
    # A logo elsewhere, or one this node does not hold, is refused and changes nothing
    unheld = f"{node.base_url}/media/{'0' * 64}.png"
    for icon in ("https://elsewhere.example/logo.png", unheld):
        refused = api(node.base_url, node.token, "PUT", "/api/settings", {**IDENTITY, "icon": icon})
        assert refused.status == 422 and refused.json()["problems"][0]["code"] == "logo_not_local", refused.body
    assert json.loads(fetch(f"{node.base_url}/api/settings").body)["icon"] is None
    # The node's own image is taken, and shown in the header, the home page and as the icon of every page
    answer = api(node.base_url, node.token, "PUT", "/api/settings", {**IDENTITY, "icon": logo})
    assert answer.status == 200 and answer.json()["icon"] == logo
    path = logo.removeprefix(node.base_url)
    for page in (_page(node, "/", "ca"), _page(node, "/directory", "en")):
        assert f'<link rel="icon" href="{path}">' in page
        assert '<a class="brand" href="/?lang=' in page and f'<img src="{path}" alt="" width="32"' in page
    assert f'<img class="home-logo" src="{path}" alt="" width="120" height="60">' in _page(node, "/", "es")
    node.restart()
    assert f'<img class="home-logo" src="{path}"' in _page(node, "/", "es")
