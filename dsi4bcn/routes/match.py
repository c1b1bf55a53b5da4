"""``GET /api/match``: suggested partners for a project or an organisation, each with its explanation.

Public (matching reads only public profiles). ``project=IRI``, ``organisation=IRI`` or ``profile=IRI``;
``limit`` (1–100, default 10); ``lang`` (ca/es/en) for concept labels; ``include_own=true`` to include
the asker's own organisation's projects; ``weight_needs``, ``weight_offers``, ``weight_areas``,
``weight_sdgs``, ``weight_place``, ``weight_sectors``, ``weight_text`` in [0, 1] (normalised to sum 1).
"""

import asyncio
from urllib.parse import urlsplit

from aiohttp import web

from dsi4bcn.appkeys import GRAPH
from dsi4bcn.http import ApiError, json_response, request_language
from dsi4bcn.matching import PARTS

__all__ = ["routes"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}


def _refused(status: int, reason: str) -> ApiError:
    return ApiError(status, "match_refused", headers=_CORS, reason=reason)


@routes.get("/api/match")
async def match(request: web.Request) -> web.Response:
    """Ranked partners with score and explanation."""
    query = request.query
    given = [(name, query[name]) for name in ("project", "organisation", "profile") if name in query]
    if len(given) != 1:
        raise _refused(400, "give exactly one of project=IRI, organisation=IRI or profile=IRI")
    kind, iri = given[0]
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(iri) > 2048:
        raise _refused(400, f"{kind} must be an absolute http(s) IRI")
    try:
        limit = int(query.get("limit", "10"))
    except ValueError as error:
        raise _refused(400, "limit must be a whole number") from error
    if not 1 <= limit <= 100:
        raise _refused(400, "limit must be between 1 and 100")
    weights = {}
    for name in PARTS:
        text = query.get(f"weight_{name}")
        if text is not None:
            try:
                weights[name] = float(text)
            except ValueError as error:
                raise _refused(400, f"weight_{name} must be a number") from error
    unknown = [key for key in query if key.startswith("weight_") and key[7:] not in PARTS]
    if unknown:
        raise _refused(400, f"unknown weight {unknown[0]}; known: {', '.join('weight_' + p for p in PARTS)}")
    include_own = query.get("include_own", "false")
    if include_own not in ("true", "false"):
        raise _refused(400, "include_own must be true or false")
    matcher = request.app[GRAPH].matcher
    assert matcher is not None
    try:
        await asyncio.wait_for(matcher.ready.wait(), 30)
    except TimeoutError as error:
        raise _refused(503, "the matching index is still loading") from error
    asker = matcher.profile(iri)
    if (
        asker is None
        or (kind == "project" and asker.kind != "project")
        or (kind == "organisation" and asker.kind != "organisation")
    ):
        raise _refused(404, f"no {kind if kind != 'profile' else 'project or organisation'} {iri} is known here")
    try:
        answer = await matcher.suggest(
            asker,
            limit=limit,
            weights=weights,
            include_own=include_own == "true",
            language=request_language(request),
        )
    except ValueError as error:
        raise _refused(400, str(error)) from error
    return json_response(answer, headers=_CORS)
