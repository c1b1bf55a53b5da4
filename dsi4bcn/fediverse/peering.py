"""Peering: this node follows other nodes' instance actors and aggregates their profiles.

Adding a peer discovers its instance actor (NodeInfo's FEP-2677 link, else ``/actor``), follows it, and
backfills every profile from its ``profiles`` collection (one entry per organisation or project with its
``updated`` time, tombstones for deleted ones). From then on the peer delivers Create/Update/Delete of its
profiles; a periodic resync (anti-entropy) walks the collection again, fetches what changed and erases
what disappeared, so a node that was down or missed deliveries catches up; a profile new to this node
brings its latest posts (``postbackfill``). Removing a peer drops its data.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from dsi4bcn.fediverse.ingest import Ingestor, origin_stamp
from dsi4bcn.fediverse.outbox import Publisher
from dsi4bcn.fediverse.postbackfill import PostBackfill
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.peers import Peer, PeerStore
from federation.activities import object_id
from federation.actors import read_actor
from federation.client import ActivityPubClient
from federation.errors import ActivityError, FetchError
from federation.hosts import origin, same_origin
from federation.jsontext import parse_json
from federation.nodeinfo import APPLICATION_ACTOR_REL

__all__ = ["Peer", "PeerBlocked", "Peering", "PeeringError"]

log = logging.getLogger(__name__)
_MAX_PAGES = 10_000
_FETCH_CONCURRENCY = 8


class PeeringError(Exception):
    """A peer that cannot be added, and why."""


class PeerBlocked(PeeringError):
    """A peer on a blocked domain."""


class Peering:
    """Adds, removes and resyncs peers."""

    def __init__(
        self,
        database: Database,
        follows: Follows,
        directory: RemoteDirectory,
        client: Callable[[], ActivityPubClient],
        publisher: Publisher,
        ingestor: Ingestor,
        instance_actor: str,
        resync_interval: float,
        wake_deliverer: Callable[[], None],
        *,
        is_blocked: Callable[[str], bool] = lambda _url: False,
        posts: PostBackfill | None = None,
    ) -> None:
        self._peers = PeerStore(database)
        self._follows = follows
        self._directory = directory
        self._client = client
        self._publisher = publisher
        self._ingestor = ingestor
        self._instance = instance_actor
        self._interval = resync_interval
        self._wake_deliverer = wake_deliverer
        self._is_blocked = is_blocked  # by URL: a peer on a blocked domain is neither added nor resynced
        self._posts = posts  # reads the latest posts of profiles new to this node
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._origins: dict[str, str] | None = None

    # --- queries ----------------------------------------------------------------------------------------

    async def peers(self) -> list[Peer]:
        """Every peer."""
        return await self._peers.all()

    async def peer(self, actor_or_origin: str) -> Peer | None:
        """One peer, by its instance actor or its origin."""
        return await self._peers.find(actor_or_origin, origin(actor_or_origin) or actor_or_origin)

    async def peer_for(self, actor: str) -> str | None:
        """The peer (instance actor) whose origin ``actor`` lives on, or None if it is not a peer's."""
        if self._origins is None:
            self._origins = await self._peers.origins()
        return self._origins.get(origin(actor))

    # --- adding and removing --------------------------------------------------------------------------

    async def _discover(self, url: str) -> dict[str, Any]:
        """The instance actor document of the node at ``url`` (an origin, an actor URL or NodeInfo)."""
        client = self._client()
        base = origin(url)
        if not base:
            raise PeeringError(f"not an http(s) URL: {url}")
        candidates: list[str] = []
        if urlsplit(url).path not in ("", "/"):
            candidates.append(url)
        try:
            links = await client.get(f"{base}/.well-known/nodeinfo", accept="application/json", sign=False)
            if links.status == 200:  # a stranger's JSON: any shape, any depth (parse_json refuses too deep)
                document = parse_json(links.body)
                found = document.get("links") if isinstance(document, dict) else None
                for link in found if isinstance(found, list) else []:
                    if (
                        isinstance(link, dict)
                        and link.get("rel") == APPLICATION_ACTOR_REL
                        and isinstance(link.get("href"), str)
                    ):
                        candidates.append(link["href"])
        except (FetchError, ValueError) as error:
            log.info("no NodeInfo at %s: %s", base, error)
        candidates.append(f"{base}/actor")
        last_error = "no instance actor found"
        for candidate in dict.fromkeys(candidates):
            if not same_origin(candidate, base):
                continue
            try:
                document = await client.fetch_object(candidate)
                info = read_actor(document)
            except (FetchError, ActivityError) as error:
                last_error = str(error)
                continue
            if "Application" in info.types or "Service" in info.types:
                return document
            last_error = f"{candidate} is not a node's instance actor"
        raise PeeringError(f"cannot find the instance actor of {base}: {last_error}")

    async def add(self, url: str) -> Peer:
        """Follow the node at ``url`` and start backfilling its profiles."""
        if self._is_blocked(url):
            raise PeerBlocked(f"{url} is on a blocked domain; unblock it first")
        document = await self._discover(url)
        actor = await self._directory.fetch_actor(str(document["id"]))
        if same_origin(actor.id, self._instance):
            raise PeeringError("a node cannot peer with itself")
        profiles = object_id(document.get("profiles"))
        follow = await self._publisher.follow("", self._instance, actor.id, actor.inbox)
        await self._peers.add(
            actor=actor.id, origin=origin(actor.id), inbox=actor.inbox, profiles=profiles, follow_id=follow["id"]
        )
        self._origins = None
        self._wake_deliverer()
        peer = await self.peer(actor.id)  # as it was before the resync: a newer lastSync tells that it ended
        assert peer is not None
        self.schedule(actor.id)
        return peer

    async def remove(self, actor: str) -> int:
        """Stop following a peer and drop every profile received from it; how many were dropped.

        The peer's row goes first, so no resync starts after it (a resync begins by reading it); then the
        resync that may be running (begun before, or scheduled by the periodic loop meanwhile) is cancelled
        and awaited; only then are its profiles dropped, so none that it fetched comes back afterwards."""
        peer = await self.peer(actor)
        if peer is None:
            return -1
        await self._publisher.unfollow("", self._instance, peer.actor, peer.follow_id, peer.inbox)
        self._wake_deliverer()
        await self._peers.remove(peer.actor)
        self._origins = None
        task = self._tasks.pop(peer.actor, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        return await self._ingestor.erase_peer(peer.actor)

    def stop_blocked(self) -> None:
        """Cancel the resyncs of peers that are now on a blocked domain (the block purged their profiles)."""
        for actor, task in self._tasks.items():
            if self._is_blocked(actor):
                task.cancel()

    async def resume(self) -> list[str]:
        """Follow again, and resync, each peer that is not blocked but no longer followed: a domain block drops
        the follow and keeps the peer's row, so unblocking resumes it. The instance actors of those peers."""
        resumed: list[str] = []
        for peer in await self.peers():
            if self._is_blocked(peer.actor):
                continue
            if await self._follows.asked_to_follow("", peer.actor):
                continue
            follow = await self._publisher.follow("", self._instance, peer.actor, peer.inbox)
            await self._peers.set_follow_id(peer.actor, follow["id"])
            self.schedule(peer.actor)
            resumed.append(peer.actor)
        if resumed:
            self._wake_deliverer()
        return resumed

    # --- backfill and resync ---------------------------------------------------------------------------

    def schedule(self, actor: str) -> None:
        """Resync a peer now (in the background), unless it is already being resynced."""
        running = self._tasks.get(actor)
        if running is not None and not running.done():
            return
        self._tasks[actor] = asyncio.create_task(self._resync_alone(actor), name=f"resync {actor}")

    async def _resync_alone(self, actor: str) -> None:
        """Resync one peer; whatever goes wrong is recorded on that peer, and the others go on."""
        try:
            await self.resync(actor)
        except Exception as error:  # one peer's failure is its own: noted, retried at the next resync
            log.exception("resyncing %s failed", actor)
            with contextlib.suppress(Exception):
                await self._peers.note_progress(actor, error=f"resync failed: {type(error).__name__}: {error}")

    async def _collection_items(self, url: str, peer: Peer) -> list[dict[str, Any]] | None:
        """Every item of a peer's profiles collection, or None if it could not be read completely: a page
        that fails, more than ``_MAX_PAGES`` pages, or fewer items than the collection's ``totalItems``."""
        client = self._client()
        items: list[dict[str, Any]] = []
        page_url: str | None = url
        try:
            collection = await client.fetch_object(url)
            total = collection.get("totalItems")
            page_url = object_id(collection.get("first"))
            if page_url is None and isinstance(collection.get("orderedItems"), list):
                items.extend(item for item in collection["orderedItems"] if isinstance(item, dict))
            pages = 0
            while page_url:
                if pages >= _MAX_PAGES:
                    raise FetchError(f"{peer.origin}'s profiles run past {_MAX_PAGES} pages")
                if not same_origin(page_url, peer.origin):
                    raise FetchError(f"a page of {peer.origin}'s profiles is on another origin")
                page = await client.fetch_object(page_url)
                listed = page.get("orderedItems", [])
                if not isinstance(listed, list):
                    raise FetchError(f"a page of {peer.origin}'s profiles has no list of items")
                items.extend(item for item in listed if isinstance(item, dict))
                page_url = object_id(page.get("next"))
                pages += 1
            if isinstance(total, int) and not isinstance(total, bool) and len(items) < total:
                raise FetchError(f"{peer.origin} lists {len(items)} of the {total} profiles it counts")
        except (FetchError, ActivityError) as error:
            await self._peers.note_progress(peer.actor, error=f"reading {url}: {error}")
            return None
        return items

    async def resync(self, actor: str) -> None:
        """Compare the peer's profiles collection with what is held; fetch what changed, erase what went."""
        peer = await self.peer(actor)
        if peer is None or not peer.profiles or self._is_blocked(peer.actor):
            return
        # Only what was held before the listing began can be missing from it: a profile pushed while the
        # peer is being listed is not in it, and is not taken for one the peer no longer lists. What changed
        # is judged against what is held once the listing is read. A partial listing erases nothing.
        held_before = await self._ingestor.held(peer.actor)
        items = await self._collection_items(peer.profiles, peer)
        if items is None:
            return
        held = await self._ingestor.held(peer.actor)
        wanted: list[str] = []
        listed: set[str] = set()
        for item in items:
            item_id = object_id(item)
            if item_id is None or not same_origin(item_id, peer.origin):
                continue
            listed.add(item_id)
            if item.get("type") == "Tombstone":
                if item_id not in held:
                    continue
                # The origin's time of the erasure; a version pushed after it (newer) is kept.
                deleted = origin_stamp(item.get("deleted")) or origin_stamp(item.get("updated"))
                await self._ingestor.erase(item_id, peer=peer.actor, origin_time=deleted)
            elif held.get(item_id) != origin_stamp(item.get("updated")):
                wanted.append(item_id)
        for gone in set(held_before) - listed:
            # Only the version that was held when the listing began: one pushed since then is newer.
            await self._ingestor.erase(gone, peer=peer.actor, if_updated=held_before[gone])
        if wanted:  # a resync with nothing to fetch leaves the last backfill's numbers as they were
            await self._peers.note_progress(peer.actor, total=len(wanted), done=0)
            await self._fetch_wanted(peer, wanted, held)
        await self._peers.note_progress(peer.actor, synced=True)

    async def _fetch_wanted(self, peer: Peer, wanted: list[str], held: Mapping[str, str | None]) -> None:
        """Fetch and ingest the profiles a resync wants, 100 at a time, noting the progress after each."""
        semaphore = asyncio.Semaphore(_FETCH_CONCURRENCY)
        done = 0
        vanished: list[str] = []

        async def fetch(item_id: str) -> Any:
            async with semaphore:
                try:
                    return await self._client().fetch_object(item_id)
                except FetchError as error:
                    if error.status == 410:  # deleted since the collection was listed: the origin says so
                        vanished.append(item_id)
                    else:
                        log.info("cannot fetch %s from %s: %s", item_id, peer.origin, error)
                    return None
                except ActivityError as error:
                    log.info("cannot fetch %s from %s: %s", item_id, peer.origin, error)
                    return None

        for start in range(0, len(wanted), 100):
            batch = wanted[start : start + 100]
            documents = [doc for doc in await asyncio.gather(*(fetch(item) for item in batch)) if doc is not None]
            await self._ingest(documents, held, peer)
            for item_id in vanished:  # the origin answered 410: gone, whatever was held
                await self._ingestor.erase(item_id, peer=peer.actor)
            vanished.clear()
            done += len(batch)
            await self._peers.note_progress(peer.actor, done=done)

    async def _ingest(self, documents: list[dict[str, Any]], held: Mapping[str, str | None], peer: Peer) -> None:
        """Ingest fetched profiles, and read the latest posts of those new to this node (pushed from now on,
        the earlier ones are read once)."""
        await self._ingestor.ingest_many(documents, peer=peer.actor)
        if self._posts is not None:
            await self._posts.profiles([doc for doc in documents if object_id(doc) not in held], peer.origin)

    async def run(self) -> None:
        """Resync every peer at start-up and then every ``resync_interval`` seconds."""
        while True:
            for peer in await self.peers():
                self.schedule(peer.actor)
            await asyncio.sleep(self._interval)

    async def stop(self) -> None:
        """Cancel running resyncs."""
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
