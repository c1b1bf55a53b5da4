"""The node's network as its admins change and read it, shared by the admin API (``routes/networkadmin``)
and the node admin page (``routes/nodeadminpages``): adding a peer (the network policy first), removing
one (the graph sync woken to drop its profiles) and the graph's status.
"""

from datetime import UTC, datetime
from typing import Any

from dsi4bcn.fediverse.peering import Peer, PeerBlocked, Peering, PeeringError
from dsi4bcn.graph.counts import GraphCounts
from dsi4bcn.graph.process import GraphError, QueryTimeout
from dsi4bcn.graph.store import GraphStore
from dsi4bcn.graph.sync import GraphSync
from federation.errors import ActivityError, FetchError, UnsafeURLError
from federation.netsafety import check_url

__all__ = ["PeerRefused", "add_peer", "graph_status", "is_peer_url", "remove_peer"]


class PeerRefused(Exception):
    """A peer that was not added: the HTTP status the API answers and the reason, as the node said it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def is_peer_url(url: str) -> bool:
    """Whether ``url`` is worth trying as a peer's address at all (an http or https URL)."""
    return url.startswith(("https://", "http://"))


async def add_peer(peering: Peering, url: str, *, allow_private_network: bool) -> Peer:
    """Peer with the node at ``url`` (its origin or its instance actor); backfill starts at once.
    ``PeerRefused``: 422 for a URL the network policy forbids, 403 for a blocked domain, 502 when the node
    cannot be reached or is not a node."""
    try:  # the network policy first: a node this one may never contact is refused with that reason
        check_url(url, allow_private_network=allow_private_network)
    except UnsafeURLError as error:
        raise PeerRefused(422, str(error)) from error
    try:
        return await peering.add(url)
    except PeerBlocked as error:
        raise PeerRefused(403, str(error)) from error
    except (PeeringError, FetchError, ActivityError) as error:
        raise PeerRefused(502, str(error)) from error


async def remove_peer(peering: Peering, graph_sync: GraphSync, peer: str) -> int:
    """Stop peering with ``peer`` (origin or instance actor) and drop its profiles from the graph; how many
    profiles were dropped, or -1 if it is not a peer."""
    dropped = await peering.remove(peer)
    if dropped >= 0:
        graph_sync.poke()
    return dropped


async def graph_status(service: GraphStore, sync: GraphSync, counts: GraphCounts) -> dict[str, Any]:
    """How big the graph is as last counted (``triples``, ``graphs``, ``countedAt``; null before a first
    count; when nothing waits to be written, it waits up to 5 s for a count of the graph as it is), whether
    the store answers (``storeReachable``), how many graphs wait to be written (``unsynced``), which were
    set aside with the reason (``setAside``) and how often the graph process restarted."""
    try:
        await service.ping()
        reachable = True
    except (GraphError, QueryTimeout):  # an external store that is down: the rest of the status still answers
        reachable = False
    pending = await sync.pending()
    # While the sync writes, any count is out of date at once: a reader would only wait for it.
    counted = await counts.current(wait=5.0) if reachable and pending == 0 else counts.latest
    stats: dict[str, Any] = {"triples": None, "graphs": None, "countedAt": None, "storeReachable": reachable}
    if counted is not None:
        stats |= {"triples": counted.triples, "graphs": counted.graphs, "countedAt": _iso(counted.at)}
    quarantined, examples = await sync.quarantined()
    return {
        **stats,
        "unsynced": pending,
        "setAside": {"count": quarantined, "graphs": examples},
        "graphProcessRestarts": service.restarts,
    }


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
