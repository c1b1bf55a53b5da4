"""Posts travel between peered nodes (issue 11): a project of A posts, and B, which aggregates A, shows the
post on its home page, on the project's page there and in its network feed; a deleted post, an erased
profile or a removed peer takes the posts with it; a forged note and a stranger's note are never kept."""

import json
import sqlite3
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from urllib.parse import quote, urlencode

import pytest

from federation.httpsig import sign_headers
from tests.support.fake_actors import ActorServer
from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
ATOM = "{http://www.w3.org/2005/Atom}"
ORGANISATION = {"nameMap": {"ca": "Ateneu <Digital>"}, "sectors": ["sector:civil-society"]}
PROJECTS = {
    "radio": {"organisation": "ateneu", "nameMap": {"ca": "Ràdio & Barri"}, "areas": ["area:open-data"]},
    "taller": {"organisation": "ateneu", "nameMap": {"ca": "Taller Obert"}, "areas": ["area:digital-rights"]},
    "mapa": {"organisation": "ateneu", "nameMap": {"ca": "Mapa Veïnal"}, "areas": ["area:open-data"]},
}


EARLIER: list[str] = []  # the post of A's "taller" written before B peered A


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("posts")
    a, b = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    assert api(a.base_url, a.token, "PUT", "/api/organisations/ateneu", ORGANISATION).status == 201
    for slug, project in PROJECTS.items():
        assert api(a.base_url, a.token, "PUT", f"/api/projects/{slug}", project).status == 201
    # Posts written before B peers A: B reads them from the profiles' outboxes (one deleted, one kept).
    withdrawn = _post(a, "taller", "<p>Retirat</p>").rsplit("/", 1)[1]
    assert api(a.base_url, a.token, "DELETE", f"/api/projects/taller/notes/{withdrawn}").status == 200
    EARLIER.append(_post(a, "taller", "<p>Obrim el taller dimarts</p>"))
    assert api(b.base_url, b.token, "POST", "/api/peers", {"url": a.base_url}).status == 202
    for slug in PROJECTS:
        within(15, lambda slug=slug: _received_page(b, _project(a, slug)).status == 200, f"B aggregating {slug}")
    yield a, b
    a.stop()
    b.stop()


def _project(node: Node, slug: str) -> str:
    return f"{node.base_url}/projects/{slug}"


def _received_page(node: Node, iri: str) -> Answer:
    return fetch(f"{node.base_url}/network/profile?{urlencode({'id': iri, 'lang': 'ca'})}")


def _post(node: Node, slug: str, content: str) -> str:
    answer = api(node.base_url, node.token, "POST", f"/api/projects/{slug}/notes", {"content": content})
    assert answer.status == 201, answer.body
    return str(answer.json()["object"]["id"])


def _home(node: Node) -> str:
    answer = fetch(f"{node.base_url}/?lang=ca")
    assert answer.status == 200
    return answer.body.decode("utf-8")


def _feed_entries(node: Node, path: str = "/feed.atom") -> dict[str, ET.Element]:
    answer = fetch(f"{node.base_url}{path}")
    assert answer.status == 200 and answer.content_type.startswith("application/atom+xml")
    feed = ET.fromstring(answer.body)  # a real XML parser: the feed must be well-formed
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = {}
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "author", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        entries[entry.findtext(f"{ATOM}id", "")] = entry
    return entries


def _remote_notes(node: Node) -> list[tuple[str, str]]:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT id, author FROM remote_notes ORDER BY id").fetchall()
    finally:
        connection.close()


def _outcome(node: Node, activity_id: str) -> str | None:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT outcome FROM inbox WHERE activity_id = ?", (activity_id,)).fetchone()
        return row[0] if row else None
    finally:
        connection.close()


