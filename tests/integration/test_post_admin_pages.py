"""The posts and followers pages on a real node process, through forms as a browser sends them: writing a
post (Markdown or plain text, its language, the suggested area hashtags and free ones, a preview), deleting
one, and every refusal (no CSRF token, another organisation's editor, bad input) changing nothing."""

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.accounts import first_admin, invited
from tests.support.formclient import FormClient, csrf_of
from tests.support.http import api
from tests.support.nodes import Node, start_node

ORGANISATION = {"nameMap": {"ca": "Ateneu A"}, "sectors": ["sector:civil-society"]}
PROJECT = {
    "organisation": "ateneu-a",
    "nameMap": {"ca": "Taller obert"},
    "areas": ["area:open-data", "area:maker"],
    "manuallyApprovesFollowers": True,
}
POSTS = "/admin/projects/taller/posts"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("post-admin") / "node")
    for slug in ("ateneu-a", "ateneu-b"):
        assert api(started.base_url, started.token, "PUT", f"/api/organisations/{slug}", ORGANISATION).status == 201
    assert api(started.base_url, started.token, "PUT", "/api/projects/taller", PROJECT).status == 201
    yield started
    started.stop()


@pytest.fixture(scope="module")
def admin(node: Node) -> FormClient:
    return first_admin(node)


@pytest.fixture(scope="module")
def stranger(node: Node) -> FormClient:
    """The editor of another organisation (ateneu-b)."""
    return invited(node, "editor@b.example", "editor", "ateneu-b")


def _notes(node: Node, slug: str = "taller") -> list[dict[str, Any]]:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT body FROM notes WHERE local = ? AND deleted IS NULL ORDER BY rowid", (slug,)
        ).fetchall()
    finally:
        connection.close()
    return [json.loads(row[0]) for row in rows]


def _audit(node: Node) -> list[tuple[str, str, str]]:
    entries = api(node.base_url, node.token, "GET", "/api/audit").json()
    return [(entry["actor"], entry["action"], entry["target"]) for entry in entries]


def _post(browser: FormClient, csrf: str | None, lang: str = "en", **fields: Any) -> Any:
    form: list[tuple[str, str]] = [] if csrf is None else [("csrf", csrf)]
    for name, value in fields.items():
        form += [(name, item) for item in value] if isinstance(value, list) else [(name, str(value))]
    return browser.request("POST", f"{POSTS}?lang={lang}", form)


def test_the_dashboard_links_each_managed_profile_s_posts_and_followers(admin: FormClient) -> None:
    page = admin.get("/admin?lang=en").body.decode()
    assert 'href="/admin/projects/taller/posts?lang=en"' in page
    assert 'href="/admin/organisations/ateneu-a/followers?lang=en"' in page


def test_a_markdown_post_goes_out_with_the_chosen_hashtags_in_its_language(node: Node, admin: FormClient) -> None:
    page = admin.get(f"{POSTS}?lang=ca")
    assert page.status == 200 and page.headers["cache-control"] == "no-store"
    text = page.body.decode()
    # The areas are suggested in the post's language (here the page's), ticked, and may be unticked.
    assert re.search(r'name="tag" value="area:open-data" checked> #DadesObertes', text), text
    assert re.search(r'name="tag" value="area:maker" checked> #CulturaMaker', text)
    before = len(_notes(node))
    answer = _post(
        admin,
        csrf_of(page.body),
        text="**Obrim** dijous <script>alert(1)</script>\n\n- [agenda](https://ateneu.example/agenda)",
        format="markdown",
        language="es",
        tag=["area:open-data"],
        hashtags="#FiestaMayor, sants",
        action="publish",
    )
    assert answer.status == 303 and answer.headers["location"] == f"{POSTS}?lang=en&done=published"
    notes = _notes(node)
    assert len(notes) == before + 1
    note = notes[-1]
    html = note["contentMap"]["es"]
    assert "<strong>Obrim</strong>" in html and "&lt;script&gt;" in html and "<script" not in html
    assert '<a href="https://ateneu.example/agenda" rel="nofollow noopener noreferrer">agenda</a>' in html
    assert list(note["contentMap"]) == ["es"] and note["content"] == html
    names = [tag["name"] for tag in note["tag"]]
    assert names == ["#DatosAbiertos", "#FiestaMayor", "#sants"]  # in Spanish; maker left out
    assert note["tag"][0]["href"] == f"{node.base_url}/tags/open-data"
    assert ("admin@ateneu.example", "post_published", note["id"]) in _audit(node)
    listed = admin.get(f"{POSTS}?lang=en&done=published").body.decode()
    assert "Published: it is on its way" in listed and "<strong>Obrim</strong>" in listed


