"""The node's Prometheus metrics, defined in one place: a ``NodeMetrics`` per node app, each with its own registry.

A registry per app rather than prometheus_client's global one, because tests run several apps in one
process. The layers that see an event receive the ``NodeMetrics`` (or nothing, and count into a private
one): the web layer counts requests, inbox refusals and SPARQL outcomes, the fediverse loops count
processed activities and delivery retries, matching and the directory time their queries. What SQLite
already knows (the delivery queue, failing hosts, the graph sync's lag) is read when ``/metrics`` is
scraped and set on the gauges here. Every label has a bounded set of values: routes are patterns, never
paths; reasons and outcomes are codes of ours. docs/metrics.md lists every metric.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several processes serving one node), prometheus_client keeps each
process's values in files there, and ``exposition`` sums them with its ``MultiProcessCollector``.
"""

import os
from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE", "NodeMetrics", "inbox_outcome"]

# The text format every Prometheus reads (our names need none of version 1.0.0's escaping, so the bytes
# are the same).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_PREFIX = "dsi4bcn"
# Query latencies of in-memory indexes: a millisecond is typical, a second is pathological.
_FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_INBOX_OUTCOMES = ("refused", "failed", "ignored")
# No "_created" sample beside each counter and histogram (the time it was first used): a third of the
# output, and Prometheus reads resets from the values themselves. Global to prometheus_client, which only
# this module uses.
disable_created_metrics()  # type: ignore[no-untyped-call]  # it has no hints


def inbox_outcome(recorded: str) -> str:
    """The class of an inbox processing outcome as the processor records it ("refused: …", "failed: …",
    "ignored: …", anything else processed): a bounded label."""
    head = recorded.partition(":")[0]
    return head if head in _INBOX_OUTCOMES else "processed"


class NodeMetrics:
    """Every metric of one node, registered in ``registry`` (a new one unless given)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        kept = self.registry
        self.http_requests = Counter(
            f"{_PREFIX}_http_requests",
            "HTTP requests answered, by method, route pattern and status.",
            ["method", "route", "status"],
            registry=kept,
        )
        self.http_duration = Histogram(
            f"{_PREFIX}_http_request_duration_seconds",
            "Time to answer an HTTP request (handler and middlewares), by method and route pattern.",
            ["method", "route"],
            registry=kept,
        )
        self.inbox_accepted = Counter(
            f"{_PREFIX}_inbox_accepted", "Inbox POSTs verified, stored and answered 202.", registry=kept
        )
        self.inbox_refused = Counter(
            f"{_PREFIX}_inbox_refused", "Inbox POSTs refused, by reason (a code).", ["reason"], registry=kept
        )
        self.inbox_processed = Counter(
            f"{_PREFIX}_inbox_processed",
            "Stored inbox activities processed, by outcome (processed, ignored, refused, failed).",
            ["outcome"],
            registry=kept,
        )
        self._request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._delivery_and_graph(kept)
        self.sparql_queries = Counter(
            f"{_PREFIX}_sparql_queries",
            "SPARQL queries at /sparql, by outcome (ok, syntax, refused, too_large, not_acceptable, too_many, "
            "timeout, error).",
            ["outcome"],
            registry=kept,
        )
        self.matching_duration = Histogram(
            f"{_PREFIX}_matching_duration_seconds",
            "Time to compute a matching answer, by kind (partners, call, calls_for_profile).",
            ["kind"],
            buckets=_FAST_BUCKETS,
            registry=kept,
        )
        self.directory_duration = Histogram(
            f"{_PREFIX}_directory_query_duration_seconds",
            "Time to answer a directory query from its index, by kind (profiles, calls).",
            ["kind"],
            buckets=_FAST_BUCKETS,
            registry=kept,
        )

    def _delivery_and_graph(self, kept: CollectorRegistry) -> None:
        self.delivery_retries = Counter(
            f"{_PREFIX}_delivery_retries", "Failed deliveries scheduled for another attempt.", registry=kept
        )
        self.delivery_dropped = Counter(
            f"{_PREFIX}_delivery_dropped",
            "Deliveries given up after a failure, by reason (permanent: 404, 410 or a refused address; "
            "exhausted: every attempt failed).",
            ["reason"],
            registry=kept,
        )
        # Read from SQLite when scraped: the same in every process, so the most recent reading is the value.
        self.delivery_queue = _gauge(kept, "delivery_queue_depth", "Deliveries owed (one per activity and inbox).")
        self.delivery_oldest = _gauge(
            kept, "delivery_queue_oldest_seconds", "Age of the oldest delivery still owed (0 if none)."
        )
        self.failing_hosts = _gauge(
            kept, "delivery_failing_hosts", "Hosts with failed deliveries since they last answered."
        )
        self.dead_hosts = _gauge(
            kept, "delivery_dead_hosts", "Hosts that failed on 7 different days: skipped until heard from again."
        )
        self.graph_unsynced = _gauge(
            kept,
            "graph_unsynced_graphs",
            "Named graphs the graph store does not hold as they are in SQLite (pending, or set aside).",
            ["state"],
        )
        self.graph_lag = _gauge(
            kept, "graph_sync_lag_seconds", "How long the oldest pending graph has waited to be written (0 if none)."
        )

    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count an HTTP request and its time. The labelled children are kept by their labels (a bounded
        set), which halves the cost of a request's accounting (2 µs instead of 5)."""
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:
            children = (self.http_requests.labels(method, route, str(status)), self.http_duration.labels(method, route))
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def count_processed(self, outcomes: Iterable[str]) -> None:
        """Count stored inbox activities just processed, by the outcome each recorded."""
        for recorded in outcomes:
            self.inbox_processed.labels(inbox_outcome(recorded)).inc()

    def exposition(self) -> bytes:
        """Every metric in Prometheus's text format: this registry's, or with ``PROMETHEUS_MULTIPROC_DIR`` set,
        the sum over the processes that write there."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            gathered = CollectorRegistry()
            MultiProcessCollector(gathered)  # type: ignore[no-untyped-call]  # its __init__ has no hints
            return generate_latest(gathered)
        return generate_latest(self.registry)


def _gauge(registry: CollectorRegistry, name: str, text: str, labels: Iterable[str] = ()) -> Gauge:
    """A gauge set from SQLite at scrape time; across processes, the latest reading counts."""
    return Gauge(f"{_PREFIX}_{name}", text, list(labels), registry=registry, multiprocess_mode="mostrecent")
