"""A pool's secondary workers pass on to the primary every request they must not answer themselves.

In ``serve --workers N`` (``dsi4bcn/workerpool.py``) all workers listen on the public port and the kernel
shares the connections among them; the primary also listens on a Unix socket only this user can reach
(``Config.internal_socket``). A secondary answers the reads it can answer from SQLite and its own indexes
(actors, WebFinger, collections, public pages, the directory) and streams everything else there: every
write (so that the inbox, the admin API and the forms have one writer, whose loops are woken in-process),
the SPARQL endpoint and graph dumps (the graph store has one owner), and the admin and sign-in pages.
The request goes on as it came (method, target, headers, body, streamed both ways); who the client is
travels in ``X-Dsi4bcn-Client``, which the primary reads only from that socket (``web/clientaddress.py``).
"""

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web

from dsi4bcn.web.appkeys import CONFIG
from dsi4bcn.web.clientaddress import INTERNAL_CLIENT_HEADER, client_address
from dsi4bcn.web.errorpages import error_answer
from dsi4bcn.web.http import ApiError

__all__ = ["forward_to_primary", "needs_primary", "primary_session"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PRIMARY_SESSION = web.AppKey("primary_session", aiohttp.ClientSession)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PRIMARY_PATHS = frozenset({"/sparql", "/graph", "/graph/void", "/follow", "/signin"})
_PRIMARY_PREFIXES = ("/admin", "/api/", "/invitation/")
# Public reads under /api/ that every worker answers from its own indexes.
_PUBLIC_API = frozenset({"/api/directory", "/api/directory.csv", "/api/match", "/api/stats", "/api/network/calls"})
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        INTERNAL_CLIENT_HEADER.lower(),
    }
)
_CHUNK = 64 * 1024


def needs_primary(method: str, path: str) -> bool:
    """Whether a secondary worker passes this request on to the primary."""
    if method not in _SAFE_METHODS or path in _PRIMARY_PATHS:
        return True
    if path.startswith("/api/"):
        return path not in _PUBLIC_API
    return path.startswith(_PRIMARY_PREFIXES)


_DUMP_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=5, sock_read=3600)


async def primary_session(app: web.Application) -> AsyncIterator[None]:
    """The client session to the primary's Unix socket, for the app's lifetime (a ``cleanup_ctx``)."""
    connector = aiohttp.UnixConnector(path=str(app[CONFIG].internal_socket), limit=256)
    # Bodies pass as they are, compressed or not; a slow SPARQL query is bounded by the primary itself.
    timeout = aiohttp.ClientTimeout(total=None, connect=5, sock_read=app[CONFIG].query_timeout + 60)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False, timeout=timeout) as session:
        app[PRIMARY_SESSION] = session
        yield


@web.middleware
async def forward_to_primary(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer here what this worker can answer; stream the rest to and from the primary."""
    if not needs_primary(request.method, request.path):
        return await handler(request)
    headers = [(name, value) for name, value in request.headers.items() if name.lower() not in _HOP_BY_HOP]
    headers.append((INTERNAL_CLIENT_HEADER, client_address(request)))
    body = request.content.iter_chunked(_CHUNK) if request.body_exists else None
    session = request.app[PRIMARY_SESSION]
    # The primary makes a graph dump before it answers: minutes for a large aggregator.
    timeout = _DUMP_TIMEOUT if request.path == "/graph" else session.timeout
    try:
        async with session.request(
            request.method,
            f"http://primary{request.raw_path}",
            headers=headers,
            data=body,
            allow_redirects=False,
            timeout=timeout,
        ) as upstream:
            return await _relay(request, upstream)
    except (aiohttp.ClientConnectionError, TimeoutError):
        if request.get("relay_started"):
            raise  # the answer has begun: the client sees the connection cut, as with any broken upstream
        return error_answer(request, ApiError(503, "primary_unavailable", headers={"Retry-After": "5"}))


async def _relay(request: web.Request, upstream: aiohttp.ClientResponse) -> web.StreamResponse:
    """Send the primary's answer to the client as it comes."""
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
    for name, value in upstream.headers.items():
        if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
            response.headers.add(name, value)
    if upstream.content_length is not None:
        response.content_length = upstream.content_length
    request["relay_started"] = True
    await response.prepare(request)
    async for chunk in upstream.content.iter_chunked(_CHUNK):
        await response.write(chunk)
    await response.write_eof()
    return response
