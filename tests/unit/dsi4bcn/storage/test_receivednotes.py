"""Posts of received profiles on a real SQLite file: kept only for a live profile of the right peer, edited,
deleted by their author only, bounded, and gone with their author however it goes."""

import json

from dsi4bcn.storage.blocks import BlockedDomains
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.receivednotes import ReceivedNotes
from dsi4bcn.storage.receivedprofiles import NewProfile, ReceivedProfiles, erase_in, write_profiles_in

PEER = "https://peer.example/actor"
X, Y = "https://peer.example/projects/x", "https://peer.example/projects/y"
RECEIVED = "2026-11-30T12:00:00Z"


def _note(author: str, number: int, content: str = "hola") -> dict[str, str]:
    return {
        "id": f"{author}/notes/{number}",
        "type": "Note",
        "attributedTo": author,
        "content": f"<p>{content}</p>",
        "published": f"2026-11-{number:02d}T10:00:00Z",
    }


async def _hold(database: Database, *actors: str) -> None:
    rows = [
        NewProfile(actor, PEER, json.dumps({"id": actor, "name": actor[-1]}), "", None, None, RECEIVED, RECEIVED)
        for actor in actors
    ]
    async with database.transaction() as connection:
        await write_profiles_in(connection, rows)


async def _ids(notes: ReceivedNotes, author: str | None = None) -> list[str]:
    return [str(item.note["id"]) for item in await notes.latest(author, 100)]


async def test_notes_of_a_held_profile_are_kept_newest_first_with_their_authors_document(database: Database) -> None:
    await _hold(database, X, Y)
    notes = ReceivedNotes(database)
    for author, number in ((X, 1), (Y, 3), (X, 2)):
        assert await notes.store(_note(author, number), author=author, peer=PEER, received=RECEIVED) == "note stored"
    assert await _ids(notes) == [f"{Y}/notes/3", f"{X}/notes/2", f"{X}/notes/1"]
    assert await _ids(notes, X) == [f"{X}/notes/2", f"{X}/notes/1"]
    latest = (await notes.latest(None, 1))[0]
    assert latest.author == Y and latest.author_document == {"id": Y, "name": "y"}


async def test_a_note_of_an_unknown_or_erased_profile_or_from_another_peer_is_not_kept(database: Database) -> None:
    await _hold(database, X)
    notes = ReceivedNotes(database)
    outcome = await notes.store(_note(Y, 1), author=Y, peer=PEER, received=RECEIVED)
    assert outcome.startswith("ignored: its author is not a profile aggregated")
    assert (await notes.store(_note(X, 1), author=X, peer="https://other.example/actor", received=RECEIVED)).startswith(
        "ignored"
    )
    async with database.transaction() as connection:
        await erase_in(connection, X, PEER, RECEIVED, RECEIVED)
    assert (await notes.store(_note(X, 1), author=X, peer=PEER, received=RECEIVED)).startswith("ignored")
    assert await notes.count() == 0


async def test_an_edit_replaces_the_note_and_nobody_else_can_replace_or_delete_it(database: Database) -> None:
    await _hold(database, X, Y)
    notes = ReceivedNotes(database)
    await notes.store(_note(X, 1), author=X, peer=PEER, received=RECEIVED)
    await notes.store(_note(X, 1, "adéu"), author=X, peer=PEER, received=RECEIVED)
    assert [item.note["content"] for item in await notes.latest(X, 10)] == ["<p>adéu</p>"]
    hijack = dict(_note(X, 1, "forged"), attributedTo=Y)
    outcome = await notes.store(hijack, author=Y, peer=PEER, received=RECEIVED)
    assert outcome == "ignored: a note with that id by another author is held"
    assert await notes.delete(f"{X}/notes/1", Y) == 0
    assert [item.note["content"] for item in await notes.latest(None, 10)] == ["<p>adéu</p>"]
    assert await notes.delete(f"{X}/notes/1", X) == 1
    assert await notes.count() == 0


async def test_notes_are_bounded_per_author_and_in_all(database: Database) -> None:
    await _hold(database, X, Y)
    notes = ReceivedNotes(database, per_author=3, total=4)
    for number in range(1, 6):
        await notes.store(_note(X, number), author=X, peer=PEER, received=RECEIVED)
    assert await _ids(notes, X) == [f"{X}/notes/{n}" for n in (5, 4, 3)]
    for number in (6, 7):
        await notes.store(_note(Y, number), author=Y, peer=PEER, received=RECEIVED)
    assert await _ids(notes) == [f"{Y}/notes/7", f"{Y}/notes/6", f"{X}/notes/5", f"{X}/notes/4"]


async def test_notes_go_with_their_author_erased_dropped_with_the_peer_or_blocked(database: Database) -> None:
    await _hold(database, X, Y)
    notes = ReceivedNotes(database)
    for author in (X, Y):
        await notes.store(_note(author, 1), author=author, peer=PEER, received=RECEIVED)
    async with database.transaction() as connection:
        await erase_in(connection, X, PEER, RECEIVED, RECEIVED)
    assert await _ids(notes) == [f"{Y}/notes/1"]
    await ReceivedProfiles(database).remove_peer(PEER)
    assert await notes.count() == 0
    await _hold(database, X)
    await notes.store(_note(X, 2), author=X, peer=PEER, received=RECEIVED)
    await BlockedDomains(database).block("peer.example")
    assert await notes.count() == 0
