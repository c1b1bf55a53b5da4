"""``GET /api/match``: suggested partners for a project or an organisation, each with its explanation.

Public (matching reads only public profiles). ``project=IRI``, ``organisation=IRI`` or ``profile=IRI``;
``limit`` (1–100, default 10); ``lang`` (ca/es/en) for concept labels; ``include_own=true`` to include
the asker's own organisation's projects; ``weight_needs``, ``weight_offers``, ``weight_areas``,
``weight_sdgs``, ``weight_place``, ``weight_sectors``, ``weight_text`` in [0, 1] (normalised to sum 1).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from dsi4bcn.i18n import Phrase, Reason
from dsi4bcn.matching.model import DEFAULT_WEIGHTS, PARTS, WEIGHT_BOUNDS
from dsi4bcn.supervise import wait_for_event
from dsi4bcn.web.appkeys import MATCHER
from dsi4bcn.web.http import ApiError, json_response, request_language

__all__ = ["MatchQuery", "parse_match_query", "routes", "run_match"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}


def _refused(status: int, reason: Reason) -> ApiError:
    return ApiError(status, "match_refused", headers=_CORS, reason=reason)


@dataclass(frozen=True)
class MatchQuery:
    """A checked matching request: who asks (``kind`` is project, organisation or profile) and how."""

    kind: str
    iri: str
    limit: int
    weights: dict[str, float]
    include_own: bool


def parse_match_query(query: Mapping[str, str], *, default_limit: int = 10) -> MatchQuery:
    """Check the parameters of a matching request; raise a 400 ``ApiError`` saying what is wrong."""
    given = [(name, query[name]) for name in ("project", "organisation", "profile") if name in query]
    if len(given) != 1:
        raise _refused(400, Reason("match_one_asker"))
    kind, iri = given[0]
    try:
        parts = urlsplit(iri)
    except ValueError:  # an unbalanced "[" or "]", a bracketed host that is no IP address
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or len(iri) > 2048:
        raise _refused(400, Reason("match_bad_iri", name=kind))
    limit_text = query.get("limit", str(default_limit))
    if not (limit_text.isascii() and limit_text.isdigit() and len(limit_text) <= 3 and 1 <= int(limit_text) <= 100):
        raise _refused(400, Reason("match_limit", low=1, high=100))
    limit = int(limit_text)
    weights = {}
    for name in PARTS:
        text = query.get(f"weight_{name}")
        if text is not None:
            try:
                weights[name] = float(text)
            except ValueError:
                weights[name] = math.nan
            if not WEIGHT_BOUNDS[0] <= weights[name] <= WEIGHT_BOUNDS[1]:
                raise _refused(400, Reason("match_weight", name=f"weight_{name}", low=0, high=1))
    unknown = [key for key in query if key.startswith("weight_") and key[7:] not in PARTS]
    if unknown:
        raise _refused(
            400, Reason("match_unknown_weight", name=unknown[0], known=", ".join("weight_" + p for p in PARTS))
        )
    if not any(value > 0 for value in {**DEFAULT_WEIGHTS, **weights}.values()):
        raise _refused(400, Reason("match_weights_zero"))
    include_own = query.get("include_own", "false")
    if include_own not in ("true", "false"):
        raise _refused(400, Reason("match_include_own"))
    return MatchQuery(kind, iri, limit, weights, include_own == "true")


async def run_match(request: web.Request, asked: MatchQuery) -> dict[str, Any]:
    """The answer to a checked request (see the module docstring); 404 or 503 ``ApiError`` otherwise."""
    matcher = request.app[MATCHER]
    if not await wait_for_event(matcher.ready, 30):
        raise _refused(503, Reason("match_loading"))
    asker = matcher.profile(asked.iri)
    if (
        asker is None
        or (asked.kind == "project" and asker.kind != "project")
        or (asked.kind == "organisation" and asker.kind != "organisation")
    ):
        what = asked.kind if asked.kind != "profile" else "project or organisation"
        raise _refused(404, Reason("match_unknown", kind=Phrase(what), iri=asked.iri))
    try:
        return await matcher.suggest(
            asker,
            limit=asked.limit,
            weights=asked.weights,
            include_own=asked.include_own,
            language=request_language(request),
        )
    except ValueError as error:  # checked above already; kept so that a new rule cannot become a 500
        raise _refused(400, Reason("bad_request")) from error


@routes.get("/api/match")
async def match(request: web.Request) -> web.Response:
    """Ranked partners with score and explanation."""
    answer = await run_match(request, parse_match_query(request.query))
    return json_response(answer, headers=_CORS)
