"""The admin JSON API of calls for collaboration (docs/calls.md): publish, list, read, replace, close, delete.

Every route needs ``Authorization: Bearer TOKEN`` (a personal token or the node's admin token); an editor
manages the calls of their organisation and its projects. A body is an editable call; every problem in it is
listed in one 422 answer and nothing is written. The changes themselves are ``web.callactions``.
"""

from aiohttp import web

from dsi4bcn.web.appkeys import CALLS, CONFIG, STORE
from dsi4bcn.web.callactions import call_json, close_call, delete_call, editable_call, publish_call, replace_call
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.principal import authorise
from dsi4bcn.web.routes.profileadmin import editable_record_by

__all__ = ["routes"]

routes = web.RouteTableDef()
_LIST_LIMIT = 500


@routes.post("/api/{collection:organisations|projects}/{slug}/calls")
async def post_call(request: web.Request) -> web.Response:
    """Publish a call of the profile in the path: 201 with the call and its ``Location``."""
    principal, author = await editable_record_by(request)
    body = await read_json_body(request)
    record = await publish_call(request.app, principal, author, body)
    answer = call_json(request.app, record)
    return json_response(answer, status=201, headers={"Location": answer["id"]})


@routes.get("/api/calls")
async def list_calls(request: web.Request) -> web.Response:
    """The live calls the caller manages, newest first; ``?profile=slug`` keeps one profile's."""
    principal = await authorise(request)
    profile = request.query.get("profile")
    if profile is not None:
        author = await request.app[STORE].get(profile)
        if author is None or author.deleted:
            raise ApiError(404, "not_found")
        records = await request.app[CALLS].of_author(profile)
    else:
        records = await request.app[CALLS].live(limit=_LIST_LIMIT)
    authors = {record.slug: record for record in await request.app[STORE].all_records() if not record.deleted}
    mine = [
        record
        for record in records
        if (author := authors.get(record.author)) and principal.may_edit(author.kind, author.slug, author.organisation)
    ]
    return json_response([call_json(request.app, record) for record in mine])


@routes.get("/api/calls/{call}")
async def get_call(request: web.Request) -> web.Response:
    """One call, with its editable fields in exactly the shape PUT accepts."""
    principal = await authorise(request)
    record = await editable_call(request.app, principal, request.match_info["call"])
    return json_response(call_json(request.app, record))


@routes.put("/api/calls/{call}")
async def put_call(request: web.Request) -> web.Response:
    """Replace a call's fields (the purpose may change too); 422 listing every problem, nothing written."""
    principal = await authorise(request)
    body = await read_json_body(request)
    record = await replace_call(request.app, principal, request.match_info["call"], body)
    return json_response(call_json(request.app, record))


@routes.post("/api/calls/{call}/close")
async def post_close(request: web.Request) -> web.Response:
    """Close a call now (closing a closed call changes nothing)."""
    principal = await authorise(request)
    record = await close_call(request.app, principal, request.match_info["call"])
    return json_response(call_json(request.app, record))


@routes.delete("/api/calls/{call}")
async def delete(request: web.Request) -> web.Response:
    """Delete a call: its id answers 410 from then on."""
    principal = await authorise(request)
    call_id = request.match_info["call"]
    await delete_call(request.app, principal, call_id)
    return json_response({"deleted": call_id, "id": f"{request.app[CONFIG].base_url}/calls/{call_id}"})
