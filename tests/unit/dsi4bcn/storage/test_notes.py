"""Notes and the outbox's public activities on a real SQLite file."""

import sqlite3

import pytest

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.notes import Notes

ACTOR = "https://n.example/projects/taller"
NOTE = {"id": f"{ACTOR}/notes/1", "type": "Note", "content": "Hola", "published": "2026-01-01T00:00:00Z"}
CREATE = {"id": f"{ACTOR}/activities/1", "type": "Create", "actor": ACTOR, "object": NOTE}


async def test_a_note_is_stored_with_its_create_queued_in_one_go(database: Database) -> None:
    notes, queue = Notes(database), DeliveryQueue(database)
    inboxes = ["https://a.example/inbox", "https://b.example/inbox", "https://a.example/inbox"]
    assert await notes.add_note(NOTE["id"], "taller", NOTE, CREATE, inboxes) == 2
    assert await queue.pending_deliveries() == 2
    assert await notes.count_notes() == 1
    assert await notes.note(NOTE["id"]) == ("taller", NOTE, None)
    assert await notes.public_activity(CREATE["id"]) == ("taller", CREATE)
    assert await notes.outbox_page("taller", limit=10, offset=0) == [CREATE]
    assert await notes.count_outbox("taller") == 1


async def test_the_outbox_lists_public_activities_newest_first(database: Database) -> None:
    notes, queue = Notes(database), DeliveryQueue(database)
    for number in range(3):
        activity = {"id": f"{ACTOR}/activities/{number}", "type": "Update", "actor": ACTOR}
        await queue.publish(local="taller", activity=activity, inboxes=[], public=number != 1)
    assert [a["id"] for a in await notes.outbox_page("taller", limit=10, offset=0)] == [
        f"{ACTOR}/activities/2",
        f"{ACTOR}/activities/0",
    ]
    assert [a["id"] for a in await notes.outbox_page("taller", limit=1, offset=1)] == [f"{ACTOR}/activities/0"]
    assert await notes.count_outbox("taller") == 2
    assert await notes.public_activity(f"{ACTOR}/activities/1") is None  # not public: not served


async def test_unknown_notes_are_none_and_a_second_note_with_the_same_id_is_refused(database: Database) -> None:
    notes = Notes(database)
    assert await notes.note(f"{ACTOR}/notes/unknown") is None
    assert await notes.count_notes() == 0 and await notes.count_outbox("taller") == 0
    await notes.add_note(NOTE["id"], "taller", NOTE, CREATE, [])
    with pytest.raises(sqlite3.IntegrityError):
        await notes.add_note(NOTE["id"], "taller", NOTE, {**CREATE, "id": f"{ACTOR}/activities/2"}, [])
    assert await notes.count_notes() == 1
    assert await notes.public_activity(f"{ACTOR}/activities/2") is None  # the whole transaction went


async def test_the_latest_notes_come_newest_first_per_actor_or_for_all(database: Database) -> None:
    notes = Notes(database)
    for number, (local, day) in enumerate([("taller", "03"), ("atles", "05"), ("taller", "01"), ("taller", "04")]):
        note = {**NOTE, "id": f"{ACTOR}/notes/n{number}", "published": f"2026-01-{day}T00:00:00Z"}
        create = {**CREATE, "id": f"{ACTOR}/activities/a{number}"}
        before = notes.generation
        await notes.add_note(note["id"], local, note, create, [])
        assert notes.generation == before + 1  # pages listing posts are rendered again
    assert [n["id"][-2:] for _, n in await notes.latest("taller", 2)] == ["n3", "n0"]
    assert [(local, n["id"][-2:]) for local, n in await notes.latest(None, 10)] == [
        ("atles", "n1"),
        ("taller", "n3"),
        ("taller", "n0"),
        ("taller", "n2"),
    ]
    assert await notes.latest("nobody", 5) == []


async def test_a_deleted_note_leaves_the_lists_and_the_outbox_and_its_delete_is_queued(database: Database) -> None:
    notes, queue = Notes(database), DeliveryQueue(database)
    await notes.add_note(NOTE["id"], "taller", NOTE, CREATE, [])
    delete = {"id": f"{ACTOR}/activities/2", "type": "Delete", "actor": ACTOR, "object": NOTE["id"]}
    assert not await notes.delete_note(NOTE["id"], "atles", delete, ["https://a.example/inbox"])  # not its note
    before = notes.generation
    assert await notes.delete_note(NOTE["id"], "taller", delete, ["https://a.example/inbox"])
    assert notes.generation == before + 1
    assert await queue.pending_deliveries() == 1
    local, _note, deleted = await notes.note(NOTE["id"]) or ("", {}, None)
    assert local == "taller" and deleted is not None
    assert await notes.latest(None, 10) == [] and await notes.count_notes() == 0
    assert await notes.public_activity(CREATE["id"]) is None  # the Create embeds the note: withdrawn
    assert await notes.outbox_page("taller", limit=10, offset=0) == [delete]
    assert not await notes.delete_note(NOTE["id"], "taller", {**delete, "id": f"{ACTOR}/activities/3"}, [])
