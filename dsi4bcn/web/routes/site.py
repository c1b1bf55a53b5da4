"""Human-facing pages and the vocabulary: tag pages (the network's projects in an area), ``/ns`` (Turtle,
JSON-LD, HTML), health."""

import asyncio
import json
from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.query import MAX_PER_PAGE, DirectoryQuery
from dsi4bcn.i18n import UI
from dsi4bcn.profiles.iris import profile_page
from dsi4bcn.web.appkeys import CONFIG, MEDIA, STORE, TEMPLATES
from dsi4bcn.web.conceptview import profile_href
from dsi4bcn.web.directoryready import ready_directory
from dsi4bcn.web.http import ApiError, html_response, json_response, negotiate_or_406, request_language
from dsi4bcn.web.mediaview import directory_logos, placeholder
from dsi4bcn.web.templating import render_page
from dsi4bcn.web.vocabulary import vocabulary_documents
from federation.media import HTML, JSON, TURTLE
from vocab.concepts import concept_index
from vocab.contexts import dsi_context

__all__ = ["VOCABULARY_OFFERS", "routes"]

routes = web.RouteTableDef()
LD_JSON = "application/ld+json"
VOCABULARY_OFFERS = [TURTLE, LD_JSON, HTML, JSON]


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 once the node is ready (database open and migrated, instance actor in place); which worker of a
    pool answered (``serve --workers N``)."""
    config = request.app[CONFIG]
    return json_response({"status": "ok", "worker": config.worker_index, "role": config.worker_role})


@routes.get("/tags/{code}")
async def area_page(request: web.Request) -> web.Response:
    """The network's projects in one DSI area (or a narrower one), the node's own and its peers' alike, as the
    directory knows them: where post hashtags link to."""
    concept = concept_index().get("area", request.match_info["code"])
    if concept is None:
        raise ApiError(404, "not_found")
    language = request_language(request)
    config, service = request.app[CONFIG], await ready_directory(request)
    filters = {"area": frozenset({concept.code}), "kind": frozenset({"project"})}
    answer = service.search(DirectoryQuery(filters=filters, sort="name", per_page=MAX_PER_PAGE), language)
    shown = [(entry.id, entry.local) for entry in answer.entries]
    logos = await directory_logos(request.app[MEDIA], request.app[STORE], config.base_url, shown)
    body = render_page(
        request.app[TEMPLATES],
        "tag.html",
        language,
        heading=concept.label(language),
        projects=[
            _tag_item(entry, config.base_url, config.authority, language) | {"logo": logos.get(entry.id)}
            for entry in answer.entries
        ],
        total=answer.total,
        directory="/directory?" + urlencode({"area": concept.code, "kind": "project", "lang": language}),
    )
    return html_response(body)


def _tag_item(entry: Entry, base_url: str, authority: str, language: str) -> dict[str, object]:
    """A project on a tag page: its name, its page (its own for a local one, the received-profile page for a
    peer's), its handle or source node, and the placeholder of its logo."""
    name, mark = entry.name(language), placeholder(entry.name(language))
    if entry.local and entry.id.startswith(base_url + "/"):
        slug = entry.id.rsplit("/", 1)[1]
        href = profile_page(base_url, slug) + "?" + urlencode({"lang": language})
        return {"name": name, "href": href, "handle": f"@{slug}@{authority}", "mark": mark}
    handle = UI["from_node"][language].format(node=entry.source)
    return {"name": name, "href": profile_href(entry, language), "handle": handle, "mark": mark}


@routes.get("/ns")
async def vocabulary(request: web.Request) -> web.Response:
    """The vocabulary, negotiated: Turtle, JSON-LD, or an HTML page in the visitor's language."""
    media_type = negotiate_or_406(request, VOCABULARY_OFFERS)
    documents = await asyncio.to_thread(vocabulary_documents)
    if media_type == HTML:
        language = request_language(request)
        body = render_page(request.app[TEMPLATES], "vocabulary.html", language, **documents["html"][language])
        return html_response(body, vary="Accept, Accept-Language")
    key = TURTLE if media_type == TURTLE else LD_JSON
    response = web.Response(body=documents[key])
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
