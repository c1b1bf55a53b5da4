"""``GET /concepts`` (every scheme and its concepts) and ``GET /concepts/{scheme}/{code}``: a concept's page,
with its definition, broader and narrower concepts and the profiles of the directory that use it. An
unknown scheme or code is a 404, a page in the visitor's language for a browser.
"""

from aiohttp import web

from dsi4bcn.directory.engine import DirectoryAnswer
from dsi4bcn.directory.query import MAX_PER_PAGE, DirectoryQuery
from dsi4bcn.web.appkeys import TEMPLATES
from dsi4bcn.web.conceptview import SCHEME_FACETS, concept_view, scheme_views
from dsi4bcn.web.directoryready import ready_directory
from dsi4bcn.web.http import ApiError, html_response, request_language
from dsi4bcn.web.templating import render_page
from vocab.concepts import concept_index

__all__ = ["routes"]

routes = web.RouteTableDef()


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
    body = render_page(request.app[TEMPLATES], "concept.html", language, query=request.query, concept=view)
    return html_response(body, vary="Accept-Language, Cookie")
