"""The node's background loops: process stored inbox activities, and deliver the outbox.

Both read their work from SQLite, so a restart (even after SIGKILL) picks up exactly where the last run
stopped: an activity is marked processed only after its effects are written, and a delivery row is
deleted only after the receiving server answered 2xx (or can never succeed). Delivery is at least once;
receivers dedupe by activity id.
"""

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from dsi4bcn.fediverse.answerintake import AnswerIntake
from dsi4bcn.fediverse.callintake import CallIntake
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.noteintake import NoteIntake
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.fediverse.signers import Signers
from dsi4bcn.metrics import NodeMetrics
from dsi4bcn.profiles.iris import instance_actor_iri, parse_actor_iri
from dsi4bcn.storage.database import storable_text
from dsi4bcn.storage.deliveries import Delivery, DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedactivities import Incoming, ReceivedActivities
from dsi4bcn.supervise import wait_for_event
from federation import activities
from federation.client import ActivityPubClient, FetchPolicy
from federation.errors import ActivityError, FederationError, FetchError, UnsafeURLError
from federation.inbox import (
    ActorUpdated,
    AddFollower,
    AgreementOffered,
    Deliver,
    Effect,
    FollowAnswered,
    Ignore,
    LocalActor,
    NoteDeleted,
    NoteReceived,
    OfferAnswered,
    ProposalReceived,
    RemoveActor,
    RemoveFollower,
    handle,
)
from federation.retry import MAX_ATTEMPTS, is_permanent_failure, is_unavailable, retry_delay

__all__ = ["Deliverer", "InboxProcessor", "Signers"]

log = logging.getLogger(__name__)


