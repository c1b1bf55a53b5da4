"""The app as ``create_app`` wires it, over a real SQLite file: profile writes call the registered hooks."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dsi4bcn.app import create_app
from dsi4bcn.config import load_config
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.web.appkeys import ADMIN_TOKEN, PROFILE_WRITES

ORGANISATION = {"nameMap": {"ca": "Clau Oberta"}, "sectors": ["sector:civil-society"], "areas": ["area:privacy"]}


class Seen:
    """What the hooks a test registers were called with."""

    def __init__(self) -> None:
        self.in_transaction: list[tuple[str, bool, int]] = []
        self.committed: list[tuple[str, bool, str | None]] = []
        self.fail = False


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[tuple[TestClient[web.Request, web.Application], Seen]]:
    app = create_app(load_config(data_dir=str(tmp_path / "node"), base_url="http://127.0.0.1:1", environ={}))
    seen = Seen()

    async def register(app: web.Application) -> None:  # after the app's own start-up, which built the services
        async def in_transaction(connection: aiosqlite.Connection, record: ActorRecord, created: bool) -> None:
            graph = f"http://127.0.0.1:1/organisations/{record.slug}"
            async with connection.execute("SELECT synced FROM graph_sync WHERE graph = ?", (graph,)) as cursor:
                row = await cursor.fetchone()
            assert row is not None  # the app's own hook, registered first, has marked the graph unsynced
            seen.in_transaction.append((record.slug, created, int(row[0])))
            if seen.fail:
                raise RuntimeError("refused by the test hook")

        app[PROFILE_WRITES].in_transaction(in_transaction)
        app[PROFILE_WRITES].committed(
            lambda record, created: seen.committed.append((record.slug, created, record.deleted))
        )

    app.on_startup.append(register)
    async with TestClient(TestServer(app)) as client:
        yield client, seen


async def test_profile_writes_call_the_registered_hooks(
    node: tuple[TestClient[web.Request, web.Application], Seen],
) -> None:
    client, seen = node
    auth = {"Authorization": f"Bearer {client.app[ADMIN_TOKEN]}"}
    # When a profile is created, rewritten unchanged, changed, and deleted
    created = await client.put("/api/organisations/clau-oberta", json=ORGANISATION, headers=auth)
    unchanged = await client.put("/api/organisations/clau-oberta", json=ORGANISATION, headers=auth)
    changed = await client.put(
        "/api/organisations/clau-oberta", json=dict(ORGANISATION, nameMap={"ca": "Clau"}), headers=auth
    )
    deleted = await client.delete("/api/organisations/clau-oberta", headers=auth)
    # Then each write ran the hooks inside its transaction (with the graph already marked), then after it
    assert [created.status, unchanged.status, changed.status, deleted.status] == [201, 200, 200, 200]
    assert seen.in_transaction == [("clau-oberta", True, 0), ("clau-oberta", False, 0), ("clau-oberta", False, 0)]
    assert [(slug, was_created) for slug, was_created, _ in seen.committed] == [
        ("clau-oberta", True),
        ("clau-oberta", False),
        ("clau-oberta", False),
    ]
    assert seen.committed[-1][2] is not None  # the deletion's record is a tombstone


async def test_a_failing_transaction_hook_leaves_nothing_written(
    node: tuple[TestClient[web.Request, web.Application], Seen],
) -> None:
    client, seen = node
    auth = {"Authorization": f"Bearer {client.app[ADMIN_TOKEN]}"}
    seen.fail = True
    refused = await client.put("/api/organisations/clau-oberta", json=ORGANISATION, headers=auth)
    assert refused.status == 500
    assert seen.committed == []
    assert (await client.get("/api/organisations/clau-oberta", headers=auth)).status == 404
