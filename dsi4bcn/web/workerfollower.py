"""What a pool's secondary worker does instead of the background loops: keep up with the primary.

In ``serve --workers N`` only the primary worker writes (every write request is passed on to it, see
``web/primaryproxy.py``) and syncs the graph. The others serve reads from SQLite and from in-memory
indexes, which this loop keeps current: every half second it asks SQLite whether another connection has
committed (``PRAGMA data_version``, one cheap statement), and if so it drops the cached actor records and
rendered documents, hands the directory, matching and calls indexes the graphs the primary has written
since the last look (``graph_sync.synced_seq``), and reloads the blocked domains and the node's identity.
"""

import asyncio
import logging

from aiohttp import web

from dsi4bcn.storage.nodesettings import NodeSettings
from dsi4bcn.web.appkeys import BLOCKLIST, CONFIG, DATABASE, GRAPH_SYNC, MEDIA, STORE, TEMPLATES
from dsi4bcn.web.nodeidentityview import load_identity

__all__ = ["follow_primary"]

log = logging.getLogger(__name__)
INTERVAL = 0.5


async def follow_primary(app: web.Application, interval: float = INTERVAL) -> None:
    """Keep this secondary worker's caches and indexes in step with what the primary commits; runs until
    cancelled (under the supervisor, which restarts it if it fails)."""
    database, sync = app[DATABASE], app[GRAPH_SYNC]
    batch = await sync.latest_batch()  # read before the indexes load, so that nothing falls in between
    seen = await database.data_version()
    while True:
        await asyncio.sleep(interval)
        version = await database.data_version()
        if version == seen:
            continue
        seen = version
        app[STORE].generation += 1  # actor records and rendered actor documents are read again
        while True:  # in pieces of whole batches, all of them before the next look
            graphs, batch = await sync.written_since(batch)
            if not graphs:
                break
            await sync.notify(graphs)
        await app[BLOCKLIST].load()
        await load_identity(NodeSettings(database), app[MEDIA], app[TEMPLATES], app[CONFIG].base_url)
