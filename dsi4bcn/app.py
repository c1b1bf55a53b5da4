"""The aiohttp application of a node: routes, error answers, and the resources it owns.

All the wiring is here: the app owns the database, the HTTP client sessions, the graph process and the
background loops through ``cleanup_ctx``, so that tests and ``dsi4bcn serve`` start and stop a node the
same way. Each service is built once and stored under its own typed key (``web/appkeys.py``); handlers
read the services they use from there, and what a profile write entails is registered here as hooks.
"""

import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from importlib import resources

import aiohttp
from aiohttp import web

from dsi4bcn.config import Config
from dsi4bcn.demo import load_demo, load_demo_calls
from dsi4bcn.directory.callservice import CallDirectory
from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.fediverse.answerintake import AnswerIntake
from dsi4bcn.fediverse.blocklist import Blocklist
from dsi4bcn.fediverse.callintake import CallIntake
from dsi4bcn.fediverse.callpublisher import CallPublisher
from dsi4bcn.fediverse.domainblocks import DomainBlocks
from dsi4bcn.fediverse.erasure import DeletionCheck
from dsi4bcn.fediverse.inboxbatches import BatchWriter
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.fediverse.mediafetch import MediaFetcher
from dsi4bcn.fediverse.noteintake import NoteIntake
from dsi4bcn.fediverse.outbox import Publisher, profile_announcer
from dsi4bcn.fediverse.peering import Peering
from dsi4bcn.fediverse.postbackfill import PostBackfill
from dsi4bcn.fediverse.ratelimit import RateLimiter
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.fediverse.workers import Deliverer, InboxProcessor, Signers
from dsi4bcn.graph.aggregator import Aggregate
from dsi4bcn.graph.storechoice import graph_store_for
from dsi4bcn.graph.sync import GraphSync, profile_marker
from dsi4bcn.matching.service import Matcher
from dsi4bcn.metrics import NodeMetrics
from dsi4bcn.profiles.images import MAX_IMAGE_BYTES
from dsi4bcn.profiles.iris import instance_actor_iri
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.storage.callreplies import CallReplies
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.mediastore import MediaStore
from dsi4bcn.storage.nodesettings import NodeSettings
from dsi4bcn.storage.notes import Notes
from dsi4bcn.storage.profilewrites import ProfileWrites
from dsi4bcn.storage.receivedactivities import ReceivedActivities
from dsi4bcn.storage.receivedcalls import ReceivedCalls
from dsi4bcn.storage.receivednotes import ReceivedNotes
from dsi4bcn.storage.receivedprofiles import ReceivedProfiles
from dsi4bcn.storage.remoteactorcache import RemoteActorCache
from dsi4bcn.supervise import Supervisor
from dsi4bcn.web.accountservice import AccountService
from dsi4bcn.web.admintoken import ensure_admin_token
from dsi4bcn.web.appkeys import (
    ACCOUNTS,
    ACTOR_LIMITER,
    ADDRESS_LIMITER,
    ADMIN_TOKEN,
    ANSWER_INTAKE,
    BLOCKLIST,
    CALL_DIRECTORY,
    CALL_PUBLISHER,
    CALLS,
    CONFIG,
    DATABASE,
    DELETIONS,
    DELIVERER,
    DELIVERY_QUEUE,
    DIRECTORY,
    DIRECTORY_SERVICE,
    DOMAIN_BLOCKS,
    FOLLOW_CLIENT,
    FOLLOW_LIMITER,
    FOLLOWS,
    GRAPH,
    GRAPH_DUMPS,
    GRAPH_SERVICE,
    GRAPH_SYNC,
    INBOX_PROCESSOR,
    INBOX_WRITER,
    LOOPS,
    MATCHER,
    MEDIA,
    MEDIA_FETCHER,
    METRICS,
    METRICS_TOKEN,
    NOTES,
    PEERING,
    PROFILE_WRITES,
    PUBLISHER,
    QUERY_SLOTS,
    RECEIVED_CALLS,
    RECEIVED_NOTES,
    RECEIVED_PROFILES,
    RENDER_CACHE,
    STORE,
    TEMPLATES,
)
from dsi4bcn.web.auditing import audit_changes
from dsi4bcn.web.errormiddleware import json_errors
from dsi4bcn.web.graphdumps import GraphDumps
from dsi4bcn.web.http import MAX_BODY
from dsi4bcn.web.keyservices import start_key_rotation
from dsi4bcn.web.languagecookie import remember_language
from dsi4bcn.web.metricsaccess import ensure_metrics_token
from dsi4bcn.web.nodeidentityview import load_identity
from dsi4bcn.web.primaryproxy import forward_to_primary, primary_session
from dsi4bcn.web.queryslots import QUERY_STOP_ALLOWANCE, ClientSlots
from dsi4bcn.web.rendercache import RenderCache
from dsi4bcn.web.requestmetrics import count_requests
from dsi4bcn.web.routes.routetables import ROUTE_TABLES
from dsi4bcn.web.templating import template_environment
from dsi4bcn.web.workerfollower import follow_primary
from federation.client import ActivityPubClient, FetchPolicy, create_session

