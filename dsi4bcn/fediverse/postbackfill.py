"""The latest posts of profiles a peer's resync brings in for the first time, from their outboxes.

A peer pushes each new post to its followers, so a profile aggregated today would otherwise show only the
posts written from today. When a resync fetches a profile this node did not hold, the first page of its
``outbox`` is read and each ``Create{Note}`` in it goes through the same checks as a pushed one
(``NoteIntake``: the author must be the profile, aggregated from that peer; the note sanitised and
bounded). Only the peer's own origin is read; one profile's failure is logged and the others go on.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dsi4bcn.fediverse.noteintake import NoteIntake
from federation.activities import object_id
from federation.client import ActivityPubClient
from federation.errors import ActivityError, FetchError
from federation.hosts import same_origin
from federation.inbox import NoteReceived

__all__ = ["PostBackfill"]

log = logging.getLogger(__name__)
_CONCURRENCY = 8  # outboxes read at once
_MAX_ITEMS = 50  # activities of one outbox page looked at (a received profile keeps 50 posts at most)


class PostBackfill:
    """Reads the newest page of new profiles' outboxes into the received posts."""

    def __init__(self, client: Callable[[], ActivityPubClient], notes: NoteIntake) -> None:
        self._client = client
        self._notes = notes

    async def profiles(self, documents: Iterable[Mapping[str, Any]], origin: str) -> int:
        """Read the latest posts of these profile documents of the peer at ``origin``; how many were kept."""
        semaphore = asyncio.Semaphore(_CONCURRENCY)

        async def one(document: Mapping[str, Any]) -> int:
            actor, outbox = object_id(document), document.get("outbox")
            if actor is None or not isinstance(outbox, str) or not same_origin(outbox, origin):
                return 0
            async with semaphore:
                try:
                    return await self._outbox(actor, outbox, origin)
                except (FetchError, ActivityError) as error:
                    log.info("cannot read the posts of %s: %s", actor, error)
                    return 0

        return sum(await asyncio.gather(*(one(document) for document in documents)))

    async def _outbox(self, actor: str, outbox: str, origin: str) -> int:
        client = self._client()
        collection = await client.fetch_object(outbox)
        total = collection.get("totalItems")
        if isinstance(total, int) and total == 0:
            return 0
        first = collection.get("first")
        if isinstance(first, dict):
            page: Mapping[str, Any] = first
        else:
            page_url = object_id(first)
            if page_url is None or not same_origin(page_url, origin):
                return 0
            page = await client.fetch_object(page_url)
        items = page.get("orderedItems")
        kept = 0
        for item in items[:_MAX_ITEMS] if isinstance(items, list) else ():
            if not isinstance(item, dict) or item.get("type") != "Create" or object_id(item.get("actor")) != actor:
                continue
            note = item.get("object")
            if isinstance(note, dict) and note.get("type") == "Note":
                outcome = await self._notes.receive(NoteReceived(actor=actor, note=note, edited=False))
                kept += outcome == "note stored"
        return kept
