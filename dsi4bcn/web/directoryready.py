"""The directory for a request that needs it: the node's index once it has loaded, or a 503 after 30 s.

A node loads the index in the background at start (from its snapshot, else from the database); the pages
and APIs that read it wait for it here, the one place that says how long and with what answer.
"""

from collections.abc import Mapping

from aiohttp import web

from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.supervise import wait_for_event
from dsi4bcn.web.appkeys import DIRECTORY_SERVICE
from dsi4bcn.web.http import ApiError

__all__ = ["ready_directory"]

_WAIT = 30.0  # seconds a request waits for the index before 503


async def ready_directory(request: web.Request, headers: Mapping[str, str] | None = None) -> DirectoryService:
    """The directory service once its index is loaded; an ``ApiError`` 503 ``directory_loading`` (with
    ``headers``, such as CORS for an API) if it is not within 30 s."""
    service = request.app[DIRECTORY_SERVICE]
    if service.ready.is_set():
        return service  # as it is after the first seconds: no trip through the event loop
    if not await wait_for_event(service.ready, _WAIT):
        raise ApiError(503, "directory_loading", headers=dict(headers or {}))
    return service
