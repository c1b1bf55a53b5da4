"""Blocked domains on a real SQLite file: block, purge in the same transaction, unblock."""

import pytest

from dsi4bcn.storage.blocks import BlockedDomains, BlockPurge, blocked_domains_in, blocked_url, normalise_domain
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.receivedactivities import ReceivedActivities
from dsi4bcn.storage.receivedprofiles import NewProfile, write_profiles_in
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache

EVIL = "https://sub.evil.example/users/e"
GOOD = "https://good.example/users/g"


async def _hold(database: Database, actor: str, number: int) -> None:
    await Follows(database).add_follower("taller", actor, {"id": f"{actor}/follows/1"}, accepted=True)
    await Follows(database).follow("taller", actor, f"{actor}/followed-by/taller")
    await RemoteActorCache(database).remember_actor(RemoteActor(actor, f"{actor}/inbox", None, {}, "t"), [])
    activity = {"id": f"https://n.example/activities/{number}", "type": "Create"}
    await DeliveryQueue(database).publish(local="taller", activity=activity, inboxes=[f"{actor}/inbox"], public=False)
    await ReceivedActivities(database).store_incoming([(f"{actor}/activities/1", actor, "{}", f"{actor}#key")])
    async with database.transaction() as connection:
        await write_profiles_in(connection, [NewProfile(actor, actor, "{}", "", None, None, "t", "t")])


async def test_a_block_purges_what_is_held_from_the_domain_and_below(database: Database) -> None:
    await _hold(database, EVIL, 1)
    await _hold(database, GOOD, 2)
    blocks = BlockedDomains(database)
    purge = await blocks.block("evil.example", "spam")
    assert purge == BlockPurge(True, 1, 1, 1, 1, (EVIL,), (EVIL,))
    assert [(domain, reason) for domain, reason, _created in await blocks.rows()] == [("evil.example", "spam")]
    assert [f.actor for f in await Follows(database).followers("taller")] == [GOOD]
    assert await RemoteActorCache(database).actor(EVIL) is None
    assert await DeliveryQueue(database).pending_deliveries() == 1
    assert [i.actor for i in await ReceivedActivities(database).unprocessed()] == [GOOD]
    row = await database.one("SELECT count(*) FROM graph_sync WHERE graph = ? AND synced = 0", (EVIL,))
    assert row is not None and row[0] == 1
    async with database.transaction() as connection:
        assert await blocked_domains_in(connection) == ["evil.example"]
    # Blocking again is not new and purges nothing more; unblocking says whether it was blocked
    assert await blocks.block("evil.example") == BlockPurge(False)
    assert await blocks.unblock("evil.example")
    assert not await blocks.unblock("evil.example")
    assert await blocks.rows() == []


async def test_a_block_that_fails_leaves_nothing_behind(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await _hold(database, EVIL, 1)

    async def broken(*_args: object) -> None:
        raise RuntimeError("purge failed")

    monkeypatch.setattr("dsi4bcn.storage.blocks.mark_unsynced", broken)
    with pytest.raises(RuntimeError):
        await BlockedDomains(database).block("evil.example")
    assert await BlockedDomains(database).rows() == []
    assert await RemoteActorCache(database).actor(EVIL) is not None  # rolled back with the block row


def test_domains_and_urls_are_compared_in_canonical_form() -> None:
    assert normalise_domain(" EVIL.Example. ") == "evil.example"
    assert normalise_domain("no such host!") is None
    assert blocked_url("https://a.sub.evil.example/x", ["evil.example"])
    assert not blocked_url("https://notevil.example/x", ["evil.example"])
    assert blocked_url("not a url", [])  # no usable host: counts as blocked
