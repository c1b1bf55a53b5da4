"""Received profiles on a real SQLite file: versions held, writes, tombstones, a peer's removal, reads."""

import sqlite3

import pytest

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import GraphState
from dsi4bcn.storage.receivedprofiles import (
    HeldVersion,
    NewProfile,
    ReceivedDocument,
    ReceivedProfile,
    ReceivedProfiles,
    erase_in,
    held_versions_in,
    write_profiles_in,
)

PEER = "https://peer.example/actor"
X, Y = "https://peer.example/projects/x", "https://peer.example/projects/y"
TRIPLES = '<https://peer.example/projects/x> <http://example.org/p> "o" .\n'


def _new(actor: str, updated: str = "2026-01-01T00:00:00Z", peer: str = PEER) -> NewProfile:
    return NewProfile(
        actor, peer, "{}", TRIPLES, f"{actor}#update", f"{peer}#main-key", "2026-01-05T00:00:00Z", updated
    )


async def test_profiles_are_written_read_and_replaced(database: Database) -> None:
    received = ReceivedProfiles(database)
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_new(X), _new(Y)])
    assert await received.holds(X) and await received.held(PEER) == {
        X: "2026-01-01T00:00:00Z",
        Y: "2026-01-01T00:00:00Z",
    }
    assert await received.ntriples(X) == TRIPLES
    assert await received.live([X, "https://peer.example/projects/none"]) == {
        X: ReceivedProfile(
            X, PEER, TRIPLES, f"{X}#update", f"{PEER}#main-key", "2026-01-05T00:00:00Z", "2026-01-01T00:00:00Z"
        )
    }
    assert await received.page("", 1) == [(X, TRIPLES)]
    assert await received.page(X, 10) == [(Y, TRIPLES)]
    assert await received.page(Y, 10) == []
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_new(X, "2026-02-01T00:00:00Z")])
        assert await held_versions_in(connection, [X, "https://peer.example/projects/none"]) == {
            X: HeldVersion("2026-02-01T00:00:00Z", None)
        }


async def test_an_erased_profile_keeps_only_a_tombstone(database: Database) -> None:
    received = ReceivedProfiles(database)
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_new(X)])
        await erase_in(connection, X, PEER, "2026-03-01T00:00:00Z", "2026-01-01T00:00:00Z")
        await erase_in(connection, Y, PEER, "2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z")  # never held
        assert await held_versions_in(connection, [X, Y]) == {
            X: HeldVersion("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"),
            Y: HeldVersion("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"),
        }
    assert not await received.holds(X) and await received.ntriples(X) is None
    assert await received.held(PEER) == {} and await received.live([X, Y]) == {}
    # A newer version written over the tombstone is live again
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_new(X, "2026-04-01T00:00:00Z")])
    assert await received.held(PEER) == {X: "2026-04-01T00:00:00Z"}


async def test_removing_a_peer_drops_its_profiles_and_marks_their_graphs(database: Database) -> None:
    received = ReceivedProfiles(database)
    async with database.transaction() as connection:
        await write_profiles_in(
            connection, [_new(X), _new("https://other.example/p/1", peer="https://other.example/actor")]
        )
        await erase_in(connection, Y, PEER, "t", "t")
    assert sorted(await received.remove_peer(PEER)) == [X, Y]
    assert await received.held(PEER) == {} and await received.holds("https://other.example/p/1")
    assert sorted(graph.graph for graph in await GraphState(database).unsynced(10)) == [X, Y]
    assert await received.remove_peer(PEER) == []  # nothing left: nothing dropped


async def test_a_profile_without_triples_is_refused_by_the_table(database: Database) -> None:
    async with database.transaction() as connection:
        await write_profiles_in(connection, [])  # nothing to write: no error
    with pytest.raises(sqlite3.IntegrityError):
        async with database.transaction() as connection:
            await write_profiles_in(connection, [NewProfile(X, PEER, None, TRIPLES, None, None, "t", "t")])  # type: ignore[arg-type]
    assert not await ReceivedProfiles(database).holds(X)


async def test_a_live_profiles_document_is_read_with_its_peer_and_an_erased_one_is_none(database: Database) -> None:
    received = ReceivedProfiles(database)
    async with database.transaction() as connection:
        await write_profiles_in(connection, [_new(X)])
    assert await received.document(X) == ReceivedDocument(
        X, PEER, "{}", TRIPLES, "2026-01-05T00:00:00Z", "2026-01-01T00:00:00Z"
    )
    assert await received.document(Y) is None
    async with database.transaction() as connection:
        await erase_in(connection, X, PEER, "2026-01-06T00:00:00Z", "2026-01-06T00:00:00Z")
    assert await received.document(X) is None
