"""The network directory over HTTP: ``GET /api/directory`` (JSON, or CSV with ``format=csv``),
``GET /api/directory.csv`` and the ``GET /directory`` page, all reading the same parameters
(``directory.query``). The page is a form that works without JavaScript: every state is in its URL.
Bad parameters get a 400: a JSON body for the API, a page in the visitor's language for the page.
"""

import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.directory.districtmap import render_map
from dsi4bcn.directory.engine import DirectoryAnswer
from dsi4bcn.directory.formats import answer_csv, answer_json
from dsi4bcn.directory.query import FACETS, MAX_PER_PAGE, SORTS, DirectoryQuery, QueryRefused, parse_query
from dsi4bcn.i18n import UI, message
from dsi4bcn.web.appkeys import CONFIG, MEDIA, STORE, TEMPLATES
from dsi4bcn.web.conceptview import SCHEME_FACETS, concept_href
from dsi4bcn.web.directoryfacets import facet_lists
from dsi4bcn.web.directoryready import ready_directory
from dsi4bcn.web.directoryresults import result_items
from dsi4bcn.web.http import ApiError, html_response, json_response, request_language
from dsi4bcn.web.mediaview import directory_logos
from dsi4bcn.web.servertiming import StageTimer
from dsi4bcn.web.templating import render_page
from vocab.concepts import concept_index

__all__ = ["page_links", "routes"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}
_MAX_QUERY_STRING = 8192


def _read(request: web.Request) -> DirectoryQuery:
    """The checked query of ``request``; ``QueryRefused`` says what is wrong."""
    if len(request.query_string) > _MAX_QUERY_STRING:
        raise QueryRefused("directory_query_too_long", high=_MAX_QUERY_STRING)
    last = {key: request.query.getall(key)[-1] for key in request.query}
    return parse_query(last, {facet: request.query.getall(facet, []) for facet in FACETS})


async def _answer(request: web.Request, query: DirectoryQuery) -> tuple[DirectoryService, DirectoryAnswer]:
    service = await ready_directory(request, _CORS)
    return service, service.search(query, request_language(request))


@routes.get("/api/directory")
async def directory_api(request: web.Request) -> web.Response:
    """Results and facet counts as JSON (or CSV with ``format=csv``)."""
    timer = StageTimer()
    try:
        query = _read(request)
    except QueryRefused as refused:
        raise ApiError(400, refused.code, headers=_CORS, **refused.params) from refused
    wanted = request.query.get("format", "json")
    if wanted not in ("json", "csv"):
        raise ApiError(400, "directory_bad_format", headers=_CORS)
    if wanted == "csv":
        return await _csv(request, query)
    with timer.stage("search"):
        service, answer = await _answer(request, query)
    with timer.stage("data"):
        body = answer_json(answer, query, request_language(request), service.own_source)
    with timer.stage("json"):
        response = json_response(body, headers=_CORS)
    response.headers["Server-Timing"] = timer.header()
    return response


@routes.get("/api/directory.csv")
async def directory_csv(request: web.Request) -> web.Response:
    """The page of results as CSV (``text/csv; charset=utf-8``), one row per result."""
    try:
        query = _read(request)
    except QueryRefused as refused:
        raise ApiError(400, refused.code, headers=_CORS, **refused.params) from refused
    return await _csv(request, query)


async def _csv(request: web.Request, query: DirectoryQuery) -> web.Response:
    service, answer = await _answer(request, query)
    text = answer_csv(answer, request_language(request), service.own_source)
    response = web.Response(body=text.encode("utf-8"), headers=_CORS)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="directory.csv"'
    return response


def page_links(request: web.Request, numbers: Iterable[int]) -> dict[int, str]:
    """The URL of each of the pages ``numbers`` of the current results (the same parameters, another
    ``page``): only those the page links to, not every one of up to 1000."""
    kept = [(key, value) for key, value in request.query.items() if key != "page"]
    start = "/directory?" + urlencode(kept) + ("&" if kept else "") + "page="
    return {number: f"{start}{number}" for number in numbers}


