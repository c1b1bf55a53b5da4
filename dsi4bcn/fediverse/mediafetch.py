"""Copies of the images other hosts serve for the profiles this node shows, so that a visitor's browser
loads images from this node only (as Mastodon caches remote media).

The images received profiles name are queued by the ingest (``storage.mediastore``); those a local profile
names on another host are queued here. Each pass fetches a bounded batch of due URLs through the node's
safe client (private addresses refused unless configured, the size capped at ``MAX_IMAGE_BYTES``, one
timeout, unsigned), keeps only PNG, JPEG, GIF and WebP that Pillow reads as the type the answer declares,
and stores the copy; a failure is recorded with its reason and retried later with Mastodon's backoff,
one URL failing alone. Now and then, URLs no profile names any more and their cached images are dropped.
"""

import asyncio
import logging
import random
import time
from collections.abc import Callable

from dsi4bcn.profiles.images import IMAGE_ROLES, IMAGE_TYPES, ImageRefused, check_image, own_media_name
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.mediastore import MediaStore
from dsi4bcn.supervise import wait_for_event
from federation.client import ActivityPubClient
from federation.errors import FetchError
from federation.retry import retry_delay

__all__ = ["MediaFetcher", "local_image_urls"]

log = logging.getLogger(__name__)
_ACCEPT = ", ".join(IMAGE_TYPES)
_MAX_DELAY = 24 * 3600.0


async def local_image_urls(store: ProfileStore, base_url: str) -> set[str]:
    """The image URLs local profiles name on another host than this node."""
    urls: set[str] = set()
    for kind in ("organisation", "project"):
        for record in await store.list(kind):
            for role in IMAGE_ROLES:
                url = record.fields.get(role)
                if isinstance(url, str) and own_media_name(url, base_url) is None:
                    urls.add(url)
    return urls


class MediaFetcher:
    """The loop that fetches due image URLs into the media cache."""

    def __init__(
        self,
        media: MediaStore,
        client: ActivityPubClient,
        store: ProfileStore,
        base_url: str,
        *,
        is_blocked: Callable[[str], bool],
        backoff_scale: float = 1.0,
        batch: int = 16,
        concurrency: int = 4,
        interval: float = 60.0,
        forget_every: float = 600.0,
    ) -> None:
        self._media, self._client, self._store, self._base_url = media, client, store, base_url
        self._is_blocked = is_blocked
        self._backoff_scale = backoff_scale
        self._batch, self._interval, self._forget_every = batch, interval, forget_every
        self._slots = asyncio.Semaphore(concurrency)
        self._forgotten_at = time.monotonic()
        self.wake = asyncio.Event()

    def poke(self) -> None:
        """Look for work now (a profile naming images was stored)."""
        self.wake.set()

    async def run(self) -> None:
        """Fetch until cancelled."""
        while True:
            self.wake.clear()  # before looking, so that work queued meanwhile wakes the next wait
            fetched = await self.run_once()
            if fetched < self._batch:
                await wait_for_event(self.wake, self._interval)

    async def run_once(self) -> int:
        """One pass: queue the local profiles' remote images, drop unused ones now and then, fetch a batch
        of due URLs; the number of URLs tried."""
        local = await local_image_urls(self._store, self._base_url)
        await self._media.want(local)
        if time.monotonic() - self._forgotten_at >= self._forget_every:
            self._forgotten_at = time.monotonic()
            dropped = await self._media.forget_unused(local)
            if dropped:
                log.info("dropped %d image URL(s) no profile names any more", dropped)
        due = await self._media.due(self._batch)
        await asyncio.gather(*(self._fetch(url, attempts) for url, attempts in due))
        return len(due)

    async def _fetch(self, url: str, attempts: int) -> None:
        """Fetch one URL and store its copy or the reason it failed; it fails alone."""
        async with self._slots:
            try:
                reason = await self._fetch_checked(url)
            except Exception as error:  # this URL alone fails, recorded with its reason
                log.exception("fetching the image %.200s failed", url)
                reason = f"{type(error).__name__}: {error}"
            if reason is not None:
                delay = min(retry_delay(attempts + 1, random.random(), self._backoff_scale), _MAX_DELAY)  # noqa: S311
                log.info("image %.200s not fetched (%s); again in %.0f s", url, reason, delay)
                await self._media.failed(url, reason, attempts + 1, delay)

    async def _fetch_checked(self, url: str) -> str | None:
        """Fetch and store ``url``'s image; the reason it was refused, or None if it is stored."""
        if self._is_blocked(url):
            return "the domain is blocked"
        try:
            answer = await self._client.get(url, accept=_ACCEPT, sign=False)
        except FetchError as error:
            return str(error)
        if answer.status != 200:
            return f"HTTP {answer.status}"
        try:
            image = await asyncio.to_thread(check_image, answer.body, answer.content_type or None)
        except ImageRefused as refused:
            return f"{refused.code} {refused.params}"
        await self._media.fetched(url, image.sha256, image.media_type, image.data, image.width, image.height)
        return None
