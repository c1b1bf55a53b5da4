"""A small cache of rendered documents, emptied whenever the store changes.

Actor documents are read far more often than written (every follower's server fetches them), so each
representation is rendered once per store generation and then served as bytes.
"""

from collections.abc import Awaitable, Callable, Hashable

__all__ = ["RenderCache"]


class RenderCache:
    """Rendered bodies keyed by request shape, valid for one store generation; bounded in size."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: dict[Hashable, bytes] = {}
        self._generation = -1
        self._max_entries = max_entries

    async def get_or_render(
        self, generation: int, key: Hashable, render: Callable[[], Awaitable[bytes | None]]
    ) -> bytes | None:
        """The cached body for ``key``, rendering (and keeping) it if missing; None is not cached."""
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        cached = self._entries.get(key)
        if cached is not None:
            return cached
        body = await render()
        if body is not None and generation == self._generation:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = body
        return body
