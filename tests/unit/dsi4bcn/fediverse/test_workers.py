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