__all__ = ["create_app", "serve"]

log = logging.getLogger("dsi4bcn")
MAX_REQUEST_LINE = 16 * 1024


async def _services(app: web.Application) -> AsyncIterator[None]:
    """Build the node's services, start their loops, and stop them all (in reverse) when the app stops."""
    config = app[CONFIG]
    primary = config.worker_role != "secondary"  # secondaries run no background work (web/workerfollower.py)
    app[ADMIN_TOKEN], _path = ensure_admin_token(config)
    app[METRICS_TOKEN] = ensure_metrics_token(config)
    async with contextlib.AsyncExitStack() as stack:
        database = app[DATABASE] = Database(await open_database(config.database_path), config.database_path)
        stack.push_async_callback(database.close)
        store = app[STORE] = ProfileStore(database)
        media = app[MEDIA] = MediaStore(database)
        await store.instance()
        await load_identity(NodeSettings(database), media, app[TEMPLATES], config.base_url)
        app[ACCOUNTS] = AccountService(database, config.base_url)
        if primary and (first_admin := await app[ACCOUNTS].first_admin_link()):  # no account yet: make the first admin
            print(f"first admin: open {first_admin} within 7 days to create this node's first account", flush=True)
        if config.demo and primary:
            loaded = await load_demo(store, config.base_url, media)
            log.info("demo data: %s", loaded)
        policy = FetchPolicy(
            allow_private_network=config.allow_private_network, user_agent=f"dsi4bcn ({config.base_url})"
        )
        session = create_session(policy)
        stack.push_async_callback(session.close)
        app[FOLLOW_CLIENT] = ActivityPubClient(session, policy)
        # Deliveries have their own pool: slow fetches (keys, peers' profiles) never hold up fan-out, nor it them.
        delivery_session = create_session(policy)
        stack.push_async_callback(delivery_session.close)
        graph_service = app[GRAPH_SERVICE] = graph_store_for(config, database)
        if primary:  # a pool's secondaries pass SPARQL on to the primary
            await graph_service.start()
            stack.push_async_callback(graph_service.stop)
        loops = app[LOOPS] = Supervisor()
        stack.push_async_callback(loops.stop)  # after the services below have finished, before the graph stops
        sync = await _start_graph(app, config, database, store, loops)
        if primary:
            stack.push_async_callback(app[DIRECTORY_SERVICE].close)  # saves the index while the database is open
        client, deliverer = await _build_delivery(app, config, policy, session, delivery_session)
        if config.demo and primary:
            log.info("demo calls: %s", await load_demo_calls(store, app[CALL_PUBLISHER], date.today()))
            sync.poke()  # the calls' graphs are due now, not at the sync's next timeout
        await _start_federation(app, config, stack, client, sync)
        _register_profile_hooks(app, config, store, deliverer, sync)
        yield


async def _start_graph(
    app: web.Application, config: Config, database: Database, store: ProfileStore, loops: Supervisor
) -> GraphSync:
    """Make sure SQLite and the graph store agree, start syncing and counting, load the indexes it refreshes."""
    sync = app[GRAPH_SYNC] = GraphSync(config, database, store, app[GRAPH_SERVICE])
    primary = config.worker_role != "secondary"
    if primary:
        await sync.reconcile()
    else:  # started first: it notes the last batch of graphs written before the indexes below read them
        loops.start("primary-follower", lambda: follow_primary(app))
    aggregate = app[GRAPH] = Aggregate(database=database, service=app[GRAPH_SERVICE])
    matcher = app[MATCHER] = Matcher(config, database, store, app[METRICS])
    loops.start("matching-index", matcher.load, until_done=True)
    sync.on_written(matcher.refresh)
    directory = app[DIRECTORY_SERVICE] = DirectoryService(config, database, store, app[METRICS])
    loops.start("directory-index", directory.load, until_done=True)
    sync.on_written(directory.refresh)
    calls = app[CALL_DIRECTORY] = CallDirectory(config, database, store, app[METRICS])
    loops.start("calls-list", calls.load, until_done=True)
    sync.on_written(calls.refresh)
    if primary:
        loops.start("graph-sync", sync.run)
        loops.start("graph-counts", aggregate.counts.run)
        sync.on_written(aggregate.counts.changed)
    return sync


