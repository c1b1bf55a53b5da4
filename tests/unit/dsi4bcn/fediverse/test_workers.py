"""The deliverer against a real SQLite queue: a host unavailable for seven days is skipped (``fediverse.workers``)."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dsi4bcn.fediverse.workers import Deliverer, Signers
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.localactors import ProfileStore
from federation.client import FetchPolicy, create_session
from tests.support.activities import ACTIVITY


async def test_a_host_that_failed_on_seven_days_is_skipped_until_it_talks_again(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    store = DeliveryQueue(database)
    profiles = ProfileStore(database)
    await profiles.instance()
    queued = await store.publish(local="", activity=ACTIVITY, inboxes=["https://down.example/inbox"] * 2, public=True)
    assert queued == 1
    async with database.transaction() as connection:
        today = datetime.now(UTC).date()
        await connection.executemany(
            "INSERT INTO host_failures (host, day) VALUES (?, ?)",
            [("down.example", (today - timedelta(days=n)).isoformat()) for n in range(7)],
        )
    store = DeliveryQueue(database)  # a fresh store reads the failing hosts from the database
    assert len(await store.failure_days("down.example")) == 7
    session = create_session(FetchPolicy())
    try:
        deliverer = Deliverer(store, Signers(profiles, "https://n.example"), session, FetchPolicy())
        [delivery] = await store.due_deliveries(time.time(), 10)
        await deliverer._attempt(delivery)  # gives up without any request: the host is unavailable
    finally:
        await session.close()
    assert await store.pending_deliveries() == 0
    await store.heard_from("down.example")
    assert await store.failure_days("down.example") == []
    await database.close()


async def test_an_actors_deliveries_wait_until_its_key_rotation_update_was_tried_at_that_host(tmp_path: Path) -> None:
    from dsi4bcn.storage.deliveries import enqueue
    from dsi4bcn.storage.keyrotations import KeyRotations
    from federation.keys import generate_key_pair
    from tests.support.nodes import free_port

    database = Database(await open_database(tmp_path / "db.sqlite3"))
    store, profiles = DeliveryQueue(database), ProfileStore(database)
    rotations = KeyRotations(database, profiles)
    await profiles.put("organisation", "ateneu", {"nameMap": {"ca": "Ateneu"}}, None)
    closed = f"http://127.0.0.1:{free_port()}/inbox"  # nothing listens: an attempt fails at once
    update = {**ACTIVITY, "id": "https://n.example/rotation", "type": "Update"}

    async def announce(connection, record):  # type: ignore[no-untyped-def]
        await enqueue(connection, local="ateneu", activity=update, inboxes=[closed], public=True)
        return update["id"]

    await rotations.rotate("ateneu", generate_key_pair(1024), grace=60.0, now=time.time(), announce=announce)
    await store.publish(
        local="ateneu", activity={**ACTIVITY, "id": "https://n.example/post"}, inboxes=[closed], public=True
    )
    policy = FetchPolicy(allow_private_network=True)
    session = create_session(policy)
    try:
        deliverer = Deliverer(store, Signers(profiles, "https://n.example", database), session, policy)
        by_id = {d.activity_id: d for d in await store.due_deliveries(time.time(), 10)}
        # The post waits (no attempt counted) while the Update has not been tried at that host
        assert not await deliverer._attempt(by_id["https://n.example/post"])
        row = await database.one(
            "SELECT attempts, next_attempt FROM deliveries WHERE activity_id = ?", ("https://n.example/post",)
        )
        assert row is not None and row[0] == 0 and row[1] > time.time()
        # Once the Update was tried (here it fails), the post goes too: it is no longer held
        assert not await deliverer._attempt(by_id[update["id"]])
        assert not await deliverer._attempt(by_id["https://n.example/post"])
        attempts = await database.all("SELECT activity_id, attempts FROM deliveries ORDER BY activity_id")
        assert [tuple(r) for r in attempts] == [("https://n.example/post", 1), ("https://n.example/rotation", 1)]
    finally:
        await session.close()
        await database.close()
