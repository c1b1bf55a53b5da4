"""The network's calls for collaboration over HTTP: the ``GET /calls`` page (filters as links, counts,
results, paging), its JSON twin ``GET /api/network/calls`` with the same parameters (``directory.callquery``),
``GET /calls.atom`` (the open calls, newest first, the same filters) and ``GET /network/call?id=IRI``, the
page on this node of a call received from a peer. Bad parameters get a 400: a JSON body for the API and the
feed, a page in the visitor's language for the page.
"""

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.directory.calllist import answer_json
from dsi4bcn.directory.callquery import CALL_FACETS, CallQuery, parse_call_query
from dsi4bcn.directory.callservice import CallDirectory
from dsi4bcn.directory.query import QueryRefused
from dsi4bcn.i18n import UI, message
from dsi4bcn.profiles.calldocuments import parse_call_iri
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.supervise import wait_for_event
from dsi4bcn.web.appkeys import CALL_DIRECTORY, CONFIG, RECEIVED_PROFILES, STORE, TEMPLATES
from dsi4bcn.web.callcandidates import call_sections
from dsi4bcn.web.callitems import author_links, call_items, facet_views
from dsi4bcn.web.directoryready import ready_directory
from dsi4bcn.web.feeds import atom_feed, entry_from_call
from dsi4bcn.web.http import ApiError, html_response, json_response, request_language
from dsi4bcn.web.receivedcallview import received_call_view
from dsi4bcn.web.routes.profilepages import FEED_ENTRIES, atom_response
from dsi4bcn.web.templating import render_page

__all__ = ["ready_calls", "routes"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}
_MAX_QUERY_STRING = 8192
_WAIT = 30.0  # seconds a request waits for the list before 503


async def ready_calls(request: web.Request, headers: Mapping[str, str] | None = None) -> CallDirectory:
    """The calls' list once it is loaded; an ``ApiError`` 503 ``directory_loading`` if not within 30 s."""
    service = request.app[CALL_DIRECTORY]
    if not service.ready.is_set() and not await wait_for_event(service.ready, _WAIT):
        raise ApiError(503, "directory_loading", headers=dict(headers or {}))
    return service


def _read(request: web.Request) -> CallQuery:
    """The checked query of ``request``; ``QueryRefused`` says what is wrong."""
    if len(request.query_string) > _MAX_QUERY_STRING:
        raise QueryRefused("directory_query_too_long", high=_MAX_QUERY_STRING)
    last = {key: request.query.getall(key)[-1] for key in request.query}
    return parse_call_query(last, {facet: request.query.getall(facet, []) for facet in CALL_FACETS})


def _read_or_400(request: web.Request) -> CallQuery:
    try:
        return _read(request)
    except QueryRefused as refused:
        raise ApiError(400, refused.code, headers=_CORS, **refused.params) from refused


@routes.get("/api/network/calls")
async def calls_api(request: web.Request) -> web.Response:
    """The calls as JSON: the query as understood, the total, a page of calls and each filter's counts."""
    query = _read_or_400(request)
    calls = await ready_calls(request, _CORS)
    directory = await ready_directory(request, _CORS)
    language = request_language(request)
    answer = calls.search(query, utc_now())
    names = {author: link.label for author, link in author_links(answer.entries, directory, language).items()}
    return json_response(answer_json(answer, query, language, names), headers=_CORS)


@routes.get("/calls.atom")
async def calls_feed(request: web.Request) -> web.Response:
    """The Atom feed of the open calls (newest first, the latest 20), filtered as the page is."""
    query = _read_or_400(request)
    config = request.app[CONFIG]
    language = config.language
    calls = await ready_calls(request, _CORS)
    directory = await ready_directory(request, _CORS)
    chosen = CallQuery(filters=query.filters, deadline_before=query.deadline_before, per_page=FEED_ENTRIES)
    answer = calls.search(chosen, utc_now())
    authors = author_links(answer.entries, directory, language)
    entries = []
    for entry in answer.entries:
        document = await calls.document(entry)
        if document is not None:
            link = entry.page if entry.local else config.base_url + entry.page
            title = entry.title(language)
            author = authors[entry.author].label
            entries.append(entry_from_call(document, title=title, link=link, language=language, author=author))
    self_link = f"{config.base_url}/calls.atom" + (f"?{request.query_string}" if request.query_string else "")
    body = atom_feed(
        feed_id=self_link,
        title=f"{config.authority}: {UI['calls_title'][language]}",
        author=config.authority,
        self_link=self_link,
        page=f"{config.base_url}/calls" + (f"?{request.query_string}" if request.query_string else ""),
        updated=(await request.app[STORE].instance()).published,
        entries=entries,
        language=language,
    )
    return atom_response(body)


