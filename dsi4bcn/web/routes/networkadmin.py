"""Admin API for the network: peers (other nodes this one aggregates) and the aggregated graph."""

from aiohttp import web

from dsi4bcn.fediverse.peering import PeerBlocked, PeeringError
from dsi4bcn.profiles.validation import Problem
from dsi4bcn.web.appkeys import BLOCKLIST, CONFIG, GRAPH_SERVICE, GRAPH_SYNC, LOOPS, PEERING
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.principal import authorise_admin
from federation.errors import ActivityError, FetchError, UnsafeURLError
from federation.netsafety import check_url

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
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ApiError(422, "validation_failed", [Problem("url", "bad_url", {"field": "url"})])
    try:  # the network policy first: a node this one may never contact is refused with that reason
        check_url(url, allow_private_network=request.app[CONFIG].allow_private_network)
    except UnsafeURLError as error:
        raise ApiError(422, "peer_refused", reason=str(error)) from error
    try:
        peer = await request.app[PEERING].add(url)
    except PeerBlocked as error:
        raise ApiError(403, "peer_refused", reason=str(error)) from error
    except (PeeringError, FetchError, ActivityError) as error:
        raise ApiError(502, "peer_refused", reason=str(error)) from error
    return json_response(peer.as_json(), status=202)


@routes.delete("/api/peers")
async def remove_peer(request: web.Request) -> web.Response:
    """Stop peering with ``?peer=`` (origin or instance actor) and drop its profiles from the graph."""
    await authorise_admin(request)
    peer = request.query.get("peer", "")
    dropped = await request.app[PEERING].remove(peer)
    if dropped < 0:
        raise ApiError(404, "not_found")
    request.app[GRAPH_SYNC].poke()
    return json_response({"removed": peer, "profilesDropped": dropped})


@routes.get("/api/graph")
async def graph_status(request: web.Request) -> web.Response:
    """How big the graph is, how many graphs still wait to be written, and which were set aside (with
    the reason) because the store refused them."""
    await authorise_admin(request)
    service, sync = request.app[GRAPH_SERVICE], request.app[GRAPH_SYNC]
    stats = await service.stats()
    pending = await sync.pending()
    quarantined, examples = await sync.quarantined()
    return json_response(
        {
            **stats,
            "unsynced": pending,
            "setAside": {"count": quarantined, "graphs": examples},
            "graphProcessRestarts": service.restarts,
        }
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