class InboxProcessor:
    """Turns stored activities into effects (follows, answers, deliveries) and records the outcome."""

    def __init__(
        self,
        received: ReceivedActivities,
        follows: Follows,
        deliveries: DeliveryQueue,
        profiles: ProfileStore,
        directory: RemoteDirectory,
        base_url: str,
        wake_deliverer: Callable[[], None],
        ingestor: Ingestor,
        peer_for: Callable[[str], Awaitable[str | None]],
        *,
        note_intake: NoteIntake,
        call_intake: CallIntake,
        answer_intake: AnswerIntake,
        metrics: NodeMetrics | None = None,
    ) -> None:
        self._metrics = metrics or NodeMetrics()  # each activity's outcome is counted
        self._received = received
        self._note_intake = note_intake
        self._call_intake = call_intake
        self._answer_intake = answer_intake
        self._follows = follows
        self._deliveries = deliveries
        self._profiles = profiles
        self._directory = directory
        self._base_url = base_url
        self._wake_deliverer = wake_deliverer
        self._ingestor = ingestor
        self._peer_for = peer_for
        self.wake = asyncio.Event()

    def poke(self) -> None:
        """Look for stored activities now (one was just stored)."""
        self.wake.set()

    async def run(self) -> None:
        """Process until cancelled, waking when an activity arrives (and every few seconds anyway)."""
        while True:
            # Cleared before looking for work, so that an activity stored meanwhile is never waited on.
            self.wake.clear()
            batch = await self._received.unprocessed(100)
            if batch:
                done = [(incoming.seq, await self._process(incoming)) for incoming in batch]
                await self._received.mark_processed(done)
                self._metrics.count_processed(outcome for _seq, outcome in done)
            if len(batch) < 100:
                await wait_for_event(self.wake, 5.0)

    async def _local_lookup(self, activity: Mapping[str, Any]) -> dict[str, LocalActor]:
        """The local actors an activity may target (its object, or the object of an embedded one)."""
        candidates = [activities.object_id(activity.get("object"))]
        embedded = activity.get("object")
        if isinstance(embedded, Mapping):
            candidates.append(activities.object_id(embedded.get("object")))
        found: dict[str, LocalActor] = {}
        for iri in filter(None, candidates):
            if iri == instance_actor_iri(self._base_url):
                found[iri] = LocalActor(iri)  # peer nodes follow the instance actor; always accepted
                continue
            parsed = parse_actor_iri(self._base_url, iri)
            if parsed is None:
                continue
            record = await self._profiles.get(parsed[1])
            if record is not None and record.kind == parsed[0] and not record.deleted:
                approves = bool(record.fields.get("manuallyApprovesFollowers", False))
                found[iri] = LocalActor(iri, manually_approves_followers=approves)
        return found

    async def _process(self, incoming: Incoming) -> str:
        """Carry out one activity's effects; return the outcome to record. One activity fails alone:
        whatever it raises is recorded as its outcome, and the queue moves on."""
        try:
            # It talks to us again: deliveries to it resume (a no-op unless the host had failures).
            await self._deliveries.heard_from((urlsplit(incoming.actor).hostname or "").lower())
            locals_ = await self._local_lookup(incoming.activity)
            effects = handle(
                incoming.activity,
                local_actor=locals_.get,
                new_id=lambda actor: f"{actor}/activities/{incoming.seq}-{random.getrandbits(64):016x}",
            )
            outcomes = [await self._apply(effect, incoming) for effect in effects]
            outcome = "; ".join(text for text in outcomes if text)
        except ActivityError as error:
            outcome = f"refused: {error}"
        except FederationError as error:
            outcome = f"failed: {error}"
        except Exception as error:  # any other failure is this activity's alone: recorded, then skipped
            log.exception("processing %s from %s failed", incoming.activity_id, incoming.actor)
            outcome = f"failed: internal error ({type(error).__name__}: {error})"
        return storable_text(outcome)

    def _slug(self, iri: str) -> str:
        parsed = parse_actor_iri(self._base_url, iri)
        return parsed[1] if parsed else ""

    async def _apply(self, effect: Effect, incoming: Incoming) -> str:
        if isinstance(effect, AddFollower):
            await self._follows.add_follower(self._slug(effect.local), effect.follower, effect.follow, effect.accepted)
            return f"follower {'accepted' if effect.accepted else 'pending'}"
        if isinstance(effect, Deliver):
            inboxes = []
            for recipient in effect.recipients:
                try:
                    inboxes.append((await self._directory.actor(recipient)).inbox)
                except (FetchError, ActivityError) as error:
                    log.warning("cannot deliver to %s: %s", recipient, error)
            await self._deliveries.publish(
                local=self._slug(effect.sender), activity=effect.activity, inboxes=inboxes, public=False
            )
            self._wake_deliverer()
            return f"{effect.activity.get('type')} queued"
        if isinstance(effect, RemoveFollower):
            local = self._slug(effect.local) if effect.local else None
            removed = await self._follows.remove_follower(effect.follower, local=local, follow_id=effect.follow_id)
            return f"{removed} follow(s) removed"
        if isinstance(effect, RemoveActor):
            await self._directory.remove(effect.actor)
            peer = await self._peer_for(effect.actor)
            erased = peer is not None and await self._ingestor.erase(effect.actor, peer=peer)
            return "actor removed" + (", profile erased from the graph" if erased else "")
        if isinstance(effect, ActorUpdated):
            # As Mastodon's Update handler does, the actor's own (verified) document replaces its keys: a
            # rotated key is learnt, a dropped one forgotten (docs/key-rotation.md).
            keys = await self._directory.actor_changed(effect.document)
            peer = await self._peer_for(effect.actor)
            if peer == effect.actor:  # a peer node's own actor is no profile
                return "the peer's own actor: " + ("keys replaced" if keys else "nothing changed")
            if peer is None:
                return ("keys replaced; " if keys else "") + "ignored: a profile from a node that is not a peer"
            outcome = await self._ingestor.ingest(
                effect.document, peer=peer, activity_id=incoming.activity_id, key_id=incoming.key_id
            )
            return f"profile {outcome}"
        if isinstance(effect, NoteReceived):
            return await self._answer_intake.replied(effect) or await self._note_intake.receive(effect)
        if isinstance(effect, ProposalReceived):
            return await self._call_intake.receive(effect)
        if isinstance(effect, AgreementOffered):
            return await self._answer_intake.offered(effect)
        if isinstance(effect, OfferAnswered):
            return await self._answer_intake.answered(effect, await self._peer_for(effect.actor) or effect.actor)
        if isinstance(effect, NoteDeleted):
            if await self._call_intake.delete(effect):
                return "call removed"
            if await self._answer_intake.unreplied(effect):
                return "reply removed"
            return await self._note_intake.delete(effect)
        if isinstance(effect, FollowAnswered):
            local = self._slug(effect.local) if effect.local else None
            changed = await self._follows.answer_follow(effect.target, effect.accepted, effect.follow_id, local)
            return f"follow {'accepted' if effect.accepted else 'rejected'} ({changed})"
        assert isinstance(effect, Ignore)
        return f"ignored: {effect.reason}"


