"""The media fetcher over a real SQLite file and a stand-in client: each URL fails alone with its reason and
is retried later, only real images of the type the answer declares are kept, blocked domains are skipped,
and local profiles' images on other hosts are queued."""

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dsi4bcn.fediverse.mediafetch import MediaFetcher, local_image_urls
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.mediastore import MediaStore, set_profile_images_in
from federation.client import Fetched
from federation.errors import UnsafeURLError

BASE = "https://node.example"
ACTOR = "https://peer.example/projects/p"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), "#0b5687").save(buffer, format="PNG")
    return buffer.getvalue()


class StandIn:
    """Answers GETs from a table: a ``Fetched`` or an exception to raise; records what was asked."""

    def __init__(self, answers: dict[str, Fetched | Exception]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def get(self, url: str, **_options: Any) -> Fetched:
        self.asked.append(url)
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _answer(url: str, body: bytes, content_type: str = "image/png", status: int = 200) -> Fetched:
    return Fetched(url=url, status=status, content_type=content_type, headers={}, body=body)


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Database, MediaStore, ProfileStore]]:
    connection = await open_database(tmp_path / "db.sqlite3")
    database = Database(connection)
    yield database, MediaStore(database), ProfileStore(database)
    await connection.close()


async def test_each_url_fails_alone_and_good_images_are_kept(parts: tuple[Database, MediaStore, ProfileStore]) -> None:
    database, media, store = parts
    urls = {name: f"https://peer.example/{name}" for name in ("good", "svg", "lying", "gone", "private", "boom")}
    client = StandIn(
        {
            urls["good"]: _answer(urls["good"], _png()),
            urls["svg"]: _answer(urls["svg"], b"<svg/>", "image/svg+xml"),
            urls["lying"]: _answer(urls["lying"], b"<html></html>", "image/png"),
            urls["gone"]: _answer(urls["gone"], b"", "text/html", 404),
            urls["private"]: UnsafeURLError("127.0.0.1 is a private address"),
            urls["boom"]: RuntimeError("something unexpected"),
        }
    )
    async with database.transaction() as connection:
        await set_profile_images_in(connection, {f"{ACTOR}{i}": {"icon": url} for i, url in enumerate(urls.values())})
    fetcher = MediaFetcher(media, client, store, BASE, is_blocked=lambda _url: False)  # type: ignore[arg-type]
    assert await fetcher.run_once() == 6
    assert set(await media.cached(urls.values())) == {urls["good"]}
    reasons = {url: reason for url, reason, attempts in await media.failures() if attempts == 1}
    assert set(reasons) == set(urls.values()) - {urls["good"]}
    assert reasons[urls["svg"]].startswith("image_type_refused")
    assert reasons[urls["lying"]].startswith("image_unreadable")
    assert reasons[urls["gone"]] == "HTTP 404"
    assert "private address" in reasons[urls["private"]]
    assert reasons[urls["boom"]].startswith("RuntimeError")
    # Nothing is due again at once: each failure waits for its backoff.
    assert await fetcher.run_once() == 0 and len(client.asked) == 6


async def test_blocked_domains_are_not_contacted(parts: tuple[Database, MediaStore, ProfileStore]) -> None:
    database, media, store = parts
    url = "https://blocked.example/logo.png"
    async with database.transaction() as connection:
        await set_profile_images_in(connection, {ACTOR: {"icon": url}})
    client = StandIn({})
    fetcher = MediaFetcher(media, client, store, BASE, is_blocked=lambda u: "blocked.example" in u)  # type: ignore[arg-type]
    await fetcher.run_once()
    assert client.asked == [] and await media.failures() == [(url, "the domain is blocked", 1)]


async def test_local_profiles_images_on_other_hosts_are_fetched(
    parts: tuple[Database, MediaStore, ProfileStore],
) -> None:
    _database, media, store = parts
    own = f"{BASE}/media/{'ab' * 32}.png"
    remote = "https://elsewhere.example/logo.png"
    fields = {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"], "icon": remote, "image": own}
    await store.put("organisation", "ateneu", fields, None)
    assert await local_image_urls(store, BASE) == {remote}  # its own upload is served as it is
    client = StandIn({remote: _answer(remote, _png())})
    fetcher = MediaFetcher(media, client, store, BASE, is_blocked=lambda _url: False)  # type: ignore[arg-type]
    await fetcher.run_once()
    assert client.asked == [remote] and set(await media.cached([remote])) == {remote}
