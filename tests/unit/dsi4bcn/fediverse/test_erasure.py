"""Deletions confirmed at the origin, and listings that count as partial (no network: fakes in memory)."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest

from dsi4bcn.fediverse import peering as peering_module
from dsi4bcn.fediverse.erasure import DeletionCheck
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.peering import Peer, Peering
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.storage.database import Database, open_database
from federation.client import ActivityPubClient
from federation.errors import FetchError

ORIGIN = "http://127.0.0.1:8999"
PEER = f"{ORIGIN}/actor"
ACTOR = f"{ORIGIN}/projects/marina"


class FakeDirectory:
    """Answers actor fetches with a fixed HTTP status (200: the actor is alive)."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.fetched: list[str] = []

    async def fetch_actor(self, url: str) -> object:
        self.fetched.append(url)
        if self.status != 200:
            raise FetchError(f"HTTP {self.status} from {url}", status=self.status)
        return object()


class FakeIngestor:
    """Holds one live profile, or none."""

    def __init__(self, *, holds: bool) -> None:
        self.live = holds
        self.erased: list[str] = []

    async def holds(self, actor: str) -> bool:
        return self.live and actor == ACTOR

    async def erase(self, actor: str, *, peer: str) -> bool:
        self.erased.append(actor)
        return True


async def _peer_for(actor: str) -> str | None:
    return PEER if actor.startswith(ORIGIN) else None


def _check(status: int, *, holds: bool = True) -> tuple[DeletionCheck, FakeDirectory, FakeIngestor, list[float]]:
    directory, ingestor, now = FakeDirectory(status), FakeIngestor(holds=holds), [0.0]
    check = DeletionCheck(cast(RemoteDirectory, directory), cast(Ingestor, ingestor), _peer_for, clock=lambda: now[0])
    return check, directory, ingestor, now


@pytest.mark.parametrize("status", [404, 410])
async def test_an_actor_gone_at_its_origin_is_erased(status: int) -> None:
    check, directory, ingestor, _now = _check(status)
    task = check.confirm(ACTOR)
    assert task is not None and await task
    assert directory.fetched == [ACTOR] and ingestor.erased == [ACTOR]


async def test_an_actor_alive_at_its_origin_is_kept_and_not_fetched_again_for_a_minute() -> None:
    check, directory, ingestor, now = _check(200)
    task = check.confirm(ACTOR)
    assert task is not None and not await task
    assert check.confirm(ACTOR) is None  # forged Deletes in a row cost one fetch
    now[0] = 61.0
    task = check.confirm(ACTOR)
    assert task is not None and not await task
    assert directory.fetched == [ACTOR, ACTOR] and ingestor.erased == []


async def test_an_origin_that_fails_or_a_profile_not_held_erases_nothing() -> None:
    check, directory, ingestor, _now = _check(503)
    task = check.confirm(ACTOR)
    assert task is not None and not await task and ingestor.erased == []
    check, directory, ingestor, _now = _check(410, holds=False)
    task = check.confirm(ACTOR)
    assert task is not None and not await task
    assert directory.fetched == [] and ingestor.erased == []  # nothing held: nothing fetched
    task = check.confirm("https://elsewhere.example/users/x")
    assert task is not None and not await task and directory.fetched == []


async def test_checks_of_one_actor_do_not_run_twice_at_once() -> None:
    check, directory, _ingestor, _now = _check(410)
    first, second = check.confirm(ACTOR), check.confirm(ACTOR)
    assert first is second and first is not None
    await first
    await asyncio.sleep(0)
    assert directory.fetched == [ACTOR]


class EndlessPages:
    """A profiles collection whose pages never end, or which lists fewer items than it counts."""

    def __init__(self, *, total: int | None = None, endless: bool = True) -> None:
        self.total = total
        self.endless = endless

    async def fetch_object(self, url: str) -> dict[str, Any]:
        if "page=" not in url:
            collection: dict[str, Any] = {"id": url, "type": "OrderedCollection", "first": f"{url}?page=1"}
            if self.total is not None:
                collection["totalItems"] = self.total
            return collection
        number = int(url.rsplit("=", 1)[1])
        page: dict[str, Any] = {"id": url, "orderedItems": [{"id": f"{ORIGIN}/projects/p{number}", "type": "Group"}]}
        if self.endless:
            page["next"] = f"{url.rsplit('=', 1)[0]}={number + 1}"
        return page


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    connection = await open_database(tmp_path / "db.sqlite3")
    yield Database(connection)
    await connection.close()


def _peering(database: Database, client: EndlessPages) -> Peering:
    return Peering(
        database,
        cast(Any, None),
        cast(Any, None),
        lambda: cast(ActivityPubClient, client),
        cast(Any, None),
        Ingestor(database, lambda: None),
        "http://127.0.0.1:9000/actor",
        300.0,
        lambda: None,
    )


PEER_ROW = Peer(PEER, ORIGIN, f"{PEER}/inbox", f"{PEER}/profiles", "f", "2026-01-01T00:00:00Z", 0, 0, None, None)


async def test_a_listing_cut_off_at_the_page_limit_is_partial(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(peering_module, "_MAX_PAGES", 3)
    peering = _peering(database, EndlessPages())
    assert await peering._collection_items(f"{PEER}/profiles", PEER_ROW) is None


async def test_a_listing_with_fewer_items_than_it_counts_is_partial(database: Database) -> None:
    listed = _peering(database, EndlessPages(total=1, endless=False))
    assert await listed._collection_items(f"{PEER}/profiles", PEER_ROW) == [
        {"id": f"{ORIGIN}/projects/p1", "type": "Group"}
    ]
    short = _peering(database, EndlessPages(total=5, endless=False))
    assert await short._collection_items(f"{PEER}/profiles", PEER_ROW) is None
