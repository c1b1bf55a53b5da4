"""The node's settings through the API: its name, description and logo, read by anyone, replaced by its
admins.

``PUT /api/settings`` replaces the whole document (``nameMap``, ``summaryMap``, ``icon``: an image
uploaded to this node); every problem in it is listed in one 422 answer and nothing changes. Pages show
the new identity from the next request on.
"""

from aiohttp import web

from dsi4bcn.profiles.validation import ProfileInvalid
from dsi4bcn.storage.nodesettings import NodeSettings
from dsi4bcn.web.appkeys import CONFIG, DATABASE, MEDIA, TEMPLATES
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.nodeidentityview import save_identity
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
    settings, media, templates = NodeSettings(request.app[DATABASE]), request.app[MEDIA], request.app[TEMPLATES]
    try:
        identity = await save_identity(settings, media, templates, body, base_url)
    except ProfileInvalid as invalid:
        raise ApiError(422, "validation_failed", invalid.problems) from invalid
    return json_response(identity.document(base_url))