def test_plain_text_stays_text_and_a_preview_sends_nothing(node: Node, admin: FormClient) -> None:
    csrf = csrf_of(admin.get(f"{POSTS}?lang=en").body)
    before = len(_notes(node))
    fields = {"text": "Una línia\n**no és negreta** <b>ni això</b>", "format": "text", "language": "ca"}
    preview = _post(admin, csrf, **fields, action="preview")
    assert preview.status == 200 and len(_notes(node)) == before
    shown = preview.body.decode()
    assert (
        "Preview (not published yet)" in shown and "Una línia<br>**no és negreta** &lt;b&gt;ni això&lt;/b&gt;" in shown
    )
    # Nothing ticked: the boxes stay unticked and the preview has no hashtags.
    assert 'value="area:maker"> #CulturaMaker' in shown and '<p class="tags">' not in shown
    published = _post(admin, csrf, **fields, tag=["area:maker", "area:not-suggested"], action="publish")
    assert published.status == 303
    note = _notes(node)[-1]
    assert note["contentMap"]["ca"].startswith("<p>Una línia<br>**no és negreta** &lt;b&gt;ni això&lt;/b&gt;</p><p>")
    assert [tag["name"] for tag in note["tag"]] == ["#CulturaMaker"]


def test_without_the_csrf_token_nothing_is_posted_or_deleted(node: Node, admin: FormClient) -> None:
    before = _notes(node)
    assert _post(admin, None, text="sense testimoni", format="text", language="ca", action="publish").status == 403
    assert _post(admin, "forged", text="amb un de fals", format="text", language="ca").status == 403
    key = before[-1]["id"].rsplit("/", 1)[1]
    assert admin.post(f"{POSTS}/{key}/delete", {}).status == 403
    assert _notes(node) == before


def test_an_editor_of_another_organisation_is_refused(node: Node, stranger: FormClient) -> None:
    own = stranger.get("/admin/organisations/ateneu-b/posts?lang=en")
    assert own.status == 200
    csrf = csrf_of(own.body)
    before = _notes(node)
    refused = stranger.get(f"{POSTS}?lang=en")
    assert refused.status == 403 and b"Taller obert" not in refused.body
    assert stranger.get("/admin/organisations/ateneu-a/followers").status == 403
    assert _post(stranger, csrf, text="no és meu", format="text", language="ca").status == 403
    key = before[-1]["id"].rsplit("/", 1)[1]
    assert stranger.post(f"{POSTS}/{key}/delete", {"csrf": csrf}).status == 403
    assert stranger.post("/admin/projects/taller/followers/accept", {"csrf": csrf, "actor": "x"}).status == 403
    assert _notes(node) == before
    assert stranger.get("/admin/projects/nowhere/posts").status == 404


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"text": "  ", "format": "markdown"}, "write the text of the post"),
        ({"text": "x" * 20_001, "format": "text"}, "the text is longer than 20000 characters"),
        ({"text": "Hola", "hashtags": "#bé no-val"}, "&#39;no-val&#39; is not a hashtag"),
        ({"text": "Hola", "hashtags": "#123"}, "&#39;#123&#39; is not a hashtag"),
        ({"text": "Hola", "hashtags": " ".join(f"t{n}" for n in range(11))}, "more than 10 hashtags"),
    ],
)
def test_bad_input_gives_the_form_again_with_its_error_and_changes_nothing(
    node: Node, admin: FormClient, fields: dict[str, str], error: str
) -> None:
    csrf = csrf_of(admin.get(f"{POSTS}?lang=en").body)
    before = _notes(node)
    answer = _post(admin, csrf, language="ca", action="publish", **fields)
    assert answer.status == 422
    body = answer.body.decode()
    assert error in body and 'role="alert"' in body and 'aria-invalid="true"' in body
    assert fields["text"][:50] in body  # what was written is kept
    assert _notes(node) == before


def test_deleting_a_post_from_its_list(node: Node, admin: FormClient) -> None:
    page = admin.get(f"{POSTS}?lang=en")
    note = _notes(node)[-1]
    key = note["id"].rsplit("/", 1)[1]
    assert f'action="{POSTS}/{key}/delete?lang=en"'.encode() in page.body
    answer = admin.post(f"{POSTS}/{key}/delete?lang=en", {"csrf": csrf_of(page.body)})
    assert answer.status == 303 and answer.headers["location"] == f"{POSTS}?lang=en&done=deleted"
    assert note["id"] not in [n["id"] for n in _notes(node)]
    assert ("admin@ateneu.example", "post_deleted", note["id"]) in _audit(node)
    again = admin.post(f"{POSTS}/{key}/delete?lang=en", {"csrf": csrf_of(page.body)})
    assert again.status == 404


def test_the_followers_page_in_three_languages(admin: FormClient) -> None:
    for lang, words in (
        ("ca", "Sol·licituds de seguiment"),
        ("es", "Solicitudes de seguimiento"),
        ("en", "Follow requests"),
    ):
        page = admin.get(f"/admin/projects/taller/followers?lang={lang}")
        assert page.status == 200 and words in page.body.decode()
    assert b"nobody follows it until you approve them" in admin.get("/admin/projects/taller/followers?lang=en").body
