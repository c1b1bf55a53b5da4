"""Delivery bookkeeping on a real SQLite file, and post sanitising."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dsi4bcn.fediverse.outbox import area_hashtags, sanitise_html
from dsi4bcn.fediverse.workers import Deliverer, Signers
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.notes import Notes
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache
from federation.client import FetchPolicy, create_session

ACTIVITY = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://n.example/a/1",
    "type": "Create",
    "actor": "https://n.example/actor",
    "object": {"id": "https://n.example/notes/1", "type": "Note"},
}


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


def test_posts_keep_only_what_mastodon_keeps() -> None:
    dirty = (
        '<p onclick="x()">Hola <script>alert(1)</script><b>món</b> <img src=x>'
        '<a href="javascript:alert(1)">mal</a> <a href="https://ok.example/">bé</a></p>'
    )
    clean = sanitise_html(dirty)
    assert "<script>" not in clean and "onclick" not in clean and "<img" not in clean
    assert "javascript:" not in clean
    assert '<a href="https://ok.example/" rel="nofollow noopener noreferrer">bé</a>' in clean
    assert "<b>món</b>" in clean


def test_area_hashtags_are_camel_case_english_labels() -> None:
    record = ActorRecord(
        "project", "p", "o", {"areas": ["area:open-data", "area:social-solidarity-economy"]}, "PEM", "t", "t"
    )
    tags = area_hashtags(record, "https://n.example")
    assert [t["name"] for t in tags] == ["#OpenData", "#SocialAndSolidarityEconomy"]
    assert tags[0]["href"] == "https://n.example/tags/open-data"


async def test_a_stored_shared_inbox_on_another_origin_is_not_delivered_to(tmp_path: Path) -> None:
    # Given followers stored before read_actor refused such shared inboxes
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        actors, follows = RemoteActorCache(database), Follows(database)
        rows = [
            ("https://a.example/users/ana", "https://victim.example/inbox"),  # someone else's inbox
            ("https://b.example/users/bo", "https://B.example./inbox"),  # its own, spelt otherwise
            ("https://c.example/users/cy", None),
        ]
        for actor, shared in rows:
            await actors.remember_actor(RemoteActor(actor, f"{actor}/inbox", shared, {}, "t"), [])
            await follows.add_follower("taller", actor, {"id": f"{actor}/follows/1"}, accepted=True)
        # Then the fan-out goes to the follower's own inbox instead
        assert sorted(await follows.follower_inboxes("taller")) == [
            "https://B.example./inbox",
            "https://a.example/users/ana/inbox",
            "https://c.example/users/cy/inbox",
        ]
    finally:
        await database.close()
