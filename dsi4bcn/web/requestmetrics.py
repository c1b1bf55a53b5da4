"""What the web layer counts: every request by method, route pattern and status (``count_requests``, the
outermost middleware), and the labels of inbox refusals and SPARQL outcomes, read from the ``ApiError`` a
route raises.

The route is the pattern the router matched (``/{kind}/{slug}``), never the path, so that the number of
series stays bounded however many profiles or hostile paths there are; a request no route matched is
``unmatched``, a method the node does not know is ``other``, and a request whose client went away before
its answer has the status 499.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from dsi4bcn.i18n import Reason
from dsi4bcn.web.appkeys import METRICS
from dsi4bcn.web.http import ApiError

__all__ = ["count_requests", "inbox_refusal", "sparql_outcome"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The SPARQL refusals that are not plain "refused", by the code of their reason.
_SPARQL_OUTCOMES = {
    "sparql_syntax": "syntax",
    "sparql_timeout": "timeout",
    "sparql_busy": "too_many",
    "sparql_waited": "too_many",
    "sparql_query_too_long": "too_large",
    "sparql_request_too_long": "too_large",
    "sparql_no_format": "not_acceptable",
}


def _route(request: web.Request) -> str:
    """The pattern of the route that answered (its canonical form), or ``unmatched``."""
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return "unmatched"
    return info.route.resource.canonical


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count the request and time it, by method, route pattern and the status answered."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:  # redirects and the like, raised past the error middleware
        status = error.status
        raise
    except asyncio.CancelledError:  # the client went away before the answer: nginx's "499", not a 500
        status = 499
        raise
    finally:
        method = request.method if request.method in _METHODS else "other"
        request.app[METRICS].request_answered(method, _route(request), status, time.perf_counter() - started)


def inbox_refusal(error: ApiError) -> str:
    """The reason label of an inbox refusal: the check's code, or the error's own code (``too_large``,
    ``not_found``, …) for a refusal before the activity was read."""
    return str(error.params.get("check", error.code)) if error.code == "inbox_refused" else error.code


def sparql_outcome(error: ApiError) -> str:
    """The outcome label of a SPARQL query the endpoint did not answer with results."""
    if error.status >= 500 and error.status != 503:
        return "error"
    reason = error.params.get("reason")
    return _SPARQL_OUTCOMES.get(reason.code, "refused") if isinstance(reason, Reason) else "refused"
