"""The audit log of the admin API: every change a token makes is recorded, whoever the route.

``principal.authorise`` notes the caller on the request; once a state-changing request (POST, PUT, PATCH,
DELETE) under ``/api/`` has been answered with success, this middleware records who (the account's email
or "admin token"), what (the method and path) and the status. The admin pages record their own changes
with readable action codes (``AccountService.record``).
"""

from collections.abc import Awaitable, Callable

from aiohttp import web

from dsi4bcn.web.appkeys import ACCOUNTS

__all__ = ["CALLER", "audit_changes"]

CALLER = web.RequestKey("caller", str)  # where authorise notes the caller's name on the request
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def audit_changes(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record a successful change made through the admin API by an authorised caller."""
    response = await handler(request)
    caller = request.get(CALLER)
    if caller and request.method in _CHANGES and request.path.startswith("/api/") and response.status < 400:
        await request.app[ACCOUNTS].record(
            str(caller), f"{request.method} {request.path}"[:300], "", str(response.status)
        )
    return response
