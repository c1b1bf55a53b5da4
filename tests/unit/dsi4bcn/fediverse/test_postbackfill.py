"""The latest posts of new profiles, from their outboxes: only the peer's origin, only the profile's own
``Create{Note}``s, one read when the outbox is empty, and one profile's failure alone."""

from typing import Any

from dsi4bcn.fediverse.postbackfill import PostBackfill
from federation.errors import FetchError
from federation.inbox import NoteReceived

PEER = "https://peer.example"
ACTOR = f"{PEER}/projects/radio"


class Client:
    """Answers ``fetch_object`` from a dict of documents (a missing one fails, as an unreachable one would)."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.fetched: list[str] = []

    async def fetch_object(self, url: str) -> Any:
        self.fetched.append(url)
        if url not in self.documents:
            raise FetchError(f"no {url}", status=404)
        return self.documents[url]


class Intake:
    def __init__(self) -> None:
        self.notes: list[NoteReceived] = []

    async def receive(self, effect: NoteReceived) -> str:
        self.notes.append(effect)
        return "note stored"


def _create(actor: str, note_id: str, note_type: str = "Note") -> dict[str, Any]:
    note = {"id": note_id, "type": note_type, "attributedTo": actor, "content": "<p>hola</p>"}
    return {"type": "Create", "actor": actor, "object": note}


def _backfill(documents: dict[str, Any]) -> tuple[PostBackfill, Client, Intake]:
    client, intake = Client(documents), Intake()
    return PostBackfill(lambda: client, intake), client, intake  # type: ignore[arg-type, return-value]


async def test_the_first_page_s_notes_of_the_profile_itself_are_taken() -> None:
    outbox = f"{ACTOR}/outbox"
    items = [
        _create(ACTOR, f"{ACTOR}/notes/1"),
        _create(f"{PEER}/projects/other", f"{PEER}/projects/other/notes/2"),  # another actor's
        _create(ACTOR, f"{ACTOR}/notes/3", note_type="Question"),
        {"type": "Update", "actor": ACTOR, "object": {"id": ACTOR, "type": "Group"}},
        "not an object",
    ]
    backfill, client, intake = _backfill(
        {outbox: {"totalItems": 5, "first": f"{outbox}?page=1"}, f"{outbox}?page=1": {"orderedItems": items}}
    )
    assert await backfill.profiles([{"id": ACTOR, "outbox": outbox}], PEER) == 1
    assert [(effect.actor, effect.note["id"]) for effect in intake.notes] == [(ACTOR, f"{ACTOR}/notes/1")]
    assert client.fetched == [outbox, f"{outbox}?page=1"]


async def test_other_origins_empty_outboxes_and_failures_cost_little_and_stop_nothing() -> None:
    empty, broken, good = (f"{PEER}/projects/{name}/outbox" for name in ("empty", "broken", "good"))
    documents = {
        empty: {"totalItems": 0, "first": f"{empty}?page=1"},
        good: {"first": {"orderedItems": [_create(f"{PEER}/projects/good", f"{PEER}/projects/good/notes/1")]}},
        f"{PEER}/projects/far/outbox": {"first": "https://elsewhere.example/page"},
    }
    backfill, client, intake = _backfill(documents)
    profiles = [
        {"id": f"{PEER}/projects/elsewhere", "outbox": "https://elsewhere.example/outbox"},
        {"id": f"{PEER}/projects/empty", "outbox": empty},
        {"id": f"{PEER}/projects/broken", "outbox": broken},
        {"id": f"{PEER}/projects/far", "outbox": f"{PEER}/projects/far/outbox"},
        {"id": f"{PEER}/projects/good", "outbox": good},
        {"id": f"{PEER}/projects/none"},
    ]
    assert await backfill.profiles(profiles, PEER) == 1
    assert "https://elsewhere.example/outbox" not in client.fetched
    assert "https://elsewhere.example/page" not in client.fetched
    assert client.fetched.count(empty) == 1 and f"{empty}?page=1" not in client.fetched
    assert [effect.note["id"] for effect in intake.notes] == [f"{PEER}/projects/good/notes/1"]