_FLUSH_DELAY = 0.05
_ANNOUNCEMENT_WAIT = 0.5  # seconds a delivery waits for its actor's key rotation Update to go first


class Deliverer:
    """Delivers owed activities: bounded concurrency overall and per host, retries with backoff."""

    def __init__(
        self,
        store: DeliveryQueue,
        signers: Signers,
        session: aiohttp.ClientSession,
        policy: FetchPolicy,
        *,
        backoff_scale: float = 1.0,
        concurrency: int = 32,
        per_host: int = 4,
        is_blocked: Callable[[str], bool] = lambda _url: False,
        metrics: NodeMetrics | None = None,
    ) -> None:
        self._metrics = metrics or NodeMetrics()  # retries and deliveries given up are counted
        self._store = store
        self._signers = signers
        self._is_blocked = is_blocked  # by inbox URL: a blocked domain is never delivered to
        self._session = session
        self._policy = policy
        self._backoff_scale = backoff_scale
        self._global = asyncio.Semaphore(concurrency)
        self._per_host_limit = per_host
        self._per_host: dict[str, asyncio.Semaphore] = {}
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._succeeded: list[Delivery] = []
        self._flusher: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()

    def poke(self) -> None:
        """Look for work now (something was queued)."""
        self.wake.set()

    async def run(self) -> None:
        """Deliver until cancelled."""
        try:
            while True:
                self.wake.clear()  # before looking, so that work queued meanwhile wakes the next wait
                due = await self._store.due_deliveries(time.time(), 200)
                fresh = [delivery for delivery in due if delivery.id not in self._in_flight]
                for delivery in fresh:
                    self._in_flight.add(delivery.id)
                    task = asyncio.create_task(self._deliver(delivery))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                await self._sleep(bool(fresh))
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._flusher is not None:
                self._flusher.cancel()
                await asyncio.gather(self._flusher, return_exceptions=True)
            await self._flush()

    async def _sleep(self, worked: bool) -> None:
        next_due = await self._store.next_due()
        delay = 2.0 if next_due is None else max(0.05, min(2.0, next_due - time.time()))
        if worked:
            delay = min(delay, 0.2)
        await wait_for_event(self.wake, delay)

    async def _deliver(self, delivery: Delivery) -> None:
        host_limit = self._per_host.setdefault(delivery.host, asyncio.Semaphore(self._per_host_limit))
        succeeded = False
        try:
            async with self._global, host_limit:
                succeeded = await self._attempt(delivery)
        except Exception:  # one bad delivery must never stop the others; it is retried later
            log.exception("delivery %s to %s failed unexpectedly", delivery.activity_id, delivery.inbox)
            await self._store.retry_later(delivery, "internal error", time.time() + 60 * self._backoff_scale)
        finally:
            if succeeded:  # stays in flight until its row is deleted
                self._succeeded_one(delivery)
            else:
                self._in_flight.discard(delivery.id)

    def _succeeded_one(self, delivery: Delivery) -> None:
        """Note a success; the rows of a fan-out's successes are deleted together, a moment later."""
        self._succeeded.append(delivery)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        while self._succeeded:  # successes noted during a flush go in the next one
            await asyncio.sleep(_FLUSH_DELAY)
            await self._flush()

    async def _flush(self) -> None:
        # One transaction per batch instead of one per delivery. A crash before it re-sends the batch,
        # which receivers ignore by activity id; the ids stay in flight until then, so no poll re-sends.
        batch, self._succeeded = self._succeeded, []
        if not batch:
            return
        try:
            await self._store.delivered_many(batch)
        except Exception:  # the rows stay and are delivered again: at least once, never lost
            log.exception("could not record %d deliveries as done", len(batch))
        finally:
            for delivery in batch:
                self._in_flight.discard(delivery.id)
            self.wake.set()  # rows left the window of due deliveries: look for more

    async def _attempt(self, delivery: Delivery) -> bool:
        """One attempt; True if the inbox accepted it (failures are recorded here)."""
        if self._is_blocked(delivery.inbox):  # blocked after it was queued: dropped, never attempted
            log.info("dropping %s to %s: the domain is blocked", delivery.activity_id, delivery.inbox)
            await self._store.give_up(delivery, "domain blocked")
            return False
        days = [date.fromisoformat(day) for day in await self._store.failure_days(delivery.host)]
        if is_unavailable(days):
            log.info("skipping %s: %s failed on %d different days", delivery.inbox, delivery.host, len(days))
            await self._store.give_up(delivery, "host unavailable")
            return False
        if await self._after_announcement(delivery):
            return False
        client = ActivityPubClient(
            self._session, self._policy, await self._signers.signer(delivery.local, delivery.activity_id)
        )
        try:
            answer = await client.post(delivery.inbox, delivery.body.encode("utf-8"))
        except FetchError as error:  # an address refused by policy (UnsafeURLError): no retry can change that
            permanent = isinstance(error, UnsafeURLError) or is_permanent_failure(error.status or 0)
            await self._failed(delivery, str(error), permanent=permanent)
            return False
        if 200 <= answer.status < 300:
            return True
        await self._failed(delivery, f"HTTP {answer.status}", permanent=is_permanent_failure(answer.status))
        return False

    async def _after_announcement(self, delivery: Delivery) -> bool:
        """Postpone (True) a delivery of an actor whose key rotation's ``Update`` has not yet been tried at
        the same host: Mastodon must take the new key from that ``Update`` before a request signed with it
        arrives, or it refetches the key and re-sends its users' follows (docs/key-rotation.md)."""
        waiting = [
            update for update in await self._signers.announcing(delivery.local) if update != delivery.activity_id
        ]
        if not waiting or not await self._store.first_attempt_owed(waiting, delivery.host):
            return False
        await self._store.postpone(delivery, time.time() + _ANNOUNCEMENT_WAIT)
        return True

    async def _failed(self, delivery: Delivery, error: str, *, permanent: bool) -> None:
        attempts = delivery.attempts + 1
        if permanent or attempts >= MAX_ATTEMPTS:
            log.info(
                "giving up %s to %s after %d attempt(s): %s", delivery.activity_id, delivery.inbox, attempts, error
            )
            await self._store.give_up(delivery, error)
            self._metrics.delivery_dropped.labels("permanent" if permanent else "exhausted").inc()
            return
        delay = retry_delay(attempts, random.random(), self._backoff_scale)  # noqa: S311 - jitter, not secrets
        log.info("delivery to %s failed (%s); retry %d in %.1f s", delivery.inbox, error, attempts, delay)
        await self._store.retry_later(delivery, error, time.time() + delay)
        self._metrics.delivery_retries.inc()
