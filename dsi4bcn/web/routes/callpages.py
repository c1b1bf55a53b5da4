"""``GET /calls/{call}``: a call for collaboration at its id, as its FEP-0837 ``Proposal`` for ActivityPub
clients (a ``Tombstone`` with 410 once deleted) and as a page for browsers, which Mastodon's links lead to:
the call, who could answer it (``web.callcandidates``), the agreements made on it and the replies its caller
approved."""

import json

from aiohttp import web

from dsi4bcn.profiles.calldocuments import call_iri, call_tombstone
from dsi4bcn.profiles.iris import profile_page
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.appkeys import CALL_PUBLISHER, CALLS, CONFIG, STORE, TEMPLATES
from dsi4bcn.web.callcandidates import call_sections
from dsi4bcn.web.callview import call_view
from dsi4bcn.web.http import ApiError, html_response, negotiate_or_406, request_language
from dsi4bcn.web.routes.actordocs import require_signature
from dsi4bcn.web.templating import render_page
from federation.media import ACTIVITY_JSON, HTML, JSON, LD_JSON_AS
from vocab.contexts import AS_CONTEXT

__all__ = ["routes"]

routes = web.RouteTableDef()


def _json(document: dict[str, object], media_type: str, status: int = 200) -> web.Response:
    response = web.Response(body=json.dumps(document, ensure_ascii=False).encode("utf-8"), status=status)
    response.headers["Content-Type"] = media_type
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@routes.get("/calls/{call}")
async def call_document(request: web.Request) -> web.Response:
    """A call: JSON-LD or a page by the ``Accept`` header; 404 if there never was one, 410 once deleted."""
    media_type = negotiate_or_406(request, [ACTIVITY_JSON, LD_JSON_AS, JSON, HTML])
    if media_type != HTML:
        await require_signature(request)
    base_url = request.app[CONFIG].base_url
    record = await request.app[CALLS].get(request.match_info["call"])
    if record is None:
        raise ApiError(404, "not_found")
    language = request_language(request)
    if record.deleted:
        if media_type == HTML:
            page = render_page(request.app[TEMPLATES], "gone.html", language)
            return html_response(page, status=410, vary="Accept, Accept-Language")
        tombstone = {"@context": AS_CONTEXT, **call_tombstone(base_url, record.id, record.deleted)}
        return _json(tombstone, media_type, status=410)
    if media_type != HTML:
        return _json(request.app[CALL_PUBLISHER].document(record), media_type)
    author = await request.app[STORE].get(record.author)
    view = call_view(
        record,
        iri=call_iri(base_url, record.id),
        author=author.name(language) if author else record.author,
        author_page=profile_page(base_url, record.author),
        language=language,
        now=utc_now(),
    )
    body = render_page(
        request.app[TEMPLATES],
        "call.html",
        language,
        query=request.query,
        call=view,
        **await call_sections(request.app, view.iri, language),
    )
    return html_response(body, vary="Accept, Accept-Language")
