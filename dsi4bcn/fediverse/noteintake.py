"""Posts of aggregated profiles: what is kept of a received ``Note`` and when it is kept at all.

This node is not a general fediverse server: it keeps a note only when its author is a profile it
aggregates from a peer it follows (the inbox has already checked that the note is on its author's origin
and attributed to the sending actor). Only the fields a page and a feed show are kept, each checked: the
content sanitised to the markup Mastodon keeps, ``published`` never later than its arrival (a note cannot
pin itself to the top of the list), links on the note's own origin, and the whole bounded in size.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from dsi4bcn.fediverse.ingest import origin_stamp
from dsi4bcn.fediverse.outbox import MAX_POST_LENGTH, sanitise_html
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.receivednotes import ReceivedNotes
from federation.activities import is_http_iri, object_id
from federation.hosts import same_origin
from federation.inbox import NoteDeleted, NoteReceived

__all__ = ["MAX_LANGUAGES", "MAX_STORED_NOTE", "NoteIntake", "NoteRefused", "checked_note"]

MAX_LANGUAGES = 8
MAX_STORED_NOTE = 100_000  # characters of the kept note as JSON
_MAX_LANGUAGE_TAG = 35


class NoteRefused(Exception):
    """A received note that is not kept, and why."""


def _html(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise NoteRefused(f"{name} is not text")
    if len(value) > MAX_POST_LENGTH:
        raise NoteRefused(f"{name} is longer than {MAX_POST_LENGTH} characters")
    return sanitise_html(value)


def _content_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > MAX_LANGUAGES:
        raise NoteRefused(f"contentMap is not a map of at most {MAX_LANGUAGES} languages")
    kept: dict[str, str] = {}
    for language, html in value.items():
        if not isinstance(language, str) or not 0 < len(language) <= _MAX_LANGUAGE_TAG:
            raise NoteRefused("contentMap has a key that is not a language tag")
        kept[language] = _html(html, f"contentMap[{language[:_MAX_LANGUAGE_TAG]!r}]")
    return kept


def checked_note(note: Mapping[str, Any], *, author: str, received: str) -> dict[str, Any]:
    """The parts of a received note that are kept, checked and sanitised; ``NoteRefused`` with the reason.

    ``received`` is the arrival time in the stored form (UTC, seconds, ``Z``).
    """
    note_id = note.get("id")
    if not is_http_iri(note_id) or not same_origin(str(note_id), author):
        raise NoteRefused("the note's id is not an http(s) IRI on its author's origin")
    content_map = _content_map(note.get("contentMap"))
    content = _html(note["content"], "content") if note.get("content") is not None else None
    if content is None and not content_map:
        raise NoteRefused("the note has no content")
    published = origin_stamp(note.get("published")) or received
    kept: dict[str, Any] = {
        "id": note_id,
        "type": "Note",
        "attributedTo": author,
        "content": content if content is not None else next(iter(content_map.values())),
        "published": min(published, received),
    }
    if content_map:
        kept["contentMap"] = content_map
    updated = origin_stamp(note.get("updated"))
    if updated is not None:
        kept["updated"] = min(updated, received)
    url = object_id(note.get("url"))
    if url is None and isinstance(note.get("url"), Mapping):
        url = note["url"].get("href")
    kept["url"] = url if is_http_iri(url) and same_origin(str(url), author) else note_id
    if len(json.dumps(kept, ensure_ascii=False)) > MAX_STORED_NOTE:
        raise NoteRefused(f"the note is larger than {MAX_STORED_NOTE} characters")
    return kept


class NoteIntake:
    """Carries out the inbox's note effects: keeps the notes of aggregated profiles, drops deleted ones."""

    def __init__(self, notes: ReceivedNotes, peer_for: Callable[[str], Awaitable[str | None]]) -> None:
        self._notes = notes
        self._peer_for = peer_for

    async def receive(self, effect: NoteReceived) -> str:
        """Store (or, for an edit, replace) a received note; the outcome as text."""
        peer = await self._peer_for(effect.actor)
        if peer is None:
            return "ignored: a note from a node that is not a peer"
        received = utc_now()
        try:
            note = checked_note(effect.note, author=effect.actor, received=received)
        except NoteRefused as refused:
            return f"refused: {refused}"
        return await self._notes.store(note, author=effect.actor, peer=peer, received=received)

    async def delete(self, effect: NoteDeleted) -> str:
        """Remove a note its author deleted; the outcome as text."""
        removed = await self._notes.delete(effect.object_id, effect.actor)
        return "note removed" if removed else "ignored: no note of that actor with that id is held"
