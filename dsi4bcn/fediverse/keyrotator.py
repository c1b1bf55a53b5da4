"""Key rotation of the node's actors, announced to the fediverse (docs/key-rotation.md).

``rotate`` gives an actor (or the instance actor) a new key pair at once: its document publishes the new
key first, under a new key id (``#key-N``), with the old one after it for the grace period, and an
``Update`` of the actor is queued for its followers and the peer nodes (who follow the instance actor), in
the rotation's transaction. That ``Update`` is signed with the OLD key (``signers.Signers``): a receiver
that holds the old key verifies it without fetching anything, and Mastodon, which keeps one key per
account, takes the new key from an ``Update`` verified with the key it knew and so does not re-send its
users' follows (``RefollowWorker``), which it does when a key changes any other way. ``run`` closes grace
periods as they end: the old key is no longer published, its private half is erased, and a second
``Update`` (signed with the new key) lets receivers that cache keys drop it.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from dsi4bcn.config import Config
from dsi4bcn.fediverse.outbox import new_id
from dsi4bcn.fediverse.signers import Signers
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor, render_instance_actor
from dsi4bcn.profiles.iris import actor_iri, instance_actor_iri
from dsi4bcn.storage.database import Connection
from dsi4bcn.storage.deliveries import enqueue
from dsi4bcn.storage.follows import follower_inboxes_in
from dsi4bcn.storage.keyrotations import Announce, KeyRotations, Rotation
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.supervise import wait_for_event
from federation import activities
from federation.activities import PUBLIC
from federation.keys import generate_key_pair

__all__ = ["KeyRotator", "key_rotator"]

log = logging.getLogger(__name__)

_LONGEST_SLEEP = 60.0


def key_rotator(config: Config, profiles: ProfileStore, signers: Signers, queued: Callable[[], None]) -> "KeyRotator":
    """The node's rotator: its grace period from the configuration, retired keys those ``signers`` know."""
    assert signers.rotations is not None
    return KeyRotator(
        profiles,
        signers.rotations,
        signers,
        base_url=config.base_url,
        authority=config.authority,
        hostname=config.hostname,
        language=config.language,
        grace=config.key_grace_period,
        queued=queued,
    )


class KeyRotator:
    """Rotates keys and ends grace periods; ``run`` is its loop."""

    def __init__(
        self,
        profiles: ProfileStore,
        rotations: KeyRotations,
        signers: Signers,
        *,
        base_url: str,
        authority: str,
        hostname: str,
        language: str,
        grace: float,
        queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._profiles = profiles
        self._rotations = rotations
        self._signers = signers
        self._base_url = base_url
        self._authority = authority
        self._hostname = hostname
        self._language = language
        self.grace = grace
        self._queued = queued  # wakes the deliverer
        self.wake = asyncio.Event()

    async def rotate(self, local: str) -> Rotation:
        """Give ``local`` (a slug, ``''`` the instance actor) a new key; ``KeyError`` if no such live actor."""
        keys = await asyncio.to_thread(generate_key_pair)
        rotation = await self._rotations.rotate(
            local, keys, grace=self.grace, now=time.time(), announce=self._announcer(local)
        )
        await self._signers.refresh()
        log.info(
            "rotated the key of %s: key %d, the old one published until %.0f",
            local or "the instance actor",
            rotation.new_number,
            rotation.expires,
        )
        self._queued()
        self.wake.set()
        return rotation

    async def rotate_all(self) -> list[Rotation]:
        """Rotate the instance actor's key and every live organisation's and project's."""
        slugs = [""] + [
            record.slug for kind in ("organisation", "project") for record in await self._profiles.list(kind)
        ]
        rotations = []
        for slug in slugs:
            with contextlib.suppress(KeyError):  # deleted meanwhile
                rotations.append(await self.rotate(slug))
        return rotations

    def actor_id(self, local: str, record: ActorRecord | None = None) -> str:
        """The id of actor ``local`` (its record saves a read)."""
        if local == "":
            return instance_actor_iri(self._base_url)
        assert record is not None
        return actor_iri(self._base_url, record.kind, local)

    def _announcer(self, local: str) -> Announce:
        """Queues the Update of ``local``'s document as it stands in the transaction; returns its id."""

        async def announce(connection: Connection, record: ActorRecord | None) -> str | None:
            if record is None:
                document = render_instance_actor(
                    await self._profiles.instance_in(connection),
                    base_url=self._base_url,
                    authority=self._authority,
                    hostname=self._hostname,
                    language=self._language,
                )
            else:
                document = render_actor(
                    record, base_url=self._base_url, authority=self._authority, language=self._language
                )
            actor = self.actor_id(local, record)
            followers = await follower_inboxes_in(connection, local) if local else []
            audience = list(dict.fromkeys(followers + await follower_inboxes_in(connection, "")))
            if not audience:
                return None
            embedded: dict[str, Any] = dict(document)
            context = embedded.pop("@context")
            update = activities.update(new_id(actor), actor, embedded, to=[PUBLIC], cc=[f"{actor}/followers"])
            update["@context"] = context
            await enqueue(connection, local=local, activity=update, inboxes=audience, public=True)
            return str(update["id"])

        return announce

    async def end_grace_periods(self) -> int:
        """Drop every retired key whose grace period is over; how many were dropped."""
        due = await self._rotations.due(time.time())
        for key in due:
            await self._rotations.drop(key, announce=self._announcer(key.local))
            log.info("dropped key %d of %s: its grace period is over", key.number, key.local or "the instance actor")
        if due:
            await self._signers.refresh()
            self._queued()
        return len(due)

    async def run(self) -> None:
        """End grace periods as they come, until cancelled."""
        while True:
            self.wake.clear()
            await self.end_grace_periods()
            upcoming = await self._rotations.next_expiry()
            delay = _LONGEST_SLEEP if upcoming is None else min(_LONGEST_SLEEP, max(0.05, upcoming - time.time()))
            await wait_for_event(self.wake, delay)
