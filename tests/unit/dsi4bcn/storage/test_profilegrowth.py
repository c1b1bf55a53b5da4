"""Monthly counts of the network's growth on a real SQLite file: local and received; deleted, unlisted left out."""

import json

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.localactors import ProfileStore, utc_now
from dsi4bcn.storage.profilegrowth import monthly_counts
from dsi4bcn.storage.receivedprofiles import NewProfile, erase_in, write_profiles_in

PEER = "https://peer.example/actor"
TRIPLES = '<https://peer.example/projects/x> <http://example.org/p> "o" .\n'


def _received(actor: str, when: str) -> NewProfile:
    return NewProfile(actor, PEER, "{}", TRIPLES, f"{actor}#update", f"{PEER}#main-key", when, when)


async def test_an_empty_node_has_no_months(database: Database) -> None:
    assert await monthly_counts(database) == []


async def test_profiles_are_counted_by_the_month_they_appeared(database: Database) -> None:
    store = ProfileStore(database)
    await store.put("organisation", "ateneu", {"name": {"ca": "Ateneu"}}, None)
    await store.put("organisation", "gone", {"name": {"ca": "Gone"}}, None)
    await store.delete("organisation", "gone")
    await store.put("organisation", "hidden", {"name": {"ca": "Amagada"}, "indexable": False}, None)
    async with database.transaction() as connection:
        await write_profiles_in(
            connection,
            [
                _received("https://peer.example/a", "2025-03-02T10:00:00Z"),
                _received("https://peer.example/b", "2025-03-30T23:59:59Z"),
                _received("https://peer.example/c", "2025-05-01T00:00:00Z"),
                _received("https://peer.example/d", "2025-05-04T00:00:00Z"),
            ],
        )
        await erase_in(connection, "https://peer.example/d", PEER, "2025-06-01T00:00:00Z", "2025-06-01T00:00:00Z")
    this_month = utc_now()[:7]
    assert await monthly_counts(database) == [("2025-03", 0, 2), ("2025-05", 0, 1), (this_month, 1, 0)]


def _with_published(actor: str, published: object, when: str) -> NewProfile:
    document = json.dumps({"id": actor, "published": published})
    return NewProfile(actor, PEER, document, TRIPLES, f"{actor}#update", f"{PEER}#main-key", when, when)


async def test_a_received_profile_counts_from_its_origins_creation_date_when_plausible(database: Database) -> None:
    async with database.transaction() as connection:
        await write_profiles_in(
            connection,
            [
                _with_published("https://peer.example/old", "2023-11-05T08:00:00Z", "2025-03-02T10:00:00Z"),
                # A date after the day it arrived, a malformed one and a number are not believed.
                _with_published("https://peer.example/future", "2031-01-01T00:00:00Z", "2025-03-02T10:00:00Z"),
                _with_published("https://peer.example/odd", "last spring", "2025-03-02T10:00:00Z"),
                _with_published("https://peer.example/number", 2020, "2025-03-02T10:00:00Z"),
            ],
        )
    assert await monthly_counts(database) == [("2023-11", 0, 1), ("2025-03", 0, 3)]


async def test_an_update_does_not_move_a_profile_to_the_month_of_the_update(database: Database) -> None:
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_received("https://peer.example/a", "2025-03-02T10:00:00Z")])
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_received("https://peer.example/a", "2025-08-09T10:00:00Z")])
    assert await monthly_counts(database) == [("2025-03", 0, 1)]


async def test_a_profile_received_again_after_its_erasure_counts_from_its_return(database: Database) -> None:
    actor = "https://peer.example/back"
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_received(actor, "2025-03-02T10:00:00Z")])
        await erase_in(connection, actor, PEER, "2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z")
        await write_profiles_in(connection, [_received(actor, "2025-06-02T10:00:00Z")])
    assert await monthly_counts(database) == [("2025-06", 0, 1)]
