"""Tombstones of aggregated profiles are ordered by the origin's clock, never by this node's."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dsi4bcn.fediverse.ingest import Ingestor, origin_stamp
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.storage.database import Database, open_database
from federation.keys import generate_key_pair

BASE = "http://127.0.0.1:8999"
PEER = f"{BASE}/actor"
ACTOR = f"{BASE}/projects/marina"
PEM = generate_key_pair().public_pem


def _version(updated: str, **changes: Any) -> dict[str, Any]:
    """The project as its origin publishes it, last changed at ``updated`` (the origin's clock)."""
    fields = {"nameMap": {"ca": "Taller"}, "areas": ["area:maker"], "projectStatus": "status:active"}
    record = ActorRecord("project", "marina", "org", fields, PEM, "2025-01-01T00:00:00Z", updated)
    document = render_actor(record, base_url=BASE, authority="127.0.0.1:8999", language="ca")
    document.update(changes)
    return document


@pytest.fixture
async def ingestor(tmp_path: Path) -> AsyncIterator[tuple[Ingestor, Database]]:
    connection = await open_database(tmp_path / "db.sqlite3")
    database = Database(connection)
    yield Ingestor(database, lambda: None), database
    await connection.close()


async def _row(database: Database) -> tuple[str, str | None]:
    row = await database.one("SELECT updated, deleted FROM remote_profiles WHERE actor = ?", (ACTOR,))
    assert row is not None
    return row["updated"], row["deleted"]


async def test_a_delete_keeps_the_origin_time_so_a_later_version_returns(
    ingestor: tuple[Ingestor, Database],
) -> None:
    ingest, database = ingestor
    # Given a version the origin stamped long before this node's clock (as if this node's clock ran ahead)
    assert await ingest.ingest(_version("2026-01-01T00:00:00Z"), peer=PEER) == "ingested"
    # When its Delete (which carries no time) erases it
    assert await ingest.erase(ACTOR, peer=PEER)
    updated, deleted = await _row(database)
    # Then the tombstone keeps the origin's time; the local time is only the deletion's record
    assert updated == "2026-01-01T00:00:00Z" and deleted is not None and deleted > updated
    # and the erased copy cannot come back, but the origin's next version (older than the local clock) can
    assert (await ingest.ingest(_version("2026-01-01T00:00:00Z"), peer=PEER)).startswith("stale")
    assert await ingest.ingest(_version("2026-01-01T00:00:01Z"), peer=PEER) == "ingested"
    assert await _row(database) == ("2026-01-01T00:00:01Z", None)


async def test_withdrawn_consent_is_ordered_by_the_version_that_withdrew_it(
    ingestor: tuple[Ingestor, Database],
) -> None:
    ingest, database = ingestor
    assert await ingest.ingest(_version("2026-01-01T00:00:00Z"), peer=PEER) == "ingested"
    withdrawn = await ingest.ingest(_version("2026-01-02T00:00:00Z", indexable=False), peer=PEER)
    assert withdrawn.startswith("erased")
    assert (await _row(database))[0] == "2026-01-02T00:00:00Z"
    # An older or equal version is the past; the next version with consent given again comes back
    assert (await ingest.ingest(_version("2026-01-01T12:00:00Z"), peer=PEER)).startswith("stale")
    assert (await ingest.ingest(_version("2026-01-02T00:00:00Z"), peer=PEER)).startswith("stale")
    assert await ingest.ingest(_version("2026-01-03T00:00:00Z"), peer=PEER) == "ingested"


async def test_a_listed_tombstone_older_than_the_held_version_erases_nothing(
    ingestor: tuple[Ingestor, Database],
) -> None:
    ingest, database = ingestor
    assert await ingest.ingest(_version("2026-01-05T00:00:00Z"), peer=PEER) == "ingested"
    # A tombstone from before the held version (the profile was created again since) does not erase it
    assert not await ingest.erase(ACTOR, peer=PEER, origin_time="2026-01-04T00:00:00Z")
    assert await _row(database) == ("2026-01-05T00:00:00Z", None)
    # One from after it does, and keeps its time
    assert await ingest.erase(ACTOR, peer=PEER, origin_time="2026-01-06T00:00:00Z")
    assert (await _row(database))[0] == "2026-01-06T00:00:00Z"
    assert await ingest.ingest(_version("2026-01-07T00:00:00Z"), peer=PEER) == "ingested"


async def test_a_resync_erases_only_the_version_it_saw_missing(ingestor: tuple[Ingestor, Database]) -> None:
    ingest, database = ingestor
    assert await ingest.ingest(_version("2026-01-01T00:00:00Z"), peer=PEER) == "ingested"
    # A newer version was pushed while the resync was listing: the version it saw is no longer held
    assert await ingest.ingest(_version("2026-01-02T00:00:00Z"), peer=PEER) == "ingested"
    assert not await ingest.erase(ACTOR, peer=PEER, if_updated="2026-01-01T00:00:00Z")
    assert await _row(database) == ("2026-01-02T00:00:00Z", None)
    assert await ingest.erase(ACTOR, peer=PEER, if_updated="2026-01-02T00:00:00Z")


def test_origin_stamps_are_normalised() -> None:
    assert origin_stamp("2026-01-01T01:00:00.5+01:00") == "2026-01-01T00:00:00Z"
    assert origin_stamp("2026-01-01T00:00:00") == "2026-01-01T00:00:00Z"
    assert origin_stamp("yesterday") is None and origin_stamp(None) is None


async def _images(database: Database) -> dict[str, str]:
    rows = await database.all("SELECT role, url FROM profile_images WHERE actor = ?", (ACTOR,))
    return {row["role"]: row["url"] for row in rows}


async def test_the_images_a_profile_names_are_kept_with_it(ingestor: tuple[Ingestor, Database]) -> None:
    ingest, database = ingestor
    logo, header = "https://img.example/logo.png", "https://img.example/header.webp"
    # Given a version naming a logo and a header image: both are recorded and queued for fetching
    icons = {"icon": {"type": "Image", "url": logo}, "image": {"type": "Image", "url": header}}
    assert await ingest.ingest(_version("2026-01-01T00:00:00Z", **icons), peer=PEER) == "ingested"
    assert await _images(database) == {"icon": logo, "image": header}
    queued = {row[0] for row in await database.all("SELECT url FROM remote_media")}
    assert queued == {logo, header}
    # When the next version names another logo and no header, only that logo is named
    other = {"icon": {"type": "Image", "url": "https://img.example/new.png"}}
    assert await ingest.ingest(_version("2026-01-02T00:00:00Z", **other), peer=PEER) == "ingested"
    assert await _images(database) == {"icon": "https://img.example/new.png"}
    # and once the profile is erased, it names none
    assert await ingest.erase(ACTOR, peer=PEER)
    assert await _images(database) == {}
