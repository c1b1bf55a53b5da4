"""The node's settings through the API: its name, description and logo, read by anyone, replaced by its
admins.

``PUT /api/settings`` replaces the whole document (``nameMap``, ``summaryMap``, ``icon``: an image
uploaded to this node); every problem in it is listed in one 422 answer and nothing changes. Pages show
the new identity from the next request on.
"""

import json

from aiohttp import web

from dsi4bcn.profiles.nodeidentity import SETTING_NAME, normalise_identity
from dsi4bcn.profiles.validation import ProfileInvalid
from dsi4bcn.profiles.values import Problem
from dsi4bcn.storage.nodesettings import NodeSettings
from dsi4bcn.web.appkeys import CONFIG, DATABASE, MEDIA, TEMPLATES
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.nodeidentityview import show_identity
from dsi4bcn.web.principal import authorise_admin
from dsi4bcn.web.templating import node_identity

__all__ = ["routes"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}


@routes.get("/api/settings")
async def read_settings(request: web.Request) -> web.Response:
    """The node's public settings (CORS: anyone may read what every page shows)."""
    document = node_identity(request.app[TEMPLATES]).document(request.app[CONFIG].base_url)
    return json_response(document, headers=_CORS)


@routes.put("/api/settings")
async def replace_settings(request: web.Request) -> web.Response:
    """Replace the node's settings with a checked document; answer the stored document."""
    await authorise_admin(request)
    body = await read_json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "not_object")
    base_url = request.app[CONFIG].base_url
    try:
        identity = normalise_identity(body, base_url)
    except ProfileInvalid as invalid:
        raise ApiError(422, "validation_failed", invalid.problems) from invalid
    if identity.logo and not await request.app[MEDIA].refs([identity.logo.split(".", 1)[0]]):
        raise ApiError(422, "validation_failed", [Problem("icon", "logo_not_local")])
    document = identity.document(base_url)
    await NodeSettings(request.app[DATABASE]).write(SETTING_NAME, json.dumps(document, ensure_ascii=False))
    await show_identity(request.app[TEMPLATES], identity, request.app[MEDIA])
    return json_response(document)
