"""The sync state of the named graphs on a real SQLite file."""

import sqlite3
from pathlib import Path

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import GraphState, SetAside, UnsyncedGraph, mark_unsynced
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedprofiles import NewProfile, write_profiles_in

LATER = "2099-01-02T00:00:00Z"
A, B, V = "https://n.example/projects/a", "https://n.example/projects/b", "https://w3id.org/dsi4bcn/ns"


async def test_graphs_are_added_marked_written_synced_and_set_aside(database: Database) -> None:
    state = GraphState(database)
    assert await state.vocabulary_hash() is None
    await state.add_graphs([A, B], vocabulary=(V, "hash-1"))
    assert await state.vocabulary_hash() == "hash-1"
    assert sorted(await state.graph_names()) == [A, B, V]
    assert await state.count_unsynced() == 3 and await state.count_pending() == 3
    [first] = await state.unsynced(limit=1)
    assert first in (UnsyncedGraph(A, 1, False), UnsyncedGraph(B, 1, False), UnsyncedGraph(V, 1, False))
    await state.mark_written([A])
    await state.mark_synced([(A, 1), (B, 1)])
    assert {item.graph for item in await state.unsynced(limit=10)} == {V}
    await state.set_aside(V, 1, "refused " * 100)
    assert await state.count_pending() == 0 and await state.count_unsynced() == 1
    count, examples = await state.set_aside_graphs(limit=5)
    assert count == 1 and examples == [SetAside(V, ("refused " * 100)[:500])]
    # A new version of a graph set aside is tried again; a stale version is not marked synced
    async with database.transaction() as connection:
        await mark_unsynced(connection, [V, A])
    assert {item.graph: item for item in await state.unsynced(limit=10)} == {
        A: UnsyncedGraph(A, 2, True),
        V: UnsyncedGraph(V, 2, False),
    }
    await state.mark_synced([(A, 1)])
    assert await state.count_pending() == 2


async def test_an_unchanged_vocabulary_and_known_graphs_change_nothing(database: Database) -> None:
    state = GraphState(database)
    await state.add_graphs([A], vocabulary=(V, "hash-1"))
    await state.mark_synced([(A, 1), (V, 1)])
    await state.add_graphs([A])
    assert await state.count_unsynced() == 0 and await state.vocabulary_hash() == "hash-1"
    await state.set_aside("https://unknown.example/g", 1, "no such graph")  # nothing to mark: no error
    assert await state.set_aside_graphs(limit=5) == (0, [])


async def test_marking_all_unsynced_includes_live_received_profiles(database: Database) -> None:
    state = GraphState(database)
    await state.add_graphs([A])
    await state.mark_synced([(A, 1)])
    remote = NewProfile("https://p.example/projects/x", "https://p.example/actor", "{}", "", None, None, "t", LATER)
    async with database.transaction() as connection:
        await write_profiles_in(connection, [remote])
    await state.mark_all_unsynced()
    assert {(g.graph, g.version, g.written) for g in await state.unsynced(10)} == {
        (A, 2, False),
        ("https://p.example/projects/x", 1, False),
    }
    assert await state.last_modified() == LATER


async def test_last_modified_is_none_without_profiles_and_the_latest_of_local_and_received(database: Database) -> None:
    state = GraphState(database)
    assert await state.last_modified() is None
    profiles = ProfileStore(database)
    await profiles.instance()
    record, _created = await profiles.put("organisation", "ateneu", {"nameMap": {"ca": "Ateneu"}}, None)
    assert await state.last_modified() == record.updated


async def test_other_workers_read_the_graphs_written_batch_by_batch(database: Database) -> None:
    state = GraphState(database)
    assert await state.latest_batch() == 0 and await state.written_since(0) == ([], 0)
    await state.add_graphs([A, B, V])
    await state.mark_synced([(A, 1)])
    await state.mark_synced([(B, 1), (V, 1)])
    assert await state.latest_batch() == 2
    assert await state.written_since(0) == ([A, B, V], 2)
    assert sorted((await state.written_since(1))[0]) == [B, V]
    assert await state.written_since(2) == ([], 2)
    # A graph written again moves to the new batch; a cut batch is left whole for the next read
    async with database.transaction() as connection:
        await mark_unsynced(connection, [A])
    await state.mark_synced([(A, 2)])
    assert await state.written_since(2) == ([A], 3)
    graphs, last = await state.written_since(0, limit=2)
    assert (sorted(graphs), last) == ([B, V], 2)


async def test_data_version_changes_when_another_connection_commits(database: Database, tmp_path: Path) -> None:
    before = await database.data_version()
    assert await database.data_version() == before  # its own reads change nothing
    other = sqlite3.connect(tmp_path / "db.sqlite3")
    other.execute("INSERT INTO node_settings (name, value) VALUES ('elsewhere', 'x')")
    other.commit()
    other.close()
    assert await database.data_version() != before
