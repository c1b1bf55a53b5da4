"""The profile forms against a real node process: an editor cannot open or change another organisation's
profile through them, a form without its CSRF token changes nothing, script typed into any text field
stays text on every page, and refused uploads say why and store nothing."""

import io
import sqlite3
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.support.accounts import accept_invitation, first_admin
from tests.support.formclient import FormClient, csrf_of
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node

ORGANISATION = {
    "type": "Organization",
    "nameMap": {"ca": "Ateneu B"},
    "sectors": ["sector:civil-society"],
}
SCRIPT = "<script>alert('x')</script>"
IMAGE_TAG = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("profile-forms") / "node")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def admin(node: Node) -> FormClient:
    return first_admin(node)


@pytest.fixture(scope="module")
def editor(node: Node, admin: FormClient) -> FormClient:
    """The editor of ateneu-a (which exists, like ateneu-b)."""
    for slug in ("ateneu-a", "ateneu-b"):
        document = {**ORGANISATION, "nameMap": {"ca": slug}}
        assert api(node.base_url, node.token, "PUT", f"/api/organisations/{slug}", document).status == 201
    made = api(
        node.base_url,
        node.token,
        "POST",
        "/api/accounts",
        {"email": "editor@a.example", "role": "editor", "organisation": "ateneu-a"},
    )
    return accept_invitation(node, made.json()["invitation"], "editor@a.example")


def _media_rows(node: Node) -> int:
    with sqlite3.connect(f"file:{node.database}?mode=ro", uri=True) as connection:
        return int(connection.execute("SELECT count(*) FROM media").fetchone()[0])


def _project_fields(csrf: str, slug: str, organisation: str, **extra: str) -> dict[str, str]:
    return {
        "csrf": csrf,
        "slug": slug,
        "organisation": organisation,
        "nameMap.ca": "Taller",
        "areas": "area:maker",
        "discoverable": "on",
        "indexable": "on",
        **extra,
    }


def test_an_editor_cannot_open_or_change_another_organisations_profile(node: Node, editor: FormClient) -> None:
    assert editor.get("/admin/organisations/ateneu-a?lang=en").status == 200
    assert editor.get("/admin/organisations/ateneu-b?lang=en").status == 403
    csrf = csrf_of(editor.get("/admin/organisations/ateneu-a?lang=en").body)
    changed = editor.post(
        "/admin/organisations/ateneu-b?lang=en",
        {"csrf": csrf, "nameMap.ca": "Taken over", "sectors": "sector:industry"},
    )
    assert changed.status == 403
    names = api(node.base_url, node.token, "GET", "/api/organisations/ateneu-b").json()["nameMap"]
    assert names == {"ca": "ateneu-b"}
    forged = editor.post("/admin/new/project?lang=en", _project_fields(csrf, "intrus", "ateneu-b"))
    assert forged.status == 403
    assert api(node.base_url, node.token, "GET", "/api/projects/intrus").status == 404
    mine = editor.post("/admin/new/project?lang=en", _project_fields(csrf, "taller-a", "ateneu-a"))
    assert mine.status == 303
    assert api(node.base_url, node.token, "GET", "/api/projects/taller-a").json()["nameMap"] == {"ca": "Taller"}


def test_a_form_without_its_csrf_token_or_from_another_site_changes_nothing(node: Node, admin: FormClient) -> None:
    fields = {"nameMap.ca": "Changed", "sectors": "sector:industry"}
    assert admin.post("/admin/organisations/ateneu-b?lang=en", fields).status == 403
    csrf = csrf_of(admin.get("/admin/organisations/ateneu-b?lang=en").body)
    other = admin.post("/admin/organisations/ateneu-b", {**fields, "csrf": csrf}, Origin="http://evil.example")
    assert other.status == 403
    assert admin.post("/admin/organisations/ateneu-b/delete", {"csrf": "nope"}).status == 403
    names = api(node.base_url, node.token, "GET", "/api/organisations/ateneu-b").json()["nameMap"]
    assert names == {"ca": "ateneu-b"}


def test_script_typed_into_the_texts_stays_text_on_every_page(node: Node, admin: FormClient) -> None:
    csrf = csrf_of(admin.get("/admin/new/project?lang=ca").body)
    fields = _project_fields(
        csrf,
        "taller-script",
        "ateneu-b",
        **{"nameMap.ca": f"Taller {SCRIPT}", "summaryMap.ca": f"Hola {IMAGE_TAG}", "location.name": SCRIPT},
    )
    fields["contacts.0.name"] = SCRIPT
    fields["contacts.0.contactType"] = IMAGE_TAG
    fields["contacts.0.public"] = "on"
    assert admin.post("/admin/new/project?lang=ca", fields).status == 303
    account = admin.get("/admin/account?lang=ca")
    assert admin.post("/admin/tokens?lang=ca", {"csrf": csrf_of(account.body), "name": SCRIPT}).status == 200
    node.settle()
    pages = [
        admin.get("/admin?lang=ca").body,
        admin.get("/admin/account?lang=ca").body,
        admin.get("/admin/projects/taller-script?lang=ca").body,
        admin.get("/admin/projects/taller-script/delete?lang=ca").body,
        fetch(f"{node.base_url}/@taller-script?lang=ca", headers={"Accept": "text/html"}).body,
        fetch(f"{node.base_url}/directory?lang=ca&q=taller", headers={"Accept": "text/html"}).body,
        fetch(f"{node.base_url}/?lang=ca", headers={"Accept": "text/html"}).body,
    ]
    for page in pages:
        assert SCRIPT.encode() not in page and b"<img src=x" not in page
    assert b"&lt;script&gt;" in pages[1]


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "media_type", "said"),
    [
        ("not-an-image", b"just some text, not a picture", "image/png", "not a whole, readable png"),
        ("too-large", b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "image/png", "larger than the"),
        ("svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "must be png, jpeg, gif or webp"),
    ],
)
def test_a_refused_upload_says_why_beside_its_field_and_stores_nothing(
    node: Node, admin: FormClient, name: str, data: bytes, media_type: str, said: str
) -> None:
    before = _media_rows(node)
    csrf = csrf_of(admin.get("/admin/organisations/ateneu-b?lang=en").body)
    fields = {"csrf": csrf, "nameMap.ca": "Ateneu B", "sectors": "sector:civil-society"}
    answer = admin.post(
        "/admin/organisations/ateneu-b?lang=en", fields, files={"icon.file": (f"{name}.png", media_type, data)}
    )
    assert answer.status == 422, answer.body[:300]
    assert b'id="error-icon"' in answer.body and said.encode() in answer.body.lower()
    assert _media_rows(node) == before
    assert "icon" not in api(node.base_url, node.token, "GET", "/api/organisations/ateneu-b").json()


def test_an_uploaded_logo_is_kept_and_shown(node: Node, admin: FormClient) -> None:
    csrf = csrf_of(admin.get("/admin/organisations/ateneu-a?lang=en").body)
    fields = {"csrf": csrf, "nameMap.ca": "Ateneu A", "sectors": "sector:civil-society"}
    answer = admin.post(
        "/admin/organisations/ateneu-a?lang=en", fields, files={"icon.file": ("a.png", "image/png", _png(64, 64))}
    )
    assert answer.status == 303
    icon = api(node.base_url, node.token, "GET", "/api/organisations/ateneu-a").json()["icon"]
    url = icon["url"] if isinstance(icon, dict) else icon
    image = fetch(url)
    assert image.status == 200 and image.content_type == "image/png"
