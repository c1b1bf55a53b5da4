"""Admin API for the network: peers (other nodes this one aggregates) and the aggregated graph."""

from aiohttp import web

from dsi4bcn.profiles.validation import Problem
from dsi4bcn.web import nodenetwork
from dsi4bcn.web.appkeys import BLOCKLIST, CONFIG, GRAPH, GRAPH_SERVICE, GRAPH_SYNC, LOOPS, PEERING
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.principal import authorise_admin

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/peers")
async def list_peers(request: web.Request) -> web.Response:
    """Every peer, with its backfill progress and last resync."""
    await authorise_admin(request)
    peering, blocklist = request.app[PEERING], request.app[BLOCKLIST]
    peers = await peering.peers()
    return json_response([{**peer.as_json(), "blocked": blocklist.is_blocked_url(peer.actor)} for peer in peers])


@routes.post("/api/peers")
async def add_peer(request: web.Request) -> web.Response:
    """Peer with the node at ``{"url": …}`` (its origin or its instance actor); backfill starts at once."""
    await authorise_admin(request)
    body = await read_json_body(request)
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not nodenetwork.is_peer_url(url):
        raise ApiError(422, "validation_failed", [Problem("url", "bad_url", {"field": "url"})])
    allow_private = request.app[CONFIG].allow_private_network
    try:
        peer = await nodenetwork.add_peer(request.app[PEERING], url, allow_private_network=allow_private)
    except nodenetwork.PeerRefused as refused:
        raise ApiError(refused.status, "peer_refused", reason=refused.reason) from refused
    return json_response(peer.as_json(), status=202)


@routes.delete("/api/peers")
async def remove_peer(request: web.Request) -> web.Response:
    """Stop peering with ``?peer=`` (origin or instance actor) and drop its profiles from the graph."""
    await authorise_admin(request)
    peer = request.query.get("peer", "")
    dropped = await nodenetwork.remove_peer(request.app[PEERING], request.app[GRAPH_SYNC], peer)
    if dropped < 0:
        raise ApiError(404, "not_found")
    return json_response({"removed": peer, "profilesDropped": dropped})


@routes.get("/api/graph")
async def graph_status(request: web.Request) -> web.Response:
    """How big the graph is, how many graphs still wait to be written, and which were set aside (with
    the reason) because the store refused them."""
    await authorise_admin(request)
    return json_response(
        await nodenetwork.graph_status(request.app[GRAPH_SERVICE], request.app[GRAPH_SYNC], request.app[GRAPH].counts)
    )


@routes.post("/api/graph/rebuild")
async def rebuild(request: web.Request) -> web.Response:
    """Empty the store and rebuild it from SQLite (local profiles, received documents, vocabulary)."""
    await authorise_admin(request)
    graphs = await request.app[GRAPH_SYNC].rebuild()
    return json_response({"rebuilding": graphs}, status=202)


@routes.get("/api/loops")
async def loops(request: web.Request) -> web.Response:
    """The node's background loops: how often each was restarted after a failure, and the last failure."""
    await authorise_admin(request)
    return json_response({"loops": request.app[LOOPS].health()})
