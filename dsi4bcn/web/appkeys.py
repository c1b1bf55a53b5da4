"""Typed keys for what the aiohttp application holds: one key per service a handler may use.

``app.py`` builds the services and stores each under its key; a handler reads, at its top, the services it
uses (``request.app[PEERING]``) and calls them. There is no key for a bundle of services.
"""

import jinja2
from aiohttp import web

from dsi4bcn.config import Config
from dsi4bcn.directory.callservice import CallDirectory
from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.fediverse.answerintake import AnswerIntake
from dsi4bcn.fediverse.blocklist import Blocklist
from dsi4bcn.fediverse.callpublisher import CallPublisher
from dsi4bcn.fediverse.domainblocks import DomainBlocks
from dsi4bcn.fediverse.erasure import DeletionCheck
from dsi4bcn.fediverse.inboxbatches import BatchWriter
from dsi4bcn.fediverse.keyrotator import KeyRotator
from dsi4bcn.fediverse.mediafetch import MediaFetcher
from dsi4bcn.fediverse.outbox import Publisher
from dsi4bcn.fediverse.peering import Peering
from dsi4bcn.fediverse.ratelimit import RateLimiter
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.fediverse.workers import Deliverer, InboxProcessor
from dsi4bcn.graph.aggregator import Aggregate
from dsi4bcn.graph.store import GraphStore
from dsi4bcn.graph.sync import GraphSync
from dsi4bcn.matching.service import Matcher
from dsi4bcn.metrics import NodeMetrics
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.mediastore import MediaStore
from dsi4bcn.storage.notes import Notes
from dsi4bcn.storage.profilewrites import ProfileWrites
from dsi4bcn.storage.receivedcalls import ReceivedCalls
from dsi4bcn.storage.receivednotes import ReceivedNotes
from dsi4bcn.storage.receivedprofiles import ReceivedProfiles
from dsi4bcn.supervise import Supervisor
from dsi4bcn.web.accountservice import AccountService
from dsi4bcn.web.graphdumps import GraphDumps
from dsi4bcn.web.queryslots import ClientSlots
from dsi4bcn.web.rendercache import RenderCache
from federation.client import ActivityPubClient

__all__ = [
    "ACCOUNTS",
    "ACTOR_LIMITER",
    "ADDRESS_LIMITER",
    "ADMIN_TOKEN",
    "ANSWER_INTAKE",
    "BLOCKLIST",
    "CALLS",
    "CALL_DIRECTORY",
    "CALL_PUBLISHER",
    "CONFIG",
    "DATABASE",
    "DELETIONS",
    "DELIVERER",
    "DELIVERY_QUEUE",
    "DIRECTORY",
    "DIRECTORY_SERVICE",
    "DOMAIN_BLOCKS",
    "FOLLOWS",
    "FOLLOW_CLIENT",
    "FOLLOW_LIMITER",
    "GRAPH",
    "GRAPH_DUMPS",
    "GRAPH_SERVICE",
    "GRAPH_SYNC",
    "INBOX_PROCESSOR",
    "INBOX_WRITER",
    "KEY_ROTATOR",
    "LOOPS",
    "MATCHER",
    "MEDIA",
    "MEDIA_FETCHER",
    "METRICS",
    "METRICS_TOKEN",
    "NOTES",
    "PEERING",
    "PROFILE_WRITES",
    "PUBLISHER",
    "QUERY_SLOTS",
    "RECEIVED_CALLS",
    "RECEIVED_NOTES",
    "RECEIVED_PROFILES",
    "RENDER_CACHE",
    "STORE",
    "TEMPLATES",
]

# Set when the app is created.
CONFIG = web.AppKey("config", Config)
RENDER_CACHE = web.AppKey("render_cache", RenderCache)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
# SPARQL query slots per client, with their waiting lines.
QUERY_SLOTS = web.AppKey("query_slots", ClientSlots)
# Serialisations of the vocabulary, by media type, computed once at start-up.
# Remote follow lookups (``GET /follow``) per client address.
FOLLOW_LIMITER = web.AppKey("follow_limiter", RateLimiter)
# The node's Prometheus metrics (``/metrics``), which the services below count into.
METRICS = web.AppKey("metrics", NodeMetrics)

# Set when the app starts (app.py's cleanup context), once the database is open.
ACCOUNTS = web.AppKey("accounts", AccountService)
ADMIN_TOKEN = web.AppKey("admin_token", str)
METRICS_TOKEN = web.AppKey("metrics_token", str)
DATABASE = web.AppKey("database", Database)
STORE = web.AppKey("store", ProfileStore)
PROFILE_WRITES = web.AppKey("profile_writes", ProfileWrites)
LOOPS = web.AppKey("loops", Supervisor)
# The graph and matching.
GRAPH = web.AppKey("graph", Aggregate)
GRAPH_SERVICE = web.AppKey("graph_service", GraphStore)
GRAPH_DUMPS = web.AppKey("graph_dumps", GraphDumps)
GRAPH_SYNC = web.AppKey("graph_sync", GraphSync)
MATCHER = web.AppKey("matcher", Matcher)
DIRECTORY_SERVICE = web.AppKey("directory_service", DirectoryService)
# The network's calls for collaboration (``/calls``), kept in step with the graph like the directory.
CALL_DIRECTORY = web.AppKey("call_directory", CallDirectory)
# Images the node serves (``/media/…``), and the loop that copies other hosts' images for its pages.
MEDIA = web.AppKey("media", MediaStore)
MEDIA_FETCHER = web.AppKey("media_fetcher", MediaFetcher)
# Federation.
FOLLOWS = web.AppKey("follows", Follows)
NOTES = web.AppKey("notes", Notes)
DELIVERY_QUEUE = web.AppKey("delivery_queue", DeliveryQueue)
BLOCKLIST = web.AppKey("blocklist", Blocklist)
DOMAIN_BLOCKS = web.AppKey("domain_blocks", DomainBlocks)
DIRECTORY = web.AppKey("directory", RemoteDirectory)
DELIVERER = web.AppKey("deliverer", Deliverer)
KEY_ROTATOR = web.AppKey("key_rotator", KeyRotator)
PUBLISHER = web.AppKey("publisher", Publisher)
CALLS = web.AppKey("calls", Calls)
ANSWER_INTAKE = web.AppKey("answer_intake", AnswerIntake)
RECEIVED_CALLS = web.AppKey("received_calls", ReceivedCalls)
CALL_PUBLISHER = web.AppKey("call_publisher", CallPublisher)
PEERING = web.AppKey("peering", Peering)
# Profiles received from peers, for their pages here (``/network/profile``).
RECEIVED_PROFILES = web.AppKey("received_profiles", ReceivedProfiles)
# Their posts, for the home page, their pages and the network feed.
RECEIVED_NOTES = web.AppKey("received_notes", ReceivedNotes)
DELETIONS = web.AppKey("deletions", DeletionCheck)
INBOX_WRITER = web.AppKey("inbox_writer", BatchWriter)
INBOX_PROCESSOR = web.AppKey("inbox_processor", InboxProcessor)
# Inbox rates: per client address before verification, per verified actor host after.
ADDRESS_LIMITER = web.AppKey("address_limiter", RateLimiter)
ACTOR_LIMITER = web.AppKey("actor_limiter", RateLimiter)
# Unsigned GETs for visitors' WebFinger lookups (remote follow), through the same safe session.
FOLLOW_CLIENT = web.AppKey("follow_client", ActivityPubClient)
