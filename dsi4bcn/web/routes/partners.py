"""``GET /partners``: the possible partners of a project or an organisation, as an HTML page.

The same ranking and explanation as ``/api/match`` (same parameters), for people: reasons in the
visitor's language, the share of the score each part gave, and a form to weigh the parts differently.
It works without JavaScript; its errors are the API's, as a page in the visitor's language for a browser.
"""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.matching.model import DEFAULT_WEIGHTS, PARTS
from dsi4bcn.web.appkeys import TEMPLATES
from dsi4bcn.web.http import html_response, request_language
from dsi4bcn.web.routes.matchapi import parse_match_query, run_match
from dsi4bcn.web.templating import render_page

__all__ = ["format_km", "in_language", "routes"]

routes = web.RouteTableDef()


def format_km(km: float, language: str) -> str:
    """A distance as people write it in ``language``: one decimal, a decimal comma in Catalan and Spanish."""
    text = f"{km:.1f}"
    return text.replace(".", ",") if language in ("ca", "es") else text


def in_language(iri: str, language: str) -> str:
    """A profile's address asking for its page in ``language`` (dsi4bcn nodes honour ``?lang=``)."""
    return f"{iri}{'&' if '?' in iri else '?'}{urlencode({'lang': language})}"


def _shares(explanation: dict[str, Any]) -> list[tuple[str, int]]:
    """The parts that gave something, largest first, as whole percentages."""
    shares = [(part, round(100 * value)) for part, value in explanation["shares"].items()]
    return sorted((item for item in shares if item[1] > 0), key=lambda item: -item[1])


@routes.get("/partners")
async def partners(request: web.Request) -> web.Response:
    """The ranked partners of ``project``, ``organisation`` or ``profile`` (an IRI), explained."""
    asked = parse_match_query(request.query)
    answer = await run_match(request, asked)
    language = request_language(request)
    results = [
        {
            **result,
            "page": in_language(result["partner"], language),
            "percent": round(100 * result["score"]),
            "km": (
                format_km(result["explanation"]["place"]["distanceKm"], language)
                if result["explanation"]["place"]["distanceKm"] is not None
                else None
            ),
            "shares": _shares(result["explanation"]),
        }
        for result in answer["results"]
    ]
    weights = {part: asked.weights.get(part, DEFAULT_WEIGHTS[part]) for part in PARTS}
    body = render_page(
        request.app[TEMPLATES],
        "partners.html",
        language,
        query=request.query,
        asker={**answer["asker"], "page": in_language(answer["asker"]["id"], language)},
        asked=asked,
        weights=weights,
        results=results,
        api_url="/api/match?" + request.query_string if request.query_string else "/api/match",
    )
    return html_response(body)
