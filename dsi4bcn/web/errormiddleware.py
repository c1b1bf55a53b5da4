"""The middleware that turns every error into an answer that says what is wrong."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from dsi4bcn.web.errorpages import error_answer
from dsi4bcn.web.http import MAX_BODY, ApiError

__all__ = ["json_errors"]

log = logging.getLogger("dsi4bcn")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 410: "gone", 413: "too_large"}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error saying what is wrong, in the visitor's language: JSON, or a page for a browser
    (``web/errorpages.py``)."""
    try:
        return await handler(request)
    except ApiError as error:
        return error_answer(request, error)
    except web.RequestPayloadError:  # a body aiohttp cannot decode: corrupt gzip or deflate, broken chunks
        return error_answer(request, ApiError(400, "unreadable_body"))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        code = _STATUS_CODES.get(error.status, "bad_request")
        params: dict[str, Any] = {"limit": MAX_BODY} if code == "too_large" else {}
        return error_answer(request, ApiError(error.status, code, headers=dict(error.headers), **params))
    except Exception:  # logged with its traceback; the client gets a 500 that says so, never a stack trace
        log.exception("unexpected error handling %s %s", request.method, request.path)
        return error_answer(request, ApiError(500, "internal_error"))