def _page_links(request: web.Request, query: CallQuery, pages: int) -> tuple[list[int], dict[int, str]]:
    """The page numbers near this one, and the links to them and to the previous and next pages."""
    near = list(range(max(1, query.page - 2), min(pages, query.page + 2) + 1))
    kept = [(key, value) for key, value in request.query.items() if key != "page"]
    start = "/calls?" + urlencode(kept) + ("&" if kept else "") + "page="
    wanted = {*near, *(n for n in (query.page - 1, query.page + 1) if 1 <= n <= pages)}
    return near, {number: f"{start}{number}" for number in wanted}


def _error_page(request: web.Request, refused: QueryRefused, language: str) -> web.Response:
    text = message(refused.code, language, **refused.params)
    body = render_page(request.app[TEMPLATES], "calls_error.html", language, query=None, error=text)
    return html_response(body, status=400, vary="Accept-Language, Cookie")


@routes.get("/calls")
async def calls_page(request: web.Request) -> web.Response:
    """The calls as a page: filters with counts, the results with their purpose, skills, place, dates,
    author and source, and paging."""
    language = request_language(request)
    try:
        query = _read(request)
    except QueryRefused as refused:
        return _error_page(request, refused, language)
    calls = await ready_calls(request)
    directory = await ready_directory(request)
    answer = calls.search(query, utc_now())
    items = call_items(answer.entries, language, author_links(answer.entries, directory, language))
    parameters = [(key, value) for key, value in request.query.items() if key != "lang"]
    pages = min(max(1, math.ceil(answer.total / query.per_page)), 1000)
    near, links = _page_links(request, query, pages)
    context: dict[str, Any] = {
        "asked": query,
        "items": items,
        "facets": facet_views(answer.facets, query.filters, parameters, language),
        "total": answer.total,
        "total_text": UI["calls_one" if answer.total == 1 else "calls_results"][language].format(total=answer.total),
        "pages": pages,
        "near": near,
        "links": links,
        "page_text": UI["page_of"][language].format(page=query.page, pages=pages),
        "api_url": "/api/network/calls?" + request.query_string,
        "feed_url": "/calls.atom?" + urlencode([(k, v) for k, v in parameters if k not in ("page", "per_page")]),
        "filtered": bool(query.filters or query.deadline_before or query.state != "open"),
    }
    body = render_page(request.app[TEMPLATES], "calls.html", language, query=request.query, **context)
    return html_response(body, vary="Accept-Language, Cookie")


@routes.get("/network/call")
async def received_call_page(request: web.Request) -> web.Response:
    """A call received from a peer as a page (404 page when none is held under ``id``); a call of this node
    is sent to its own page."""
    config = request.app[CONFIG]
    language = request_language(request)
    iri = request.query.get("id", "")
    if iri and parse_call_iri(config.base_url, iri) is not None:
        return web.Response(status=303, headers={"Location": f"{iri}?lang={language}"})
    calls = await ready_calls(request)
    entry = calls.calls.get(iri) if iri else None
    document = await calls.document(entry) if entry is not None and not entry.local else None
    if entry is None or document is None:
        raise ApiError(404, "not_found")
    author = await request.app[RECEIVED_PROFILES].document(entry.author)
    directory = await ready_directory(request)
    link = author_links([entry], directory, language)[entry.author]
    view = received_call_view(
        entry,
        document,
        author=link.label if author is not None else entry.author,
        author_page=link.href.removesuffix(f"&lang={language}"),
        language=language,
        now=utc_now(),
    )
    sections = await call_sections(request.app, iri, language)
    body = render_page(request.app[TEMPLATES], "call.html", language, query=request.query, call=view, **sections)
    return html_response(body, vary="Accept-Language, Cookie")
