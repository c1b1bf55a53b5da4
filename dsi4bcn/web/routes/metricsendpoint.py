"""``GET /metrics``: the node's Prometheus metrics in the text exposition format (docs/metrics.md).

Only for the metrics token or, when the node is told so, for its own machine (``web/metricsaccess.py``).
What SQLite knows (the delivery queue and the hosts that fail, the graph sync's lag) is read now, so that
the gauges say how things are at the scrape, whichever process of the node made the change.
"""

import time
from datetime import datetime

from aiohttp import web

from dsi4bcn.metrics import CONTENT_TYPE, NodeMetrics
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.graphstate import GraphState
from dsi4bcn.web.appkeys import DATABASE, DELIVERY_QUEUE, METRICS
from dsi4bcn.web.metricsaccess import check_metrics_access
from federation.retry import FAILURE_DAYS_THRESHOLD

__all__ = ["routes"]

routes = web.RouteTableDef()


async def _read_gauges(metrics: NodeMetrics, deliveries: DeliveryQueue, graphs: GraphState) -> None:
    """Set the gauges that SQLite answers: queue depth and age, failing and dead hosts, graph sync lag."""
    now = time.time()
    queue = await deliveries.health(FAILURE_DAYS_THRESHOLD)
    metrics.delivery_queue.set(queue.owed)
    oldest = datetime.fromisoformat(queue.oldest).timestamp() if queue.oldest else now
    metrics.delivery_oldest.set(max(now - oldest, 0.0))
    metrics.failing_hosts.set(queue.failing_hosts)
    metrics.dead_hosts.set(queue.dead_hosts)
    lag = await graphs.lag()
    metrics.graph_unsynced.labels("pending").set(lag.pending)
    metrics.graph_unsynced.labels("set_aside").set(lag.set_aside)
    metrics.graph_lag.set(max(now - lag.waiting_since, 0.0) if lag.waiting_since is not None else 0.0)


@routes.get("/metrics")
async def metrics_endpoint(request: web.Request) -> web.Response:
    """Every metric, for Prometheus."""
    check_metrics_access(request)
    metrics = request.app[METRICS]
    await _read_gauges(metrics, request.app[DELIVERY_QUEUE], GraphState(request.app[DATABASE]))
    response = web.Response(body=metrics.exposition())
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response
