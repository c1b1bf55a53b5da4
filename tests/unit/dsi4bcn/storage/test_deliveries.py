"""The delivery queue on a real SQLite file: retries, failing hosts, batches of successes (``storage.deliveries``)."""

import time
from pathlib import Path

from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.notes import Notes
from tests.support.activities import ACTIVITY


async def test_retry_later_counts_attempts_and_records_the_day(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    store = DeliveryQueue(database)
    await store.publish(local="", activity=ACTIVITY, inboxes=["https://slow.example/inbox"], public=False)
    [delivery] = await store.due_deliveries(time.time(), 10)
    await store.retry_later(delivery, "HTTP 503", time.time() + 60)
    assert await store.due_deliveries(time.time(), 10) == []
    assert await store.next_due() is not None
    assert len(await store.failure_days("slow.example")) == 1
    [later] = await store.due_deliveries(time.time() + 61, 10)
    assert later.attempts == 1
    await store.delivered(later)
    assert await store.pending_deliveries() == 0 and await store.failure_days("slow.example") == []
    assert await Notes(database).outbox_page("", limit=10, offset=0) == []  # not public: not listed
    await database.close()


async def test_a_batch_of_successes_is_recorded_in_one_go(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    store = DeliveryQueue(database)
    inboxes = [f"https://h{n % 3}.example/users/u{n}/inbox" for n in range(1200)]
    assert await store.publish(local="", activity=ACTIVITY, inboxes=inboxes, public=True) == 1200
    [first, *others] = await store.due_deliveries(time.time(), 2000)
    await store.retry_later(first, "HTTP 503", time.time() - 1)  # h0 failed once, then answers again
    assert await store.failure_days("h0.example")
    [first] = [d for d in await store.due_deliveries(time.time(), 2000) if d.id == first.id]
    await store.delivered_many([first, *others[:1099]])  # more ids than one statement takes
    left = await store.due_deliveries(time.time(), 2000)
    assert [d.id for d in left] == [d.id for d in others[1099:]]
    assert await store.failure_days("h0.example") == []
    await database.close()


async def test_health_counts_what_is_owed_and_the_hosts_that_fail(database: Database) -> None:
    store = DeliveryQueue(database)
    empty = await store.health(dead_after=7)
    assert (empty.owed, empty.oldest, empty.failing_hosts, empty.dead_hosts) == (0, None, 0, 0)
    inboxes = ["https://slow.example/inbox", "https://gone.example/inbox"]
    await store.publish(local="", activity=ACTIVITY, inboxes=inboxes, public=False)
    slow, gone = sorted(await store.due_deliveries(time.time(), 10), key=lambda delivery: delivery.host)[::-1]
    await store.retry_later(slow, "HTTP 503", time.time() + 60)
    async with database.transaction() as connection:
        await connection.executemany(
            "INSERT INTO host_failures (host, day) VALUES ('gone.example', ?)",
            [(f"2026-01-0{day}",) for day in range(1, 8)],
        )
    health = await store.health(dead_after=7)
    assert (health.owed, health.failing_hosts, health.dead_hosts) == (2, 2, 1)
    assert health.oldest is not None and health.oldest.endswith("Z")
    await store.give_up(gone, "host unavailable")
    await store.delivered(slow)
    assert (await store.health(dead_after=7)).owed == 0
