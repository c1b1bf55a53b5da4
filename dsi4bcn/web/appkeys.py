"""Typed keys for what the aiohttp application holds (config, store, caches)."""

from typing import Any

import jinja2
from aiohttp import web

from dsi4bcn.config import Config
from dsi4bcn.fediverse.wiring import Federation
from dsi4bcn.graph.aggregator import Aggregate
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.web.queryslots import ClientSlots
from dsi4bcn.web.rendercache import RenderCache

__all__ = [
    "ADMIN_TOKEN",
    "CONFIG",
    "DATABASE",
    "FEDERATION",
    "GRAPH",
    "QUERY_SLOTS",
    "RENDER_CACHE",
    "STORE",
    "TEMPLATES",
    "VOCABULARY",
]

CONFIG = web.AppKey("config", Config)
DATABASE = web.AppKey("database", Database)
STORE = web.AppKey("store", ProfileStore)
RENDER_CACHE = web.AppKey("render_cache", RenderCache)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
ADMIN_TOKEN = web.AppKey("admin_token", str)
FEDERATION = web.AppKey("federation", Federation)
GRAPH = web.AppKey("graph", Aggregate)
# SPARQL query slots per client, with their waiting lines.
QUERY_SLOTS = web.AppKey("query_slots", ClientSlots)
# Serialisations of the vocabulary, by media type, computed once at start-up.
VOCABULARY = web.AppKey("vocabulary", dict[str, Any])
