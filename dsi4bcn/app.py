"""The aiohttp application of a node: routes, error answers, and the resources it owns.

The app owns the database (and, later, the HTTP client session and background tasks) through
``cleanup_ctx``, so that tests and ``dsi4bcn serve`` start and stop a node the same way.
"""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from typing import Any

from aiohttp import web

from dsi4bcn.config import Config
from dsi4bcn.demo import load_demo
from dsi4bcn.fediverse.wiring import start_federation
from dsi4bcn.graph.aggregator import start_aggregate
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.web.admintoken import ensure_admin_token
from dsi4bcn.web.appkeys import (
    ADMIN_TOKEN,
    CONFIG,
    DATABASE,
    FEDERATION,
    GRAPH,
    QUERY_SLOTS,
    RENDER_CACHE,
    STORE,
    TEMPLATES,
    VOCABULARY,
)
from dsi4bcn.web.http import MAX_BODY, ApiError, error_response, request_language
from dsi4bcn.web.queryslots import ClientSlots
from dsi4bcn.web.rendercache import RenderCache
from dsi4bcn.web.routes import (
    actordocs,
    discovery,
    federationadmin,
    inboxes,
    matchapi,
    networkadmin,
    partners,
    profileadmin,
    site,
    sparqlendpoint,
)
from dsi4bcn.web.templating import template_environment
from dsi4bcn.web.vocabulary import vocabulary_documents

__all__ = ["create_app"]

log = logging.getLogger("dsi4bcn")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error with a JSON body saying what is wrong (in the visitor's language)."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error, request_language(request))
    except web.RequestPayloadError:  # a body aiohttp cannot decode: corrupt gzip or deflate, broken chunks
        return error_response(ApiError(400, "unreadable_body"), request_language(request))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        code = _STATUS_CODES.get(error.status, "bad_request")
        params: dict[str, Any] = {"limit": MAX_BODY} if code == "too_large" else {}
        return error_response(
            ApiError(error.status, code, headers=dict(error.headers), **params), request_language(request)
        )
    except Exception:  # logged with its traceback; the client gets a JSON 500, never a stack trace
        log.exception("unexpected error handling %s %s", request.method, request.path)
        return error_response(ApiError(500, "internal_error"), request_language(request))


async def _resources(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    token, _path = ensure_admin_token(config)
    app[ADMIN_TOKEN] = token
    database = Database(await open_database(config.database_path))
    app[DATABASE] = database
    store = ProfileStore(database)
    app[STORE] = store
    await store.instance()
    if config.demo:
        loaded = await load_demo(store)
        log.info("demo data: %s", loaded)
    aggregate = await start_aggregate(config, database, store)
    app[GRAPH] = aggregate
    federation = await start_federation(config, database, store, aggregate.sync.wake.set)
    app[FEDERATION] = federation
    try:
        yield
    finally:
        await federation.stop()
        await aggregate.stop()
        await database.close()


def create_app(config: Config) -> web.Application:
    """A node for ``config``; its database opens when the app starts and closes when it stops."""
    # Bodies are bounded by the handlers themselves (1 MiB, answered as JSON 413); this is a backstop.
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY * 2)
    app[CONFIG] = config
    app[RENDER_CACHE] = RenderCache()
    app[QUERY_SLOTS] = ClientSlots(config.queries_per_client, config.query_queue_per_client, config.query_timeout)
    app[TEMPLATES] = template_environment()
    app[VOCABULARY] = vocabulary_documents()
    app.cleanup_ctx.append(_resources)
    for table in (
        site.routes,
        discovery.routes,
        actordocs.routes,
        inboxes.routes,
        profileadmin.routes,
        federationadmin.routes,
        networkadmin.routes,
        matchapi.routes,
        partners.routes,
        sparqlendpoint.routes,
    ):
        app.add_routes(table)
    app.router.add_static("/static", str(resources.files("dsi4bcn.web").joinpath("static")))
    return app