async def _build_delivery(
    app: web.Application,
    config: Config,
    policy: FetchPolicy,
    session: aiohttp.ClientSession,
    delivery_session: aiohttp.ClientSession,
) -> tuple[Callable[[], ActivityPubClient], Deliverer]:
    """The blocklist, the remote directory and the deliverer, and how the node makes signed requests."""
    database = app[DATABASE]
    app[FOLLOWS], app[NOTES] = Follows(database), Notes(database)
    app[RECEIVED_NOTES] = ReceivedNotes(database)
    app[CALLS], app[RECEIVED_CALLS] = Calls(database), ReceivedCalls(database)
    app[CALL_PUBLISHER] = CallPublisher(app[CALLS], app[FOLLOWS], base_url=config.base_url, language=config.language)
    deliveries = app[DELIVERY_QUEUE] = DeliveryQueue(database)
    signers = Signers(app[STORE], config.base_url, database)
    instance_signer = await signers.live_signer()

    def client() -> ActivityPubClient:
        return ActivityPubClient(session, policy, instance_signer)

    blocklist = app[BLOCKLIST] = Blocklist(database)
    await blocklist.load()
    app[DIRECTORY] = RemoteDirectory(RemoteActorCache(database), client, is_blocked=blocklist.is_blocked_url)
    deliverer = app[DELIVERER] = Deliverer(
        deliveries,
        signers,
        delivery_session,
        policy,
        backoff_scale=config.backoff_scale,
        is_blocked=blocklist.is_blocked_url,
        metrics=app[METRICS],
    )
    start_key_rotation(app, config, signers, deliverer.poke)
    return client, deliverer


def _inbox_processor(
    app: web.Application,
    config: Config,
    ingestor: Ingestor,
    peer_for: Callable[[str], Awaitable[str | None]],
    graph_changed: Callable[[], None],
) -> InboxProcessor:
    """The inbox processor, with what it hands received profiles, posts, calls and answers to."""
    database = app[DATABASE]
    app[ANSWER_INTAKE] = AnswerIntake(
        config.base_url, config.language, app[CALLS], app[RECEIVED_CALLS], CallOffers(database), CallReplies(database)
    )
    return InboxProcessor(
        ReceivedActivities(database),
        app[FOLLOWS],
        app[DELIVERY_QUEUE],
        app[STORE],
        app[DIRECTORY],
        config.base_url,
        app[DELIVERER].poke,
        ingestor,
        peer_for,
        note_intake=NoteIntake(app[RECEIVED_NOTES], peer_for),
        call_intake=CallIntake(app[RECEIVED_CALLS], peer_for, graph_changed),
        answer_intake=app[ANSWER_INTAKE],
        metrics=app[METRICS],
    )


async def _start_federation(
    app: web.Application,
    config: Config,
    stack: contextlib.AsyncExitStack,
    client: Callable[[], ActivityPubClient],
    sync: GraphSync,
) -> None:
    """Build the inbox, outbox and peering services over the store, directory and deliverer, and start
    their loops; ``stack`` stops them (inbox writes finished first, then resyncs and deletion checks)."""
    database, directory, follows = app[DATABASE], app[DIRECTORY], app[FOLLOWS]
    received = ReceivedActivities(database)
    deliverer, blocklist = app[DELIVERER], app[BLOCKLIST]
    fetcher = app[MEDIA_FETCHER] = _media_fetcher(app, config, stack)

    def stored_profiles() -> None:  # the graph sync writes them; the media fetcher copies their images
        sync.poke()
        fetcher.poke()

    ingestor = Ingestor(database, stored_profiles)
    publisher = app[PUBLISHER] = Publisher(app[NOTES], follows, app[DELIVERY_QUEUE], config.base_url)
    peering = app[PEERING] = Peering(
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
        posts=PostBackfill(client, NoteIntake(app[RECEIVED_NOTES], lambda actor: peering.peer_for(actor))),
    )
    processor = app[INBOX_PROCESSOR] = _inbox_processor(app, config, ingestor, peering.peer_for, sync.poke)
    app[RECEIVED_PROFILES] = ReceivedProfiles(database)
    app[DOMAIN_BLOCKS] = DomainBlocks(blocklist, directory, peering, sync.poke)
    app[ADDRESS_LIMITER] = RateLimiter(rate=config.inbox_rate, burst=config.inbox_rate * 10)
    app[ACTOR_LIMITER] = RateLimiter(rate=config.inbox_rate, burst=config.inbox_rate * 10)
    deletions = app[DELETIONS] = DeletionCheck(directory, ingestor, peering.peer_for)
    stack.push_async_callback(deletions.stop)
    stack.push_async_callback(peering.stop)
    writer = app[INBOX_WRITER] = BatchWriter(received.store_incoming)
    if config.worker_role == "secondary":
        return  # the primary alone receives activities, delivers, resyncs peers and copies images
    writer.start()
    stack.push_async_callback(writer.stop)
    loops = app[LOOPS]
    loops.start("inbox-processor", processor.run)
    loops.start("deliverer", deliverer.run)
    loops.start("peering", peering.run)
    loops.start("media-fetcher", fetcher.run)


