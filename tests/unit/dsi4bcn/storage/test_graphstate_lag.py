"""How far the graph store lags behind SQLite (``GraphState.lag``), kept by the triggers of migration 13."""

import asyncio
import time

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import GraphState, SyncLag, mark_unsynced

A, B = "https://n.example/projects/a", "https://n.example/projects/b"


async def test_a_graph_waits_from_when_it_stops_being_synced(database: Database) -> None:
    state = GraphState(database)
    assert await state.lag() == SyncLag(0, 0, None)
    started = time.time()
    await state.add_graphs([A, B])
    lag = await state.lag()
    assert (lag.pending, lag.set_aside) == (2, 0)
    assert lag.waiting_since is not None and started - 1 <= lag.waiting_since <= time.time() + 1
    await state.mark_synced([(A, 1), (B, 1)])
    assert await state.lag() == SyncLag(0, 0, None)
    # A change marks it again: it waits from now, not from its first time
    await asyncio.sleep(0.05)
    changed = time.time()
    async with database.transaction() as connection:
        await mark_unsynced(connection, [A])
    since = (await state.lag()).waiting_since
    assert since is not None and since >= changed - 0.01
    # Another change while it waits keeps the oldest wait
    async with database.transaction() as connection:
        await mark_unsynced(connection, [A])
    assert (await state.lag()).waiting_since == since


async def test_a_graph_set_aside_leaves_the_lag_until_a_new_version_is_marked(database: Database) -> None:
    state = GraphState(database)
    await state.add_graphs([A])
    await state.set_aside(A, 1, "refused by the store")
    assert await state.lag() == SyncLag(0, 1, None)
    await asyncio.sleep(0.05)
    marked = time.time()
    async with database.transaction() as connection:
        await mark_unsynced(connection, [A])
    lag = await state.lag()
    assert (lag.pending, lag.set_aside) == (1, 0)
    assert lag.waiting_since is not None and lag.waiting_since >= marked - 0.01
    await state.mark_all_unsynced()  # a rebuild: it still waits since it was marked
    assert (await state.lag()).waiting_since == lag.waiting_since


async def test_a_graph_marked_by_an_older_trigger_waits_from_then(database: Database) -> None:
    # The triggers of migrations 10 to 12 mark calls' graphs unsynced without saying since when
    state = GraphState(database)
    await state.add_graphs([A])
    await state.mark_synced([(A, 1)])
    marked = time.time()
    async with database.transaction() as connection:
        await connection.execute(
            "INSERT INTO graph_sync (graph) VALUES (?)"
            " ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL",
            (A,),
        )
    since = (await state.lag()).waiting_since
    assert since is not None and marked - 1 <= since <= time.time() + 1
