"""A small cache of rendered answers, emptied whenever the store changes.

Actor documents and WebFinger answers are read far more often than written (every follower's server
fetches them), so each representation is rendered once per store generation and then served as bytes,
without touching the database.
"""

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

__all__ = ["RenderCache", "Rendered"]


@dataclass(frozen=True)
class Rendered:
    """A rendered answer: status and body (the media type is part of the cache key)."""

    status: int
    body: bytes


class RenderCache:
    """Rendered answers keyed by request shape, valid for one store generation; bounded in size."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: dict[Hashable, Rendered] = {}
        self._generation = -1
        self._max_entries = max_entries

    async def get_or_render(
        self, generation: int, key: Hashable, render: Callable[[], Awaitable[Rendered | None]]
    ) -> Rendered | None:
        """The cached answer for ``key``, rendering (and keeping) it if missing; None is not cached."""
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        cached = self._entries.get(key)
        if cached is not None:
            return cached
        rendered = await render()
        if rendered is not None and generation == self._generation:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = rendered
        return rendered
