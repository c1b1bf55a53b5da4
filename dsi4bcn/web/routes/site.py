"""Human-facing pages and the vocabulary: tag pages, ``/ns`` (Turtle, JSON-LD, HTML), health."""

import json

from aiohttp import web

from dsi4bcn.web.appkeys import CONFIG, MEDIA, STORE, TEMPLATES, VOCABULARY
from dsi4bcn.web.http import ApiError, html_response, json_response, negotiate_or_406, request_language
from dsi4bcn.web.mediaview import profile_cards
from dsi4bcn.web.templating import render_page
from federation.media import HTML, JSON, TURTLE
from vocab.concepts import concept_index
from vocab.contexts import dsi_context

__all__ = ["VOCABULARY_OFFERS", "routes"]

routes = web.RouteTableDef()
LD_JSON = "application/ld+json"
VOCABULARY_OFFERS = [TURTLE, LD_JSON, HTML, JSON]


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 once the node is ready (database open and migrated, instance actor in place)."""
    return json_response({"status": "ok"})


@routes.get("/tags/{code}")
async def area_page(request: web.Request) -> web.Response:
    """The node's projects in one DSI area (or a narrower one): where post hashtags link to."""
    concept = concept_index().get("area", request.match_info["code"])
    if concept is None:
        raise ApiError(404, "not_found")
    language = request_language(request)
    config = request.app[CONFIG]
    wanted = {concept.curie} | {c.curie for c in concept_index() if concept.iri in c.broader}
    projects = [p for p in await request.app[STORE].list("project") if wanted & set(p.fields.get("areas", []))]
    body = render_page(
        request.app[TEMPLATES],
        "tag.html",
        language,
        authority=config.authority,
        heading=concept.label(language),
        organisations=[],
        projects=await profile_cards(
            projects, request.app[MEDIA], base_url=config.base_url, authority=config.authority, language=language
        ),
    )
    return html_response(body)


@routes.get("/ns")
async def vocabulary(request: web.Request) -> web.Response:
    """The vocabulary, negotiated: Turtle, JSON-LD, or an HTML page in the visitor's language."""
    media_type = negotiate_or_406(request, VOCABULARY_OFFERS)
    if media_type == HTML:
        language = request_language(request)
        body = render_page(
            request.app[TEMPLATES], "vocabulary.html", language, **request.app[VOCABULARY]["html"][language]
        )
        return html_response(body, vary="Accept, Accept-Language")
    key = TURTLE if media_type == TURTLE else LD_JSON
    response = web.Response(body=request.app[VOCABULARY][key])
    response.headers["Content-Type"] = media_type + ("; charset=utf-8" if media_type == TURTLE else "")
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@routes.get("/ns/context.jsonld")
async def context_document(request: web.Request) -> web.Response:
    """The dsi4bcn JSON-LD context, for clients that want to read it (it is never needed)."""
    body = json.dumps({"@context": dsi_context()}, ensure_ascii=False, indent=2).encode("utf-8")
    response = web.Response(body=body, headers={"Access-Control-Allow-Origin": "*"})
    response.headers["Content-Type"] = LD_JSON
    return response
