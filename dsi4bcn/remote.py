"""Remote actors and their keys: from memory, then SQLite, then fetched with a signed GET.

A key is refetched at most once per ``refresh_interval`` (Mastodon refetches once on a failed
verification, for key rotation, and then not again for a while), so a peer sending bad signatures
cannot make us fetch on every request.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urldefrag

from dsi4bcn.fedstore import FederationStore, RemoteActor
from dsi4bcn.store import utc_now
from federation.actors import read_actor
from federation.client import ActivityPubClient
from federation.errors import ActivityError, FetchError
from federation.verification import ResolvedKey

__all__ = ["RemoteDirectory"]


class RemoteDirectory:
    """Finds remote actors and keys; the key resolver the inbox verifies signatures with."""

    def __init__(
        self,
        store: FederationStore,
        client: Callable[[], ActivityPubClient],
        *,
        refresh_interval: float = 600.0,
        memory: int = 4096,
        is_blocked: Callable[[str], bool] = lambda _url: False,
    ) -> None:
        self._store = store
        self._is_blocked = is_blocked  # by URL: nothing is fetched from a blocked domain
        self._client = client
        self._refresh_interval = refresh_interval
        self._memory = memory
        self._keys: OrderedDict[str, ResolvedKey] = OrderedDict()
        self._refreshed: OrderedDict[str, float] = OrderedDict()

    def _remember(self, key: ResolvedKey) -> None:
        self._keys[key.key_id] = key
        self._keys.move_to_end(key.key_id)
        while len(self._keys) > self._memory:
            self._keys.popitem(last=False)

    async def key(self, key_id: str, *, refresh: bool) -> ResolvedKey | None:
        """The key ``key_id`` and its owner; with ``refresh``, fetched anew unless fetched recently."""
        if not refresh:
            cached = self._keys.get(key_id)
            if cached is not None:
                return cached
            stored = await self._store.key(key_id)
            if stored is not None:
                key = ResolvedKey(stored.key_id, stored.owner, stored.public_key_pem)
                self._remember(key)
                return key
        else:
            # A refresh (after a failed verification) may fetch once per interval; first fetches don't count.
            last = self._refreshed.get(key_id)
            if last is not None and time.monotonic() - last < self._refresh_interval:
                return None
            self._refreshed[key_id] = time.monotonic()
            while len(self._refreshed) > self._memory:
                self._refreshed.popitem(last=False)
        try:
            actor = await self.fetch_actor(urldefrag(key_id).url)
        except (FetchError, ActivityError):
            return None
        # The key counts only if the fetched actor lists it as its own (read_actor checks the owner).
        found = self._keys.get(key_id)
        return found if found is not None and found.owner == actor.id else None

    async def actor(self, actor_id: str) -> RemoteActor:
        """A remote actor, from the database or fetched; raises ``FetchError``/``ActivityError``."""
        known = await self._store.actor(actor_id)
        if known is not None:
            return known
        return await self.fetch_actor(actor_id)

    async def fetch_actor(self, url: str) -> RemoteActor:
        """Fetch an actor (signed GET), check it, store it with its keys and remember the keys; an actor on a
        blocked domain is not fetched (``FetchError``)."""
        if self._is_blocked(url):
            raise FetchError(f"{url} is on a domain blocked on this node")
        document = await self._client().fetch_object(url)
        info = read_actor(document)
        actor = RemoteActor(info.id, info.inbox, info.shared_inbox, document, utc_now())
        await self._store.remember_actor(actor, info.keys)
        for key_id, pem in info.keys:
            self._remember(ResolvedKey(key_id, info.id, pem))
        return actor

    async def known_key_for(self, actor_id: str) -> str | None:
        """The id of a key we already hold for ``actor_id`` (no fetch), or None."""
        for key in self._keys.values():
            if key.owner == actor_id:
                return key.key_id
        return await self._store.key_id_of(actor_id)

    def forget(self, actor_id: str) -> None:
        """Drop an actor's keys from memory (after it was deleted)."""
        for key_id in [k for k, key in self._keys.items() if key.owner == actor_id]:
            del self._keys[key_id]

    def forget_blocked(self, is_blocked: Callable[[str], bool]) -> None:
        """Drop from memory every key whose id or owner ``is_blocked`` (by URL), after a domain block."""
        for key_id in [k for k, key in self._keys.items() if is_blocked(k) or is_blocked(key.owner)]:
            del self._keys[key_id]
