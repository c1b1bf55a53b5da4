"""Follows both ways on a real SQLite file: followers, follow answers, counts, pages, fan-out inboxes."""

from pathlib import Path

import pytest

from dsi4bcn.storage.blocks import BlockedDomains
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.follows import Follows, follower_inboxes_in
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache

ACTORS = [f"https://h{n}.example/users/u{n}" for n in range(3)]


async def test_followers_are_added_renewed_counted_paged_and_removed(database: Database) -> None:
    follows = Follows(database)
    for number, actor in enumerate(ACTORS):
        await follows.add_follower("taller", actor, {"id": f"{actor}/follows/1"}, accepted=number != 2)
    assert [f.actor for f in await follows.followers("taller")] == ACTORS[:2]
    assert [f.actor for f in await follows.followers("taller", accepted=False)] == ACTORS[2:]
    assert [f.actor for f in await follows.followers("taller", limit=1, offset=1)] == ACTORS[1:2]
    assert await follows.count_followers("taller") == 2
    pending = await follows.follower("taller", ACTORS[2])
    assert pending is not None and not pending.accepted and pending.follow_id == f"{ACTORS[2]}/follows/1"
    # A renewed follow keeps an acceptance already given
    await follows.add_follower("taller", ACTORS[0], {"id": f"{ACTORS[0]}/follows/2"}, accepted=False)
    renewed = await follows.follower("taller", ACTORS[0])
    assert renewed is not None and renewed.accepted and renewed.follow["id"] == f"{ACTORS[0]}/follows/2"
    assert await follows.remove_follower(ACTORS[0], local="taller") == 1
    assert await follows.remove_follower(ACTORS[1], follow_id=f"{ACTORS[1]}/follows/1") == 1
    assert await follows.remove_follower(ACTORS[1], follow_id="https://nope.example/f") == 0
    assert await follows.count_followers("taller") == 0


async def test_a_follower_on_a_blocked_domain_is_not_recorded(database: Database) -> None:
    follows = Follows(database)
    await BlockedDomains(database).block("h0.example")
    await follows.add_follower("taller", "https://sub.H0.example./users/x", {"id": "x"}, accepted=True)
    assert await follows.follower("taller", "https://sub.H0.example./users/x") is None


async def test_following_is_asked_answered_and_listed(database: Database) -> None:
    follows = Follows(database)
    for number, actor in enumerate(ACTORS):
        await follows.follow("", actor, f"https://n.example/follows/{number}")
    assert await follows.answer_follow(ACTORS[0], True, "https://n.example/follows/0", None) == 1
    # Found by local actor when the follow id does not match
    assert await follows.answer_follow(ACTORS[1], False, "https://n.example/follows/other", "") == 1
    assert await follows.answer_follow(ACTORS[2], True, "https://n.example/follows/other", None) == 0
    assert await follows.following("") == [(ACTORS[0], "accepted"), (ACTORS[1], "rejected"), (ACTORS[2], "pending")]
    assert await follows.following("", state="accepted") == [(ACTORS[0], "accepted")]
    assert await follows.count_following("") == 1
    assert await follows.asked_to_follow("", ACTORS[2])
    assert not await follows.asked_to_follow("taller", ACTORS[2])


async def test_fan_out_goes_once_to_each_shared_inbox_of_accepted_followers(database: Database) -> None:
    cache, follows = RemoteActorCache(database), Follows(database)
    for actor in ACTORS:
        await cache.remember_actor(RemoteActor(actor, f"{actor}/inbox", "https://h0.example/inbox", {}, "t"), [])
        await follows.add_follower("taller", actor, {"id": f"{actor}/follows/1"}, accepted=actor != ACTORS[2])
    expected = ["https://h0.example/inbox", f"{ACTORS[1]}/inbox"]
    assert await follows.follower_inboxes("taller") == expected
    async with database.transaction() as connection:
        assert await follower_inboxes_in(connection, "taller") == expected
        assert await follower_inboxes_in(connection, "nobody") == []


async def test_a_follow_without_an_id_is_stored_under_the_text_none(database: Database) -> None:
    follows = Follows(database)
    await follows.add_follower("taller", ACTORS[0], {}, accepted=True)
    stored = await follows.follower("taller", ACTORS[0])
    assert stored is not None and stored.follow_id == "None"
    with pytest.raises(TypeError):
        await follows.add_follower("taller", ACTORS[1], {"id": object()}, accepted=True)  # not JSON


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
