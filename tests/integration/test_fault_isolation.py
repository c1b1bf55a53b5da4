"""Each unit of background work fails alone: a chosen activity, delivery, profile and graph batch raise an
arbitrary exception, and everything else is still processed, on real SQLite files, a real graph process and
a real HTTP inbox on 127.0.0.1."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from dsi4bcn.config import load_config
from dsi4bcn.fediverse import ingest as ingest_module
from dsi4bcn.fediverse import workers as worker_module
from dsi4bcn.fediverse.answerintake import AnswerIntake
from dsi4bcn.fediverse.callintake import CallIntake
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.noteintake import NoteIntake
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.fediverse.workers import Deliverer, InboxProcessor, Signers
from dsi4bcn.graph import sync as graphsync_module
from dsi4bcn.graph.process import GraphService
from dsi4bcn.graph.sync import GraphSync
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.storage.callreplies import CallReplies
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedactivities import ReceivedActivities
from dsi4bcn.storage.receivedcalls import ReceivedCalls
from dsi4bcn.storage.receivednotes import ReceivedNotes
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache
from dsi4bcn.supervise import supervised
from federation.client import FetchPolicy, create_session
from tests.support.nodes import free_port

BASE = "http://node.example"
PEER = "https://peer.example"
STAMP = "2026-01-02T03:04:05Z"
PEM = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n-----END PUBLIC KEY-----\n"
)


class Boom(Exception):
    """An error no code path expects."""


async def _database(tmp_path: Path) -> Database:
    return Database(await open_database(tmp_path / "db.sqlite3"))


async def _until(predicate: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not done in time")


def _profile(slug: str) -> dict[str, Any]:
    """A received project (of the peer's organisation ``coop``), as its node publishes it."""
    fields = {"nameMap": {"ca": f"Projecte {slug}"}, "areas": ["area:maker"], "projectStatus": "status:active"}
    record = ActorRecord("project", slug, "coop", fields, PEM, STAMP, STAMP)  # type: ignore[arg-type]
    return render_actor(record, base_url=PEER, authority="peer.example", language="ca")


async def test_a_failing_activity_is_recorded_and_the_others_are_processed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = await _database(tmp_path)
    actors, follow_store, profiles = RemoteActorCache(database), Follows(database), ProfileStore(database)
    inbox = ReceivedActivities(database)
    await profiles.instance()
    await profiles.put("organisation", "coop", {"nameMap": {"ca": "Coop"}, "sectors": ["sector:industry"]}, None)
    await profiles.put("project", "guia", {"nameMap": {"ca": "Guia"}, "areas": ["area:maker"]}, "coop")
    followers = [f"{PEER}/users/u{number}" for number in range(3)]
    for follower in followers:
        actor = RemoteActor(follower, f"{follower}/inbox", None, {"id": follower}, STAMP)
        await actors.remember_actor(actor, [])
    follows = [
        {"id": f"{follower}/follows/1", "type": "Follow", "actor": follower, "object": f"{BASE}/projects/guia"}
        for follower in followers
    ]
    await inbox.store_incoming([(f["id"], f["actor"], json.dumps(f), f"{f['actor']}#key") for f in follows])
    real_handle = worker_module.handle

    def handle(activity: Any, **kwargs: Any) -> Any:
        if activity.get("id") == follows[1]["id"]:
            raise Boom("the chosen activity")
        return real_handle(activity, **kwargs)

    monkeypatch.setattr(worker_module, "handle", handle)
    directory = RemoteDirectory(actors, lambda: None)  # type: ignore[arg-type, return-value]
    ingestor = Ingestor(database, lambda: None)

    async def no_peer(_actor: str) -> None:
        return None

    processor = InboxProcessor(
        inbox,
        follow_store,
        DeliveryQueue(database),
        profiles,
        directory,
        BASE,
        lambda: None,
        ingestor,
        no_peer,
        note_intake=NoteIntake(ReceivedNotes(database), no_peer),
        call_intake=CallIntake(ReceivedCalls(database), no_peer),
        answer_intake=AnswerIntake(
            BASE, "ca", Calls(database), ReceivedCalls(database), CallOffers(database), CallReplies(database)
        ),
    )
    task = asyncio.create_task(supervised("inbox-processor", processor.run))
    try:

        async def all_processed() -> bool:
            row = await database.one("SELECT count(*) FROM inbox WHERE processed IS NULL")
            return row is not None and row[0] == 0

        await _until(all_processed)
    finally:
        task.cancel()
    outcomes = {row[0]: row[1] for row in await database.all("SELECT activity_id, outcome FROM inbox")}
    assert outcomes[follows[1]["id"]].startswith("failed: internal error (Boom: the chosen activity)")
    assert outcomes[follows[0]["id"]].startswith("follower accepted")
    assert outcomes[follows[2]["id"]].startswith("follower accepted")
    assert {f.actor for f in await follow_store.followers("guia", limit=10, offset=0)} == {followers[0], followers[2]}
    await database.close()


async def test_a_failing_delivery_is_retried_and_the_others_are_delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[str] = []

    async def inbox(request: web.Request) -> web.Response:
        received.append(request.path)
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/{name}/inbox", inbox)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    database = await _database(tmp_path)
    store, profiles = DeliveryQueue(database), ProfileStore(database)
    await profiles.instance()
    inboxes = [f"http://127.0.0.1:{port}/{name}/inbox" for name in ("a", "b", "c")]
    activity = {"id": f"{BASE}/activities/1", "type": "Create", "actor": f"{BASE}/actor", "object": "x"}
    await store.publish(local="", activity=activity, inboxes=inboxes, public=False)
    real_post = worker_module.ActivityPubClient.post

    async def post(self: Any, url: str, body: bytes, **kwargs: Any) -> Any:
        if url == inboxes[1]:
            raise Boom("the chosen delivery")
        return await real_post(self, url, body, **kwargs)

    monkeypatch.setattr(worker_module.ActivityPubClient, "post", post)
    policy = FetchPolicy(allow_private_network=True)
    session = create_session(policy)
    deliverer = Deliverer(store, Signers(profiles, BASE), session, policy, backoff_scale=100.0)
    task = asyncio.create_task(supervised("deliverer", deliverer.run))
    try:

        async def others_delivered() -> bool:
            rows = await database.all("SELECT inbox, attempts, last_error FROM deliveries")
            return len(received) == 2 and len(rows) == 1 and rows[0]["attempts"] == 1

        await _until(others_delivered)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await session.close()
        await runner.cleanup()
    assert sorted(received) == ["/a/inbox", "/c/inbox"]
    [row] = await database.all("SELECT inbox, last_error FROM deliveries")
    assert row["inbox"] == inboxes[1] and row["last_error"] == "internal error"  # kept, to be retried
    await database.close()


async def test_a_failing_profile_is_recorded_and_the_others_are_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = await _database(tmp_path)
    real_triples = ingest_module.document_triples

    def document_triples(document: Any) -> Any:
        if document.get("id") == f"{PEER}/projects/p1":
            raise Boom("the chosen profile")
        return real_triples(document)

    monkeypatch.setattr(ingest_module, "document_triples", document_triples)
    documents = [_profile(f"p{number}") for number in range(3)] + [{"@context": "rel", "id": f"{PEER}/projects/x"}]
    outcomes = await Ingestor(database, lambda: None).ingest_many(documents, peer=f"{PEER}/actor")
    assert outcomes[0] == outcomes[2] == "ingested"
    assert outcomes[1] == "failed: Boom: the chosen profile"
    assert outcomes[3].startswith("refused:")  # a relative @context is refused, not an error that stops the rest
    stored = {row[0] for row in await database.all("SELECT actor FROM remote_profiles")}
    assert stored == {f"{PEER}/projects/p0", f"{PEER}/projects/p2"}
    await database.close()


async def test_a_failing_graph_is_set_aside_and_the_rest_of_its_batch_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(data_dir=str(tmp_path / "node"), environ={})
    database = Database(await open_database(config.database_path))
    service = GraphService(config.data_dir / "graph")
    await service.start()
    try:
        ingestor = Ingestor(database, lambda: None)
        documents = [_profile(f"p{number}") for number in range(5)]
        assert await ingestor.ingest_many(documents, peer=f"{PEER}/actor") == ["ingested"] * 5
        graphs = [f"{PEER}/projects/p{number}" for number in range(5)]
        async with database.transaction() as connection:
            # A provenance IRI with a space (as a peer could once send), and N-Triples the store refuses.
            await connection.execute(
                "UPDATE remote_profiles SET activity_id = 'https://peer.example/a b' WHERE actor = ?", (graphs[1],)
            )
            await connection.execute(
                "UPDATE remote_profiles SET ntriples = ? WHERE actor = ?",
                ('<https://peer.example/projects/p3> <x:p> "open .', graphs[3]),
            )
        real_content = GraphSync._content

        async def content(self: GraphSync, graph: str, remote: dict[str, Any]) -> Any:
            if graph == graphs[4]:
                raise Boom("the chosen graph")
            return await real_content(self, graph, remote)

        monkeypatch.setattr(graphsync_module.GraphSync, "_content", content)
        sync = GraphSync(config, database, ProfileStore(database), service)
        task = asyncio.create_task(supervised("graph-sync", sync.run))
        try:

            async def settled() -> bool:
                row = await database.one("SELECT count(*) FROM graph_sync WHERE synced = 0 AND failed IS NULL")
                return row is not None and row[0] == 0

            await _until(settled)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        held = set(await service.graphs())
        assert graphs[0] in held and graphs[2] in held
        assert not {graphs[1], graphs[3], graphs[4]} & held
        count, aside = await sync.quarantined()
        reasons = {item["graph"]: item["reason"] for item in aside}
        assert count == 3
        assert "not an IRI usable in N-Triples" in reasons[graphs[1]]
        assert reasons[graphs[4]] == "Boom: the chosen graph"
        assert graphs[3] in reasons
        # A new version of a graph set aside is tried again.
        monkeypatch.setattr(graphsync_module.GraphSync, "_content", real_content)
        await ingestor.erase(graphs[4], peer=f"{PEER}/actor")
        assert await sync.sync_once() == 1
        assert (await sync.quarantined())[0] == 2
    finally:
        await service.stop()
        await database.close()


async def test_a_profile_carried_by_an_id_that_is_no_iri_is_refused(tmp_path: Path) -> None:
    database = await _database(tmp_path)
    ingestor = Ingestor(database, lambda: None)
    refused = await ingestor.ingest_many([_profile("p0")], peer=f"{PEER}/actor", activity_id=f"{PEER}/a b")
    assert refused == ["refused: the activity id is not an absolute http(s) IRI"]
    refused = await ingestor.ingest_many([_profile("p0")], peer=f"{PEER}/actor", key_id=f"{PEER}/k\ud800")
    assert refused == ["refused: the key id is not an absolute http(s) IRI"]
    assert await database.all("SELECT actor FROM remote_profiles") == []
    await database.close()
