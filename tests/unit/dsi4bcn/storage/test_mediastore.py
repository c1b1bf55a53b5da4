"""The media tables on a real SQLite file: images stored once by hash, the images received profiles name,
the fetch queue with failures and backoff, and dropping what no profile names any more."""

import hashlib

from dsi4bcn.storage.database import Database
from dsi4bcn.storage.mediastore import (
    MediaRef,
    MediaStore,
    drop_profile_images_in,
    set_profile_images_in,
)

A, B = "https://peer.example/projects/a", "https://peer.example/projects/b"
LOGO, HEADER, OTHER = "https://peer.example/a.png", "https://peer.example/a-header.png", "https://x.example/b.png"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_an_image_is_stored_once_by_its_hash(database: Database) -> None:
    media = MediaStore(database)
    sha = _sha(b"png")
    ref = await media.put(sha, "image/png", b"png", 10, 20, "upload")
    assert ref == MediaRef(sha, "image/png", 10, 20)
    await media.put(sha, "image/png", b"png", 10, 20, "upload")
    found = await media.get(sha)
    assert found is not None and found.data == b"png" and found.ref == ref
    assert await media.get(_sha(b"none")) is None
    assert await media.refs([sha, _sha(b"none")]) == {sha: ref}
    rows = await database.all("SELECT count(*) FROM media")
    assert rows[0][0] == 1


async def test_received_profiles_images_are_queued_fetched_and_read(database: Database) -> None:
    media = MediaStore(database)
    async with database.transaction() as connection:
        await set_profile_images_in(connection, {A: {"icon": LOGO, "image": HEADER}, B: {"icon": LOGO}})
    due = dict(await media.due(10))
    assert due == {LOGO: 0, HEADER: 0}  # one entry per URL, however many profiles name it
    assert await media.received_images([A, B]) == {}  # nothing fetched yet
    await media.fetched(LOGO, _sha(b"logo"), "image/png", b"logo", 64, 64)
    logo = MediaRef(_sha(b"logo"), "image/png", 64, 64)
    assert await media.received_images([A, B]) == {A: {"icon": logo}, B: {"icon": logo}}
    assert await media.cached([LOGO, HEADER]) == {LOGO: logo}
    assert dict(await media.due(10)) == {HEADER: 0}
    # A changes its logo: the old copy is no longer shown for it, the new URL is queued.
    async with database.transaction() as connection:
        await set_profile_images_in(connection, {A: {"icon": OTHER}})
    assert await media.received_images([A, B]) == {B: {"icon": logo}}
    assert OTHER in dict(await media.due(10))
    # B is erased: it names nothing any more.
    async with database.transaction() as connection:
        await drop_profile_images_in(connection, [B])
    assert await media.received_images([A, B]) == {}


async def test_a_failure_is_recorded_and_retried_later(database: Database) -> None:
    media = MediaStore(database)
    await media.want([LOGO, OTHER])
    await media.failed(LOGO, "HTTP 500", 1, 3600)
    assert dict(await media.due(10)) == {OTHER: 0}  # LOGO waits; OTHER is not held up by it
    assert await media.failures() == [(LOGO, "HTTP 500", 1)]
    await media.failed(OTHER, "timed out", 1, -1)  # due again already
    assert dict(await media.due(10)) == {OTHER: 1}
    assert len(await media.due(1)) == 1  # the batch is bounded


async def test_unused_urls_and_their_cached_copies_are_dropped(database: Database) -> None:
    media = MediaStore(database)
    uploaded = await media.put(_sha(b"up"), "image/png", b"up", 1, 1, "upload")
    async with database.transaction() as connection:
        await set_profile_images_in(connection, {A: {"icon": LOGO}, B: {"icon": OTHER}})
    await media.fetched(LOGO, _sha(b"logo"), "image/png", b"logo", 1, 1)
    await media.fetched(OTHER, _sha(b"other"), "image/png", b"other", 1, 1)
    await media.want([HEADER])
    await media.fetched(HEADER, uploaded.sha256, "image/png", b"up", 1, 1)  # a copy of an uploaded image
    local = "https://elsewhere.example/local-logo.png"
    await media.want([local])
    async with database.transaction() as connection:
        await drop_profile_images_in(connection, [B])
    assert await media.forget_unused([local]) == 2  # OTHER and HEADER: no profile names them
    assert await media.cached([LOGO, OTHER, HEADER]) == {LOGO: MediaRef(_sha(b"logo"), "image/png", 1, 1)}
    assert await media.get(_sha(b"other")) is None  # its cached copy went with it
    assert await media.get(uploaded.sha256) is not None  # an upload stays
    assert local in dict(await media.due(10))  # a local profile's remote image stays queued
