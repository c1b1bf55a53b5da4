"""The latest posts across the network on a real SQLite file: the node's own and its aggregated profiles',
merged newest first, each with its author's name, page here and source node."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.notes import Notes
from dsi4bcn.storage.receivednotes import ReceivedNotes
from dsi4bcn.storage.receivedprofiles import NewProfile, write_profiles_in
from dsi4bcn.web.networkposts import latest_network_posts, received_page

BASE = "https://here.example"
PEER = "https://peer.example/actor"
THEIRS = "https://peer.example/projects/radio"


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    yield database
    await database.close()


def _note(iri: str, day: str) -> dict[str, str]:
    return {"id": f"{iri}/notes/{day}", "type": "Note", "content": day, "published": f"2026-11-{day}T00:00:00Z"}


async def test_posts_of_both_kinds_come_newest_first_with_their_authors(database: Database) -> None:
    store = ProfileStore(database)
    await store.put("organisation", "ateneu", {"nameMap": {"ca": "Ateneu", "en": "Athenaeum"}}, None)
    notes, received = Notes(database), ReceivedNotes(database)
    ours = f"{BASE}/organisations/ateneu"
    for day in ("01", "03"):
        create = {"id": f"{ours}/activities/{day}", "type": "Create", "actor": ours}
        await notes.add_note(_note(ours, day)["id"], "ateneu", _note(ours, day), create, [])
    document = json.dumps({"id": THEIRS, "nameMap": {"ca": "Ràdio <Barri>", "en": "Radio"}})
    async with database.transaction() as connection:
        await write_profiles_in(connection, [NewProfile(THEIRS, PEER, document, "", None, None, "x", "x")])
    await received.store(_note(THEIRS, "02"), author=THEIRS, peer=PEER, received="2026-11-30T00:00:00Z")
    posts = await latest_network_posts(notes, received, store, base_url=BASE, language="ca", limit=2)
    assert [(post.author, post.author_page, post.node, post.published[:10]) for post in posts] == [
        ("Ateneu", f"{BASE}/@ateneu?lang=ca", None, "2026-11-03"),
        ("Ràdio <Barri>", received_page(THEIRS, "ca"), "peer.example", "2026-11-02"),
    ]
    assert received_page(THEIRS, "ca") == "/network/profile?id=https%3A%2F%2Fpeer.example%2Fprojects%2Fradio&lang=ca"
    english = await latest_network_posts(notes, received, store, base_url=BASE, language="en", limit=5)
    assert [post.author for post in english] == ["Athenaeum", "Radio", "Athenaeum"]
