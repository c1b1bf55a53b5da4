"""Removing a peer while its resync runs: nothing the resync fetched comes back (fakes in memory, real SQLite)."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest

from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.outbox import Publisher
from dsi4bcn.fediverse.peering import Peering
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.peers import PeerStore
from federation.client import ActivityPubClient
from federation.keys import generate_key_pair

ORIGIN = "http://127.0.0.1:8999"
PEER = f"{ORIGIN}/actor"
ACTOR = f"{ORIGIN}/projects/marina"
UPDATED = "2026-01-01T00:00:00Z"


def _profile() -> dict[str, Any]:
    fields = {"nameMap": {"ca": "Taller"}, "areas": ["area:maker"], "projectStatus": "status:active"}
    record = ActorRecord("project", "marina", "org", fields, generate_key_pair().public_pem, UPDATED, UPDATED)
    return render_actor(record, base_url=ORIGIN, authority="127.0.0.1:8999", language="ca")


class SlowPeer:
    """A peer listing one profile, whose fetch waits until ``release`` is set."""

    def __init__(self) -> None:
        self.fetching = asyncio.Event()
        self.release = asyncio.Event()

    async def fetch_object(self, url: str) -> dict[str, Any]:
        if url.endswith("/profiles"):
            return {"id": url, "type": "OrderedCollection", "orderedItems": [{"id": ACTOR, "updated": UPDATED}]}
        self.fetching.set()
        await self.release.wait()
        return _profile()


class SlowUnfollow:
    """A publisher whose ``Undo`` of the follow takes until ``release`` is set."""

    def __init__(self) -> None:
        self.unfollowing = asyncio.Event()
        self.release = asyncio.Event()

    async def unfollow(self, *_args: Any) -> None:
        self.unfollowing.set()
        await self.release.wait()


def _peering(database: Database, peer: SlowPeer, publisher: SlowUnfollow) -> tuple[Peering, Ingestor]:
    """A node's peering (and its ingestor) that reaches ``peer`` and sends its activities by ``publisher``."""
    ingestor = Ingestor(database, lambda: None)
    peering = Peering(
        database,
        cast(Any, None),
        cast(Any, None),
        lambda: cast(ActivityPubClient, peer),
        cast(Publisher, publisher),
        ingestor,
        "http://127.0.0.1:9000/actor",
        300.0,
        lambda: None,
    )
    return peering, ingestor


async def _add_peer(database: Database) -> None:
    await PeerStore(database).add(
        actor=PEER, origin=ORIGIN, inbox=f"{PEER}/inbox", profiles=f"{PEER}/profiles", follow_id="f"
    )


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    connection = await open_database(tmp_path / "db.sqlite3")
    yield Database(connection)
    await connection.close()


async def test_a_resync_running_while_its_peer_is_removed_brings_nothing_back(database: Database) -> None:
    # Given a peer, and a removal of it that is still sending its Undo
    peer, publisher = SlowPeer(), SlowUnfollow()
    peering, ingestor = _peering(database, peer, publisher)
    await _add_peer(database)
    removal = asyncio.create_task(peering.remove(PEER))
    await asyncio.wait_for(publisher.unfollowing.wait(), 5)
    # When the periodic resync, from a list of peers read just before, starts on it and is fetching its profile
    peering.schedule(PEER)
    await asyncio.wait_for(peer.fetching.wait(), 5)
    publisher.release.set()
    dropped = await asyncio.wait_for(removal, 5)
    peer.release.set()
    await asyncio.gather(*peering._tasks.values(), return_exceptions=True)
    await asyncio.sleep(0.05)
    # Then the peer is gone and nothing of it is held, before or after the resync would have ended
    assert dropped == 0
    assert await peering.peer(PEER) is None
    assert await ingestor.held(PEER) == {}


async def test_adding_a_peer_again_starts_its_progress_again(database: Database) -> None:
    peers = PeerStore(database)
    row = {"actor": PEER, "origin": ORIGIN, "inbox": f"{PEER}/inbox", "profiles": f"{PEER}/profiles"}
    await peers.add(**row, follow_id="f1")
    await peers.note_progress(PEER, total=3, done=3, synced=True, error="an old failure")
    await peers.add(**row, follow_id="f2")
    again = await peers.find(PEER, ORIGIN)
    assert again is not None
    assert (again.follow_id, again.backfill_total, again.backfill_done, again.last_error) == ("f2", 0, 0, None)
    assert again.last_sync is not None  # the last complete sync, until the resync that follows ends


async def test_a_resync_with_nothing_to_fetch_keeps_the_last_backfills_numbers(database: Database) -> None:
    # Given a peer whose one profile was backfilled (1 of 1) and has not changed since
    peer = SlowPeer()
    peer.release.set()
    peering, ingestor = _peering(database, peer, SlowUnfollow())
    await _add_peer(database)
    await peering.resync(PEER)
    assert set(await ingestor.held(PEER)) == {ACTOR}
    # When the periodic resync finds nothing to fetch
    await peering.resync(PEER)
    # Then the peer still shows its backfill's numbers, and a newer sync
    synced = await PeerStore(database).find(PEER, ORIGIN)
    assert synced is not None and (synced.backfill_total, synced.backfill_done) == (1, 1)
    assert synced.last_sync is not None
