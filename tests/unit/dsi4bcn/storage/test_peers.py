"""Peers on a real SQLite file: add, find, record sync progress, remove."""

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.peers import Peer, PeerStore

PEER, ORIGIN = "https://peer.example/actor", "https://peer.example"
OTHER, OTHER_ORIGIN = "https://another.example/actor", "https://another.example"


async def _add(peers: PeerStore, actor: str, origin: str, follow_id: str = "f1") -> None:
    await peers.add(
        actor=actor, origin=origin, inbox=f"{actor}/inbox", profiles=f"{actor}/profiles", follow_id=follow_id
    )


async def test_peers_are_added_found_and_renewed(database: Database) -> None:
    peers = PeerStore(database)
    await _add(peers, PEER, ORIGIN)
    await _add(peers, OTHER, OTHER_ORIGIN)
    assert [peer.origin for peer in await peers.all()] == [OTHER_ORIGIN, ORIGIN]
    assert await peers.actors() == [OTHER, PEER]
    assert await peers.origins() == {ORIGIN: PEER, OTHER_ORIGIN: OTHER}
    found = await peers.find(PEER, "")
    assert isinstance(found, Peer) and found.inbox == f"{PEER}/inbox" and found.backfill_total == 0
    assert await peers.find("https://x.example/actor", ORIGIN) == found  # by origin
    await _add(peers, PEER, ORIGIN, follow_id="f2")  # added again: renewed, not doubled
    renewed = await peers.find(PEER, ORIGIN)
    assert renewed is not None and renewed.follow_id == "f2" and renewed.added == found.added
    await peers.set_follow_id(PEER, "f3")
    assert (await peers.find(PEER, ORIGIN)).follow_id == "f3"  # type: ignore[union-attr]
    assert found.as_json()["backfill"] == {"total": 0, "done": 0}


async def test_progress_is_recorded_and_a_sync_clears_the_last_error(database: Database) -> None:
    peers = PeerStore(database)
    await _add(peers, PEER, ORIGIN)
    await peers.note_progress(PEER, total=10, done=4, error="x" * 900)
    noted = await peers.find(PEER, ORIGIN)
    assert noted is not None and (noted.backfill_total, noted.backfill_done) == (10, 4)
    assert noted.last_error == "x" * 500 and noted.last_sync is None
    await peers.note_progress(PEER, done=10, synced=True)
    synced = await peers.find(PEER, ORIGIN)
    assert synced is not None and synced.last_error is None and synced.last_sync is not None
    assert synced.backfill_total == 10


async def test_removing_a_peer_drops_the_instance_actors_follow_of_it(database: Database) -> None:
    peers, follows = PeerStore(database), Follows(database)
    await _add(peers, PEER, ORIGIN)
    await follows.follow("", PEER, "f1")
    await follows.follow("taller", PEER, "f-taller")
    await peers.remove(PEER)
    assert await peers.find(PEER, ORIGIN) is None and await peers.all() == []
    assert not await follows.asked_to_follow("", PEER)
    assert await follows.asked_to_follow("taller", PEER)  # only the instance actor's follow goes


async def test_unknown_peers_are_none_and_empty(database: Database) -> None:
    peers = PeerStore(database)
    assert await peers.find("https://nobody.example/actor", "https://nobody.example") is None
    assert await peers.origins() == {} and await peers.actors() == []
    await peers.note_progress("https://nobody.example/actor", total=1, synced=True)  # no row: no error
    await peers.remove("https://nobody.example/actor")
