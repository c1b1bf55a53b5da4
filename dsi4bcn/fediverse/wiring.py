"""The federation services of a running node, built and started together, stopped together."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from dsi4bcn.config import Config
from dsi4bcn.fediverse.blocklist import Blocklist, BlockPurge
from dsi4bcn.fediverse.erasure import DeletionCheck
from dsi4bcn.fediverse.inboxbatches import BatchWriter
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.outbox import Publisher
from dsi4bcn.fediverse.peering import Peering
from dsi4bcn.fediverse.ratelimit import RateLimiter
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.fediverse.workers import Deliverer, InboxProcessor, Signers
from dsi4bcn.profiles.iris import instance_actor_iri
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.notes import Notes
from dsi4bcn.storage.receivedactivities import ReceivedActivities
from dsi4bcn.storage.remoteactorcache import RemoteActorCache
from dsi4bcn.supervise import LoopHealth, stop_tasks, supervised
from federation.client import ActivityPubClient, FetchPolicy, RequestSigner, create_session

__all__ = ["Federation", "start_federation"]


@dataclass
class Federation:
    """Everything the inbox, the outbox and the admin API share."""

    remote_actors: RemoteActorCache
    follows: Follows
    received: ReceivedActivities
    notes: Notes
    deliveries: DeliveryQueue
    session: aiohttp.ClientSession
    policy: FetchPolicy
    signers: Signers
    directory: RemoteDirectory
    blocklist: Blocklist
    limiter: RateLimiter
    address_limiter: RateLimiter
    writer: BatchWriter
    processor: InboxProcessor
    deliverer: Deliverer
    publisher: Publisher
    instance_signer: RequestSigner
    ingestor: Ingestor
    peering: Peering
    deletions: DeletionCheck
    wake_graph_sync: Callable[[], None]
    delivery_session: aiohttp.ClientSession
    loops: dict[str, LoopHealth] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def block_domain(self, domain: str, reason: str) -> BlockPurge:
        """Block a normalised domain: refuse it from now on and purge what is held from and for it (follows
        both ways, queued deliveries, unprocessed activities, cached actors and keys, aggregated profiles);
        running resyncs of its peers stop, and the graph drops the purged profiles."""
        purge = await self.blocklist.block(domain, reason)
        self.directory.forget_blocked(self.blocklist.is_blocked_url)
        self.peering.stop_blocked()
        if purge.profiles:
            self.wake_graph_sync()
        return purge

    async def unblock_domain(self, domain: str) -> tuple[bool, list[str]]:
        """Unblock a domain; whether it was blocked, and the peers on it followed and resynced again."""
        if not await self.blocklist.unblock(domain):
            return False, []
        return True, await self.peering.resume()

    async def stop(self) -> None:
        """Finish storing what was received, stop the loops, close the HTTP sessions."""
        await self.writer.stop()
        await self.peering.stop()
        await self.deletions.stop()
        await stop_tasks(self.tasks)
        await self.session.close()
        await self.delivery_session.close()

    def supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Start a background loop that is restarted whenever it fails."""
        health = self.loops[name] = LoopHealth(name)
        self.tasks.append(asyncio.create_task(supervised(name, run, health=health), name=name))


async def start_federation(
    config: Config, database: Database, profiles: ProfileStore, wake_graph_sync: Callable[[], None]
) -> Federation:
    """Build the services for a node and start its background loops."""
    follows, notes, deliveries = Follows(database), Notes(database), DeliveryQueue(database)
    remote_actors, received = RemoteActorCache(database), ReceivedActivities(database)
    policy = FetchPolicy(allow_private_network=config.allow_private_network, user_agent=f"dsi4bcn ({config.base_url})")
    session = create_session(policy)
    # Deliveries have a connection pool of their own, so that slow fetches (keys of unknown senders,
    # peers' profiles) can never hold up the fan-out, and a slow fan-out never holds up verification.
    delivery_session = create_session(policy)
    signers = Signers(profiles, config.base_url)
    instance_signer = await signers.signer("")

    def client() -> ActivityPubClient:
        return ActivityPubClient(session, policy, instance_signer)

    blocklist = Blocklist(database)
    await blocklist.load()
    directory = RemoteDirectory(remote_actors, client, is_blocked=blocklist.is_blocked_url)
    deliverer = Deliverer(
        deliveries,
        signers,
        delivery_session,
        policy,
        backoff_scale=config.backoff_scale,
        is_blocked=blocklist.is_blocked_url,
    )
    ingestor = Ingestor(database, wake_graph_sync)
    publisher = Publisher(notes, follows, deliveries, config.base_url)
    peering = Peering(
        database,
        follows,
        directory,
        client,
        publisher,
        ingestor,
        instance_actor_iri(config.base_url),
        config.resync_interval,
        deliverer.poke,
        is_blocked=blocklist.is_blocked_url,
    )
    processor = InboxProcessor(
        received, follows, deliveries, profiles, directory, config.base_url, deliverer.poke, ingestor, peering.peer_for
    )
    writer = BatchWriter(received.store_incoming)
    federation = Federation(
        remote_actors=remote_actors,
        follows=follows,
        received=received,
        notes=notes,
        deliveries=deliveries,
        session=session,
        policy=policy,
        signers=signers,
        directory=directory,
        blocklist=blocklist,
        limiter=RateLimiter(rate=config.inbox_rate, burst=config.inbox_rate * 10),
        address_limiter=RateLimiter(rate=config.inbox_rate, burst=config.inbox_rate * 10),
        writer=writer,
        processor=processor,
        deliverer=deliverer,
        publisher=publisher,
        instance_signer=instance_signer,
        ingestor=ingestor,
        peering=peering,
        deletions=DeletionCheck(directory, ingestor, peering.peer_for),
        wake_graph_sync=wake_graph_sync,
        delivery_session=delivery_session,
    )
    writer.start()
    federation.supervise("inbox-processor", processor.run)
    federation.supervise("deliverer", deliverer.run)
    federation.supervise("peering", peering.run)
    return federation
