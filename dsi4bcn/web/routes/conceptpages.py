"""``GET /concepts`` (every scheme and its concepts) and ``GET /concepts/{scheme}/{code}``: a concept's page,
with its definition, broader and narrower concepts, the profiles of the directory that use it and, for a
skill, the open calls asking for or offering it. An
unknown scheme or code is a 404, a page in the visitor's language for a browser.
"""

from aiohttp import web

from dsi4bcn.directory.callquery import CallQuery
from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.directory.engine import DirectoryAnswer
from dsi4bcn.directory.query import MAX_PER_PAGE, DirectoryQuery
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.appkeys import CALL_DIRECTORY, TEMPLATES
from dsi4bcn.web.callitems import CallItem, author_links, call_items
from dsi4bcn.web.conceptview import SCHEME_FACETS, concept_view, scheme_views
from dsi4bcn.web.directoryready import ready_directory
from dsi4bcn.web.http import ApiError, html_response, request_language
from dsi4bcn.web.templating import render_page
from vocab.concepts import concept_index

__all__ = ["routes"]

routes = web.RouteTableDef()
CONCEPT_CALLS = 20  # open calls a skill's page lists


@routes.get("/concepts")
async def concepts_index(request: web.Request) -> web.Response:
    """Every scheme with its concepts, each a link to its page."""
    language = request_language(request)
    body = render_page(
        request.app[TEMPLATES], "concepts.html", language, query=request.query, schemes=scheme_views(language)
    )
    return html_response(body, vary="Accept-Language, Cookie")


@routes.get("/concepts/{scheme}/{code}")
async def concept_page(request: web.Request) -> web.Response:
    """The page of one concept; for a skill, who needs it beside who offers it."""
    scheme, code = request.match_info["scheme"], request.match_info["code"]
    # Codes are ASCII: a digit such as "²" would pass ``isdigit`` but is no number ``int`` reads.
    known = scheme in SCHEME_FACETS and code.isascii()
    concept = concept_index().get(scheme, code) if known else None
    if concept is None:
        raise ApiError(404, "not_found")
    language = request_language(request)
    service = await ready_directory(request)
    answers: dict[str, DirectoryAnswer] = {
        facet: service.search(
            DirectoryQuery(filters={facet: frozenset({concept.code})}, sort="name", per_page=MAX_PER_PAGE), language
        )
        for facet in SCHEME_FACETS[scheme]
    }
    view = concept_view(concept, answers, language)
    calls, total = _skill_calls(request, service, concept.code, language) if scheme == "skill" else ([], None)
    body = render_page(
        request.app[TEMPLATES],
        "concept.html",
        language,
        query=request.query,
        concept=view,
        calls=calls,
        calls_total=total,
    )
    return html_response(body, vary="Accept-Language, Cookie")


def _skill_calls(
    request: web.Request, directory: DirectoryService, code: str, language: str
) -> tuple[list[CallItem], int | None]:
    """The open calls asking for or offering a skill (or a narrower one), newest first, and how many there
    are; nothing while the calls' list is still loading (the page does not wait for it)."""
    calls = request.app[CALL_DIRECTORY]
    if not calls.ready.is_set():
        return [], None
    answer = calls.search(CallQuery(filters={"skill": frozenset({code})}, per_page=CONCEPT_CALLS), utc_now())
    return call_items(answer.entries, language, author_links(answer.entries, directory, language)), answer.total
