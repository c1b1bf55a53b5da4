"""Remote actors and their keys: from memory, then SQLite, then fetched with a signed GET.

A key is refetched at most once per ``refresh_interval`` (Mastodon refetches once on a failed
verification, for key rotation, and then not again for a while), so a peer sending bad signatures
cannot make us fetch on every request.

Key fetches are made for strangers before anything about them is verified, so they are bounded: a key
that could not be fetched is not tried again for ``failure_ttl`` (a negative cache, also per origin when
the origin did not answer at all); at most ``max_fetches`` run at once, ``per_origin`` to one origin and
``per_requester`` for one client address; concurrent requests for the same key share one fetch. When a
bound is reached the caller gets ``KeyFetchesBusy`` at once (the inbox answers 503 with Retry-After),
rather than queueing behind slow hosts.
"""

import asyncio
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag

from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache
from federation.actors import read_actor
from federation.client import ActivityPubClient
from federation.errors import ActivityError, FederationError, FetchError, UnsafeURLError
from federation.hosts import origin
from federation.verification import ResolvedKey

__all__ = ["KeyFetchesBusy", "RemoteDirectory"]


class KeyFetchesBusy(FederationError):
    """Too many key fetches are running (overall, to that origin or for that client): try again later."""


class RemoteDirectory:
    """Finds remote actors and keys; the key resolver the inbox verifies signatures with."""

    def __init__(
        self,
        store: RemoteActorCache,
        client: Callable[[], ActivityPubClient],
        *,
        refresh_interval: float = 600.0,
        memory: int = 4096,
        failure_ttl: float = 60.0,
        max_fetches: int = 16,
        per_origin: int = 2,
        per_requester: int = 2,
        is_blocked: Callable[[str], bool] = lambda _url: False,
    ) -> None:
        self._store = store
        self._is_blocked = is_blocked  # by URL: nothing is fetched from a blocked domain
        self._client = client
        self._refresh_interval = refresh_interval
        self._memory = memory
        self._failure_ttl = failure_ttl
        self._max_fetches = max_fetches
        self._per_origin = per_origin
        self._per_requester = per_requester
        self._keys: OrderedDict[str, ResolvedKey] = OrderedDict()
        self._refreshed: OrderedDict[str, float] = OrderedDict()
        self._failed: OrderedDict[str, float] = OrderedDict()  # key id or origin -> when it may be tried again
        self._pending: dict[str, asyncio.Future[ResolvedKey | None]] = {}
        self._by_origin: Counter[str] = Counter()
        self._by_requester: Counter[str] = Counter()

    def _remember(self, key: ResolvedKey) -> None:
        self._keys[key.key_id] = key
        self._keys.move_to_end(key.key_id)
        while len(self._keys) > self._memory:
            self._keys.popitem(last=False)

    async def key(self, key_id: str, *, refresh: bool, requester: str = "") -> ResolvedKey | None:
        """The key ``key_id`` and its owner; with ``refresh``, fetched anew unless fetched recently.

        ``requester`` (the client address) bounds how many fetches one client can have running; raises
        ``KeyFetchesBusy`` when a bound is reached.
        """
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
        return await self._fetch_key(key_id, requester)

    def _failed_recently(self, name: str) -> bool:
        until = self._failed.get(name)
        if until is None:
            return False
        if until > time.monotonic():
            return True
        del self._failed[name]
        return False

    def _note_failure(self, name: str) -> None:
        self._failed[name] = time.monotonic() + self._failure_ttl
        self._failed.move_to_end(name)
        while len(self._failed) > self._memory:
            self._failed.popitem(last=False)

    async def _fetch_key(self, key_id: str, requester: str) -> ResolvedKey | None:
        """Fetch the actor owning ``key_id`` within the bounds; None if the key cannot be had."""
        key_origin = origin(key_id)
        if self._failed_recently(key_id) or self._failed_recently(key_origin):
            return None
        shared = self._pending.get(key_id)
        if shared is not None:
            return await asyncio.shield(shared)
        if len(self._pending) >= self._max_fetches:
            raise KeyFetchesBusy("too many key fetches are running")
        if self._by_origin[key_origin] >= self._per_origin:
            raise KeyFetchesBusy(f"too many key fetches to {key_origin} are running")
        if self._by_requester[requester] >= self._per_requester:
            raise KeyFetchesBusy("too many key fetches for this client are running")
        self._by_origin[key_origin] += 1
        self._by_requester[requester] += 1
        fetch = asyncio.ensure_future(self._fetch_owner(key_id, key_origin))
        self._pending[key_id] = fetch
        try:
            return await asyncio.shield(fetch)
        finally:
            if fetch.done():
                self._fetch_done(key_id, key_origin, requester)
            else:  # the request went away; the fetch finishes (for the others waiting on it) and then counts down
                fetch.add_done_callback(lambda _: self._fetch_done(key_id, key_origin, requester))

    def _fetch_done(self, key_id: str, key_origin: str, requester: str) -> None:
        if self._pending.pop(key_id, None) is None:
            return
        for counter, name in ((self._by_origin, key_origin), (self._by_requester, requester)):
            counter[name] -= 1
            if counter[name] <= 0:
                del counter[name]

    async def _fetch_owner(self, key_id: str, key_origin: str) -> ResolvedKey | None:
        try:
            actor = await self.fetch_actor(urldefrag(key_id).url)
        except (FetchError, ActivityError) as error:
            self._note_failure(key_id)
            if isinstance(error, FetchError) and error.status is None and not isinstance(error, UnsafeURLError):
                self._note_failure(key_origin)  # no answer at all (timeout, refused): spare the whole origin
            return None
        # The key counts only if the fetched actor lists it as its own (read_actor checks the owner).
        found = self._keys.get(key_id)
        if found is not None and found.owner == actor.id:
            return found
        self._note_failure(key_id)
        return None

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
        return await self._store_actor(document)

    async def actor_changed(self, document: Mapping[str, Any]) -> bool:
        """Take the actor's own document, received in a verified ``Update`` (or ``Create``) of itself, as
        what it now is: its keys replace those held (Mastodon's ``Update`` handler does the same). False if
        the document is not usable as an actor, or changes no key held (then nothing is written: a peer's
        profile updates, by the thousand, cost no write here, and an actor never met is not stored)."""
        try:
            info = read_actor(document)
        except ActivityError:
            return False
        held = await self._store.keys_of(info.id)
        if not held or not info.keys or held == set(info.keys):
            return False
        await self._store_actor(document)
        return True

    async def _store_actor(self, document: Mapping[str, Any]) -> RemoteActor:
        info = read_actor(document)
        actor = RemoteActor(info.id, info.inbox, info.shared_inbox, dict(document), utc_now())
        await self._store.remember_actor(actor, info.keys)
        if info.keys:
            self.forget(info.id)
        for key_id, pem in info.keys:
            self._remember(ResolvedKey(key_id, info.id, pem))
        return actor

    async def known_key_for(self, actor_id: str) -> str | None:
        """The id of a key we already hold for ``actor_id`` (no fetch), or None."""
        for key in self._keys.values():
            if key.owner == actor_id:
                return key.key_id
        return await self._store.key_id_of(actor_id)

    async def remove(self, actor_id: str) -> None:
        """Forget a deleted remote actor: its stored document and keys, its follows both ways, and what is
        kept of it in memory."""
        await self._store.remove_actor(actor_id)
        self.forget(actor_id)

    def forget(self, actor_id: str) -> None:
        """Drop an actor's keys from memory (after it was deleted)."""
        for key_id in [k for k, key in self._keys.items() if key.owner == actor_id]:
            del self._keys[key_id]

    def forget_blocked(self, is_blocked: Callable[[str], bool]) -> None:
        """Drop from memory every key whose id or owner ``is_blocked`` (by URL), after a domain block."""
        for key_id in [k for k, key in self._keys.items() if is_blocked(k) or is_blocked(key.owner)]:
            del self._keys[key_id]