def test_a_post_on_a_reaches_b_s_home_page_profile_page_and_feed(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    note_id = _post(a, "radio", '<p>Emissió <b>oberta</b> al barri<script>alert("x")</script></p>')
    within(15, lambda: note_id in _home(b), "the post on B's home page")
    home = _home(b)
    assert "Emissió <b>oberta</b> al barri" in home and "alert" not in home
    radio = _project(a, "radio")
    assert f'href="/network/profile?id={quote(radio, safe="")}&amp;lang=ca">Ràdio &amp; Barri</a>' in home
    page = _received_page(b, radio).body.decode("utf-8")
    assert note_id in page and "Emissió <b>oberta</b> al barri" in page and "alert" not in page
    assert unescape(f"/network/profile/feed.atom?id={quote(radio, safe='')}") in unescape(page)
    entry = _feed_entries(b)[note_id]
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ràdio & Barri"
    assert "Emissió <b>oberta</b>" in entry.findtext(f"{ATOM}content", "")
    assert note_id in _feed_entries(b, f"/network/profile/feed.atom?{urlencode({'id': radio})}")
    assert note_id in _feed_entries(a)  # A's own post is in A's network feed too
    assert fetch(f"{b.base_url}/network/profile/feed.atom?id=https%3A%2F%2Fnowhere.example%2Fx").status == 404


def test_posts_written_before_peering_reach_b_from_the_profile_s_outbox(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    [earlier] = EARLIER
    within(15, lambda: earlier in {row[0] for row in _remote_notes(b)}, "the earlier post on B")
    taller = _project(a, "taller")
    assert [row for row in _remote_notes(b) if row[1] == taller] == [(earlier, taller)]  # not the deleted one
    page = _received_page(b, taller).body.decode("utf-8")
    assert earlier in page and "Obrim el taller dimarts" in page and "Retirat" not in page


def test_a_deleted_post_leaves_b(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    note_id = _post(a, "radio", "<p>Una errada</p>")
    within(15, lambda: note_id in _home(b), "the post on B")
    answer = api(a.base_url, a.token, "DELETE", f"/api/projects/radio/notes/{note_id.rsplit('/', 1)[1]}")
    assert answer.status == 200 and answer.json()["type"] == "Delete"
    within(15, lambda: note_id not in _home(b), "the deletion on B")
    assert note_id not in _feed_entries(b) and note_id not in _feed_entries(a)
    assert note_id not in [row[0] for row in _remote_notes(b)]
    gone = fetch(note_id, headers={"Accept": "text/html"})
    assert gone.status == 410
    again = api(a.base_url, a.token, "DELETE", f"/api/projects/radio/notes/{note_id.rsplit('/', 1)[1]}")
    assert again.status == 404


def _private_key(node: Node, slug: str) -> str:
    connection = sqlite3.connect(f"file:{node.database}?mode=ro", uri=True)
    try:
        return str(connection.execute("SELECT private_key_pem FROM actors WHERE slug = ?", (slug,)).fetchone()[0])
    finally:
        connection.close()


def _send(inbox: str, activity: dict, key_id: str, private_pem: str) -> Answer:
    body = json.dumps(activity).encode("utf-8")
    headers = sign_headers(
        method="POST",
        url=inbox,
        key_id=key_id,
        private_key_pem=private_pem,
        now=datetime.now(UTC),
        body=body,
        content_type="application/activity+json",
    )
    return fetch(inbox, method="POST", headers=headers, body=body)


def _create(actor: str, author: str, note_id: str, content: str = "forged") -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": actor,
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": author,
            "content": f"<p>{content}</p>",
            "published": "2026-11-30T10:00:00Z",
        },
    }


def test_a_note_signed_by_another_real_actor_of_the_peer_is_refused(nodes: tuple[Node, Node]) -> None:
    # Given: the key of A's project "taller", a real actor on the same origin as "radio"
    a, b = nodes
    taller, radio = _project(a, "taller"), _project(a, "radio")
    before = _remote_notes(b)
    # When: "taller" sends a note attributed to "radio" (its own id and the note's on A's origin)
    forged = _create(taller, radio, f"{radio}/notes/{uuid.uuid4()}")
    answer = _send(f"{b.base_url}/inbox", forged, f"{taller}#main-key", _private_key(a, "taller"))
    # Then: refused at the door, nothing stored
    assert answer.status == 400 and b"attributedTo" in answer.body
    assert _outcome(b, forged["id"]) is None
    assert _remote_notes(b) == before
    # And an honest note of "taller" through the same path is kept, so the refusal was the forgery's
    honest = _create(taller, taller, f"{taller}/notes/{uuid.uuid4()}", "honest")
    assert _send(f"{b.base_url}/inbox", honest, f"{taller}#main-key", _private_key(a, "taller")).status == 202
    within(15, lambda: _outcome(b, honest["id"]) is not None, "the honest note processed")
    assert _outcome(b, honest["id"]) == "note stored"
    home = _home(b)
    assert "<p>honest</p>" in home and "forged" not in home


def test_a_stranger_s_note_is_ignored_and_one_claiming_a_peer_s_profile_refused(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    server = ActorServer()
    try:
        stranger = server.add_actor("stranger")
        before = _remote_notes(b)
        own = _create(stranger.id, stranger.id, f"{stranger.id}/notes/1")
        body = json.dumps(own).encode()
        answer = fetch(
            f"{b.base_url}/inbox", method="POST", headers=stranger.sign(f"{b.base_url}/inbox", body), body=body
        )
        assert answer.status == 202
        within(15, lambda: _outcome(b, own["id"]) is not None, "the stranger's note processed")
        assert _outcome(b, own["id"]) == "ignored: a note from a node that is not a peer"
        radio = _project(a, "radio")
        for forged in (
            _create(stranger.id, radio, f"{stranger.id}/notes/2"),  # another author
            _create(stranger.id, stranger.id, f"{radio}/notes/{uuid.uuid4()}"),  # a note on the peer's origin
        ):
            body = json.dumps(forged).encode()
            headers = stranger.sign(f"{b.base_url}/inbox", body)
            assert fetch(f"{b.base_url}/inbox", method="POST", headers=headers, body=body).status == 400
            assert _outcome(b, forged["id"]) is None
        assert _remote_notes(b) == before
    finally:
        server.stop()


def test_an_erased_profile_and_a_removed_peer_take_their_posts_from_b(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    mapa, radio = _project(a, "mapa"), _project(a, "radio")
    gone, kept = _post(a, "mapa", "<p>Del mapa</p>"), _post(a, "radio", "<p>De la ràdio</p>")
    within(15, lambda: {gone, kept} <= {row[0] for row in _remote_notes(b)}, "both posts on B")
    assert api(a.base_url, a.token, "DELETE", "/api/projects/mapa").status == 200
    within(15, lambda: mapa not in {row[1] for row in _remote_notes(b)}, "the erased profile's posts gone")
    assert gone not in _home(b) and gone not in _feed_entries(b)
    assert kept in _home(b) and radio in {row[1] for row in _remote_notes(b)}
    assert api(b.base_url, b.token, "DELETE", f"/api/peers?{urlencode({'peer': a.base_url})}").status == 200
    assert _remote_notes(b) == []
    assert kept not in _home(b) and _feed_entries(b) == {}
