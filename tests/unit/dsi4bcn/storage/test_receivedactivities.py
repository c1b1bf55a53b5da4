"""The stored inbox on a real SQLite file: once per activity id, in order, with outcomes."""

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.receivedactivities import ReceivedActivities

ANA = "https://a.example/users/ana"


def _row(number: int, body: str = "") -> tuple[str, str, str, str]:
    return (f"{ANA}/activities/{number}", ANA, body or f'{{"id": "{ANA}/activities/{number}"}}', f"{ANA}#key")


async def test_activities_are_stored_once_and_processed_in_order(database: Database) -> None:
    inbox = ReceivedActivities(database)
    assert await inbox.store_incoming([_row(1), _row(2), _row(1)]) == [True, True, False]
    assert await inbox.store_incoming([_row(2), _row(3)]) == [False, True]  # a replay stores nothing
    waiting = await inbox.unprocessed()
    assert [incoming.activity_id for incoming in waiting] == [f"{ANA}/activities/{n}" for n in (1, 2, 3)]
    assert waiting[0].activity == {"id": f"{ANA}/activities/1"} and waiting[0].key_id == f"{ANA}#key"
    assert [incoming.seq for incoming in await inbox.unprocessed(limit=1)] == [waiting[0].seq]
    await inbox.mark_processed([(waiting[0].seq, "done"), (waiting[1].seq, "x" * 900)])
    assert [incoming.activity_id for incoming in await inbox.unprocessed()] == [f"{ANA}/activities/3"]
    row = await database.one("SELECT outcome FROM inbox WHERE seq = ?", (waiting[1].seq,))
    assert row is not None and len(row[0]) == 500


async def test_a_body_that_no_longer_parses_is_processed_as_empty(database: Database) -> None:
    inbox = ReceivedActivities(database)
    await inbox.store_incoming([_row(1, "{not json"), _row(2, "[1, 2]")])
    assert [incoming.activity for incoming in await inbox.unprocessed()] == [{}, {}]


async def test_an_outcome_with_a_lone_surrogate_is_stored(database: Database) -> None:
    inbox = ReceivedActivities(database)
    await inbox.store_incoming([_row(1)])
    [incoming] = await inbox.unprocessed()
    await inbox.mark_processed([(incoming.seq, "refused: \ud800")])
    assert await inbox.unprocessed() == []
    await inbox.mark_processed([(999_999, "unknown seq")])  # nothing to mark: no error
