"""Images the node serves (table ``media``), the images received profiles name (``profile_images``) and the
copies fetched of them (``remote_media``).

A media row is keyed by the SHA-256 of its bytes, so storing the same image twice stores it once. Uploaded
and demo images stay; a cached copy (source ``cache``) is removed once no received profile names its URL.
The functions ending in ``_in`` run inside the ingest's transaction, so that a profile and the images it
names are written, erased and dropped together.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dsi4bcn.storage.database import Connection, Database, Row
from dsi4bcn.storage.localactors import utc_now

__all__ = [
    "MediaFile",
    "MediaRef",
    "MediaStore",
    "drop_profile_images_in",
    "set_profile_images_in",
]


@dataclass(frozen=True)
class MediaRef:
    """An image the node holds, without its bytes: enough to write an ``<img>``."""

    sha256: str
    media_type: str
    width: int
    height: int


@dataclass(frozen=True)
class MediaFile:
    """An image the node holds, with its bytes."""

    ref: MediaRef
    data: bytes


async def set_profile_images_in(connection: Connection, images: Mapping[str, Mapping[str, str]]) -> None:
    """Inside a transaction: ``{actor: {role: url}}`` are the images these received profiles now name
    (replacing what they named before); each new URL is queued for fetching."""
    actors = list(images)
    await drop_profile_images_in(connection, actors)
    rows = [(actor, role, url) for actor, roles in images.items() for role, url in roles.items()]
    await connection.executemany("INSERT INTO profile_images (actor, role, url) VALUES (?, ?, ?)", rows)
    await connection.executemany(
        "INSERT OR IGNORE INTO remote_media (url, due) VALUES (?, ?)", [(url, utc_now()) for _a, _r, url in rows]
    )


async def drop_profile_images_in(connection: Connection, actors: Sequence[str]) -> None:
    """Inside a transaction: these received profiles name no image any more (erased, dropped, blocked)."""
    await connection.executemany("DELETE FROM profile_images WHERE actor = ?", [(actor,) for actor in actors])


def _ref(row: Row) -> MediaRef:
    return MediaRef(str(row["sha256"]), str(row["media_type"]), int(row["width"]), int(row["height"]))


class MediaStore:
    """Stores and reads images; the queue of image URLs to fetch, with each one's failures."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def put(self, sha256: str, media_type: str, data: bytes, width: int, height: int, source: str) -> MediaRef:
        """Store an image (checked by ``profiles.images.check_image``); an uploaded or demo copy of an image
        held as a cached one is kept from then on."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO media (sha256, media_type, bytes, width, height, source, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET source = excluded.source"
                " WHERE media.source = 'cache'",
                (sha256, media_type, data, width, height, source, utc_now()),
            )
        return MediaRef(sha256, media_type, width, height)

    async def get(self, sha256: str) -> MediaFile | None:
        """The image with this SHA-256, or None."""
        row = await self.db.one(
            "SELECT sha256, media_type, width, height, bytes FROM media WHERE sha256 = ?", (sha256,)
        )
        return None if row is None else MediaFile(_ref(row), bytes(row["bytes"]))

    async def refs(self, hashes: Iterable[str]) -> dict[str, MediaRef]:
        """``{sha256: ref}`` of the images held among ``hashes``."""
        wanted = sorted(set(hashes))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        query = f"SELECT sha256, media_type, width, height FROM media WHERE sha256 IN ({marks})"  # noqa: S608
        return {row["sha256"]: _ref(row) for row in await self.db.all(query, wanted)}

    async def cached(self, urls: Iterable[str]) -> dict[str, MediaRef]:
        """``{url: ref}`` of the fetched copies held among ``urls``."""
        wanted = sorted(set(urls))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        query = (
            "SELECT r.url, m.sha256, m.media_type, m.width, m.height FROM remote_media r"  # noqa: S608
            f" JOIN media m ON m.sha256 = r.sha256 WHERE r.url IN ({marks})"
        )
        return {row["url"]: _ref(row) for row in await self.db.all(query, wanted)}

    async def received_images(self, actors: Sequence[str]) -> dict[str, dict[str, MediaRef]]:
        """``{actor: {role: ref}}`` of the fetched images these received profiles name now."""
        if not actors:
            return {}
        marks = ", ".join("?" for _ in actors)
        query = (
            "SELECT p.actor, p.role, m.sha256, m.media_type, m.width, m.height FROM profile_images p"  # noqa: S608
            " JOIN remote_media r ON r.url = p.url JOIN media m ON m.sha256 = r.sha256"
            f" WHERE p.actor IN ({marks})"
        )
        found: dict[str, dict[str, MediaRef]] = {}
        for row in await self.db.read_here(query, list(actors)):
            found.setdefault(row["actor"], {})[row["role"]] = _ref(row)
        return found

    async def want(self, urls: Iterable[str]) -> None:
        """Queue these image URLs for fetching (those not queued or fetched yet)."""
        now = utc_now()
        async with self.db.transaction() as connection:
            await connection.executemany(
                "INSERT OR IGNORE INTO remote_media (url, due) VALUES (?, ?)", [(url, now) for url in set(urls)]
            )

    async def due(self, limit: int) -> list[tuple[str, int]]:
        """Up to ``limit`` ``(url, attempts)`` not fetched yet whose time has come, oldest first."""
        rows = await self.db.all(
            "SELECT url, attempts FROM remote_media WHERE sha256 IS NULL AND due <= ? ORDER BY due LIMIT ?",
            (utc_now(), limit),
        )
        return [(str(row["url"]), int(row["attempts"])) for row in rows]

    async def fetched(self, url: str, sha256: str, media_type: str, data: bytes, width: int, height: int) -> None:
        """Store the copy fetched of ``url`` (if it is still wanted)."""
        now = utc_now()
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO media (sha256, media_type, bytes, width, height, source, created)"
                " VALUES (?, ?, ?, ?, ?, 'cache', ?) ON CONFLICT (sha256) DO NOTHING",
                (sha256, media_type, data, width, height, now),
            )
            await connection.execute(
                "UPDATE remote_media SET sha256 = ?, fetched = ?, error = NULL WHERE url = ?", (sha256, now, url)
            )

    async def failed(self, url: str, reason: str, attempts: int, retry_in: float) -> None:
        """Note why fetching ``url`` failed; try again in ``retry_in`` seconds."""
        now = datetime.now(UTC)
        due = (now + timedelta(seconds=retry_in)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE remote_media SET fetched = ?, error = ?, attempts = ?, due = ? WHERE url = ?",
                (utc_now(), reason[:500], attempts, due, url),
            )

    async def failures(self) -> list[tuple[str, str, int]]:
        """``(url, reason, attempts)`` of every image URL whose last fetch failed."""
        rows = await self.db.all("SELECT url, error, attempts FROM remote_media WHERE error IS NOT NULL ORDER BY url")
        return [(str(row["url"]), str(row["error"]), int(row["attempts"])) for row in rows]

    async def forget_unused(self, kept_urls: Iterable[str]) -> int:
        """Drop queued and fetched URLs no received profile names (nor ``kept_urls``, the local profiles'), then
        cached images no URL uses; the number of URLs dropped."""
        async with self.db.transaction() as connection:
            await connection.execute("CREATE TEMP TABLE IF NOT EXISTS kept_media_urls (url TEXT PRIMARY KEY)")
            await connection.execute("DELETE FROM kept_media_urls")
            await connection.executemany(
                "INSERT OR IGNORE INTO kept_media_urls (url) VALUES (?)", [(url,) for url in kept_urls]
            )
            cursor = await connection.execute(
                "DELETE FROM remote_media WHERE url NOT IN (SELECT url FROM profile_images)"
                " AND url NOT IN (SELECT url FROM kept_media_urls)"
            )
            dropped = cursor.rowcount
            await connection.execute(
                "DELETE FROM media WHERE source = 'cache'"
                " AND sha256 NOT IN (SELECT sha256 FROM remote_media WHERE sha256 IS NOT NULL)"
            )
        return dropped