def _media_fetcher(app: web.Application, config: Config, stack: contextlib.AsyncExitStack) -> MediaFetcher:
    """The loop that copies the images profiles name on other hosts, over a session of its own whose reads
    stop at the image size limit."""
    policy = FetchPolicy(
        allow_private_network=config.allow_private_network,
        max_bytes=MAX_IMAGE_BYTES,
        user_agent=f"dsi4bcn ({config.base_url})",
    )
    session = create_session(policy)
    stack.push_async_callback(session.close)
    return MediaFetcher(
        app[MEDIA],
        ActivityPubClient(session, policy),
        app[STORE],
        config.base_url,
        is_blocked=app[BLOCKLIST].is_blocked_url,
        backoff_scale=config.backoff_scale,
    )


def _register_profile_hooks(
    app: web.Application, config: Config, store: ProfileStore, deliverer: Deliverer, sync: GraphSync
) -> None:
    """What a profile write through the admin API entails: in its transaction, the ``Update`` or ``Delete``
    for followers and peers is queued and its graph marked unsynced; once committed, the deliverer and the
    graph sync are woken."""
    writes = app[PROFILE_WRITES] = ProfileWrites(store)
    writes.in_transaction(
        profile_announcer(base_url=config.base_url, authority=config.authority, language=config.language)
    )
    writes.in_transaction(profile_marker(config.base_url))
    writes.committed(lambda _record, _created: deliverer.poke())
    writes.committed(lambda _record, _created: sync.poke())
    writes.committed(lambda _record, _created: app[MEDIA_FETCHER].poke())  # it may name another host's image


def create_app(config: Config) -> web.Application:
    """A node for ``config``; its database opens when the app starts and closes when it stops."""
    # Bodies are bounded by their handlers (1 MiB, JSON 413); a backstop, and an admin form's (two images).
    middlewares = [count_requests, remember_language, json_errors, audit_changes]
    if config.worker_role == "secondary":  # what it passes on, the primary counts
        middlewares.insert(0, forward_to_primary)
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY * 5)
    app[CONFIG] = config
    app[METRICS] = NodeMetrics()
    app[RENDER_CACHE] = RenderCache()
    app[GRAPH_DUMPS] = GraphDumps(config.data_dir / "dumps")
    waits = config.query_timeout + QUERY_STOP_ALLOWANCE  # a query in line outwaits one stopped at the limit
    app[QUERY_SLOTS] = ClientSlots(config.queries_per_client, config.query_queue_per_client, waits)
    app[TEMPLATES] = template_environment()
    app[FOLLOW_LIMITER] = RateLimiter(rate=0.2, burst=10)  # ten lookups at once, then one every 5 s
    if config.worker_role == "secondary":
        app.cleanup_ctx.append(primary_session)
    app.cleanup_ctx.append(_services)
    for table in ROUTE_TABLES:
        app.add_routes(table)
    app.router.add_static("/static", str(resources.files("dsi4bcn.web").joinpath("static")))
    return app


def serve(config: Config, ssl_context: ssl.SSLContext | None = None) -> None:
    """Serve the node on the configured address until it is interrupted (``dsi4bcn serve``, or one worker
    of ``serve --workers N``: all on one port, the primary also on its internal socket)."""
    pooled = config.worker_role != "single"
    where = f"listening on {config.host}:{config.port}"
    web.run_app(
        create_app(config),
        host=config.host,
        port=config.port,
        path=str(config.internal_socket) if config.worker_role == "primary" else None,
        reuse_port=pooled or None,
        ssl_context=ssl_context,
        print=lambda _message: print(where + (f" (worker {config.worker_index})" if pooled else ""), flush=True),
        access_log=None,
        # Request lines to 16 KiB reach the handlers (aiohttp refuses 8190+ bytes with a bare 400): JSON or a page.
        max_line_size=MAX_REQUEST_LINE,
    )
