"""Manners over HTTP on a real node: the remembered language, error pages for browsers and JSON for
programs, and posts that answer a browser with a page and ActivityPub clients with the same JSON-LD."""

import json

from tests.support.http import api, fetch
from tests.support.nodes import Node

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends
AS_JSON = "application/activity+json"


def test_picking_a_language_sets_a_cookie_that_later_pages_read(demo_node: Node) -> None:
    picked = fetch(f"{demo_node.base_url}/?lang=es", headers={"Accept": BROWSER, "Accept-Language": "en"})
    cookie = picked.headers["set-cookie"]
    assert cookie.startswith("lang=es;")
    parts = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"path", "max-age", "samesite", "httponly"} <= parts and "secure" not in parts  # an http node
    assert "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    assert "Cookie" in picked.headers["vary"]
    # The next page, without ?lang=, follows the cookie over Accept-Language, and sets nothing.
    later = fetch(f"{demo_node.base_url}/ns", headers={"Accept": BROWSER, "Accept-Language": "en", "Cookie": "lang=es"})
    assert '<html lang="es">' in later.body.decode() and "set-cookie" not in later.headers
    # ?lang= still wins over the cookie; an unknown language in either is ignored.
    asked = fetch(f"{demo_node.base_url}/?lang=ca", headers={"Accept": BROWSER, "Cookie": "lang=es"})
    assert '<html lang="ca">' in asked.body.decode() and asked.headers["set-cookie"].startswith("lang=ca;")
    odd = fetch(
        f"{demo_node.base_url}/?lang=fr", headers={"Accept": BROWSER, "Accept-Language": "en", "Cookie": "lang=de"}
    )
    assert '<html lang="en">' in odd.body.decode() and "set-cookie" not in odd.headers
    # JSON answers never set it.
    assert "set-cookie" not in fetch(f"{demo_node.base_url}/api/match?lang=es").headers


def test_browsers_get_error_pages_and_programs_json(demo_node: Node) -> None:
    missing = f"{demo_node.base_url}/no-such-page"
    for language, words in (("ca", "Aquesta pàgina no existeix."), ("es", "Esta página no existe.")):
        page = fetch(missing, headers={"Accept": BROWSER, "Accept-Language": language})
        assert page.status == 404 and page.content_type.startswith("text/html")
        text = page.body.decode()
        assert f'<html lang="{language}">' in text and words in text and 'href="/directory?lang=' in text
    for accept in ("application/json", "*/*", AS_JSON, ""):
        answer = fetch(missing, headers={"Accept": accept} if accept else {})
        assert answer.status == 404 and answer.content_type == "application/json", accept
        assert answer.json()["code"] == "not_found"
    # Machine surfaces keep JSON even for a browser's Accept header.
    for path in ("/api/projects/nobody", "/.well-known/webfinger?resource=acct:nobody@nowhere", "/inbox"):
        answer = fetch(demo_node.base_url + path, headers={"Accept": BROWSER})
        assert answer.status >= 400 and answer.content_type == "application/json", path
    # A method the page does not take: a 405 page that still says which methods it does.
    wrong = fetch(f"{demo_node.base_url}/ns", method="DELETE", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert wrong.status == 405 and wrong.content_type.startswith("text/html") and "GET" in wrong.headers["allow"]
    assert "This address does not accept this method." in wrong.body.decode()


def test_a_post_is_a_page_for_browsers_and_the_same_json_ld_for_activitypub(demo_node: Node) -> None:
    body = {"content": "<p>Obrim el taller <script>alert(1)</script><b>dissabte</b></p>"}
    created = api(demo_node.base_url, demo_node.token, "POST", "/api/projects/aire-net-a-escola/notes", body)
    assert created.status == 201
    note_id, activity_id = created.json()["object"]["id"], created.json()["id"]
    note = fetch(note_id, headers={"Accept": AS_JSON})
    assert note.status == 200 and note.content_type == AS_JSON
    assert fetch(note_id, headers={"Accept": "*/*"}).body == note.body  # ActivityPub clients often send */*
    page = fetch(f"{note_id}?lang=en", headers={"Accept": BROWSER})
    assert page.status == 200 and page.content_type.startswith("text/html")
    text = page.body.decode()
    assert "<p>Obrim el taller <b>dissabte</b></p>" in text and "<script" not in text and "alert" not in text
    assert 'href="http://127.0.0.1' in text and "/@aire-net-a-escola?lang=en" in text
    assert f'<time datetime="{json.loads(note.body)["published"]}">' in text
    activity = fetch(activity_id, headers={"Accept": BROWSER})
    assert activity.status == 200 and "<b>dissabte</b>" in activity.body.decode()
    assert fetch(activity_id, headers={"Accept": AS_JSON}).json()["type"] == "Create"
    gone = fetch(f"{demo_node.base_url}/projects/aire-net-a-escola/notes/nothing", headers={"Accept": BROWSER})
    assert gone.status == 404 and gone.content_type.startswith("text/html")


def test_a_deleted_profile_is_a_410_page_for_browsers_and_a_tombstone_for_activitypub(demo_node: Node) -> None:
    assert api(demo_node.base_url, demo_node.token, "DELETE", "/api/projects/roda-coop").status == 200
    page = fetch(f"{demo_node.base_url}/projects/roda-coop?lang=en", headers={"Accept": BROWSER})
    assert page.status == 410 and page.content_type.startswith("text/html")
    assert "This profile has been deleted." in page.body.decode()
    tombstone = fetch(f"{demo_node.base_url}/projects/roda-coop", headers={"Accept": AS_JSON})
    assert tombstone.status == 410 and tombstone.json()["type"] == "Tombstone"
    # Its posts' addresses say so too, in the visitor's language.
    gone = fetch(
        f"{demo_node.base_url}/projects/roda-coop/notes/x", headers={"Accept": BROWSER, "Accept-Language": "es"}
    )
    assert gone.status == 410 and "Esto se ha borrado y ya no está." in gone.body.decode()