def _map(request: web.Request, answer: DirectoryAnswer, language: str) -> Markup:
    """The district map of the current results: neighbourhoods shaded by their count, each a link that
    filters by it (the other parameters kept), and this page's results with coordinates as points."""
    kept = [(key, value) for key, value in request.query.items() if key not in ("neighbourhood", "page")]
    chosen = request.query.getall("neighbourhood", [])
    points = [
        (entry.latitude, entry.longitude, entry.name(language), entry.id)
        for entry in answer.entries
        if entry.latitude is not None and entry.longitude is not None
    ]
    # 73 links that differ only at the end: the common part encoded once (as urlencode would write it)
    start = "/directory?" + urlencode(kept) + ("&" if kept else "") + "neighbourhood="
    return render_map(
        dict(answer.facets.get("neighbourhood", ())),
        points,
        start + "{code}",
        selected=chosen[0] if len(chosen) == 1 else None,
        language=language,
        title=UI["map_title"][language],
        table=False,
    )


# The concept scheme of each directory facet whose values have concept pages.
_FACET_SCHEMES = {facet: scheme for scheme, facets in SCHEME_FACETS.items() for facet in facets}


def _chosen(query: DirectoryQuery, language: str) -> list[dict[str, str]]:
    """The filters in force that are concepts, each with its facet's name and its concept page."""
    chosen = []
    for facet in FACETS:
        scheme = _FACET_SCHEMES.get(facet)
        if scheme is None:
            continue
        for key in sorted(query.filters.get(facet, ())):
            concept = concept_index().get(scheme, key)
            if concept is not None:
                name, href = UI[f"facet_{facet}"][language], concept_href(concept, language)
                chosen.append({"facet": name, "label": concept.label(language), "href": href})
    return chosen


@routes.get("/directory")
async def directory_page(request: web.Request) -> web.Response:
    """The directory as a page: a search form, facets with counts, results with their source, paging."""
    timer = StageTimer()
    language = request_language(request)
    try:
        query = _read(request)
    except QueryRefused as refused:
        text = message(refused.code, language, **refused.params)
        body = render_page(request.app[TEMPLATES], "directory_error.html", language, query=None, error=text)
        return html_response(body, status=400, vary="Accept-Language, Cookie")
    with timer.stage("search"):
        service, answer = await _answer(request, query)
    with timer.stage("facets"):
        facet_html = facet_lists(FACETS, answer.facets, query.filters, language, service.own_source)
    with timer.stage("map"):
        directory_map = _map(request, answer, language)
    with timer.stage("logos"):
        profiles = [(entry.id, entry.local) for entry in answer.entries]
        found = await directory_logos(request.app[MEDIA], request.app[STORE], request.app[CONFIG].base_url, profiles)
    with timer.stage("render"):
        results = result_items(answer.entries, language, found)
        body = _render(request, query, answer, language, facet_html=facet_html, map=directory_map, results=results)
    response = html_response(body, vary="Accept-Language, Cookie")
    response.headers["Server-Timing"] = timer.header()
    return response


def _render(request: web.Request, query: DirectoryQuery, answer: DirectoryAnswer, language: str, **parts: Any) -> bytes:
    """The directory page of ``answer``, with its facets, map and results already written (``parts``)."""
    pages = min(max(1, math.ceil(answer.total / query.per_page)), 1000)
    near = [number for number in range(max(1, query.page - 2), min(pages, query.page + 2) + 1)]
    links = page_links(request, {*near, *(n for n in (query.page - 1, query.page + 1) if 1 <= n <= pages)})
    context: dict[str, Any] = {
        "asked": query,
        "total": answer.total,
        "shown": len(answer.entries),
        "sorts": SORTS,
        "per_page_max": MAX_PER_PAGE,
        "links": links,
        "near": near,
        "total_text": UI["directory_results"][language].format(total=answer.total),
        "page_text": UI["page_of"][language].format(page=query.page, pages=pages),
        "api_url": "/api/directory?" + request.query_string,
        "csv_url": "/api/directory.csv?" + request.query_string,
        "pages": math.ceil(answer.total / query.per_page),
        "chosen": _chosen(query, language),
        **parts,
    }
    return render_page(request.app[TEMPLATES], "directory.html", language, query=request.query, **context)
