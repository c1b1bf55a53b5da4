"""The node's metrics (``dsi4bcn.metrics``): a registry per node, bounded labels, Prometheus's text format."""

from prometheus_client.parser import text_string_to_metric_families

from dsi4bcn.metrics import NodeMetrics, inbox_outcome


def _samples(metrics: NodeMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode("utf-8"))
        for sample in family.samples
    }


def test_each_node_counts_into_its_own_registry() -> None:
    first, second = NodeMetrics(), NodeMetrics()
    first.http_requests.labels("GET", "/actor", "200").inc()
    first.delivery_retries.inc(2)
    assert _samples(first)[("dsi4bcn_http_requests_total", (("method", "GET"), ("route", "/actor"), ("status", "200")))]
    assert _samples(first)[("dsi4bcn_delivery_retries_total", ())] == 2
    assert _samples(second)[("dsi4bcn_delivery_retries_total", ())] == 0
    assert ("dsi4bcn_http_requests_total", (("method", "GET"), ("route", "/actor"), ("status", "200"))) not in (
        _samples(second)
    )


def test_the_exposition_parses_with_every_family_and_no_created_samples() -> None:
    metrics = NodeMetrics()
    metrics.matching_duration.labels("partners").observe(0.003)
    metrics.graph_unsynced.labels("pending").set(4)
    names = {family.name for family in text_string_to_metric_families(metrics.exposition().decode("utf-8"))}
    assert {
        "dsi4bcn_http_requests",
        "dsi4bcn_http_request_duration_seconds",
        "dsi4bcn_inbox_accepted",
        "dsi4bcn_inbox_refused",
        "dsi4bcn_inbox_processed",
        "dsi4bcn_delivery_retries",
        "dsi4bcn_delivery_dropped",
        "dsi4bcn_delivery_queue_depth",
        "dsi4bcn_delivery_queue_oldest_seconds",
        "dsi4bcn_delivery_failing_hosts",
        "dsi4bcn_delivery_dead_hosts",
        "dsi4bcn_graph_unsynced_graphs",
        "dsi4bcn_graph_sync_lag_seconds",
        "dsi4bcn_sparql_queries",
        "dsi4bcn_matching_duration_seconds",
        "dsi4bcn_directory_query_duration_seconds",
    } <= names
    samples = _samples(metrics)
    assert samples[("dsi4bcn_matching_duration_seconds_bucket", (("kind", "partners"), ("le", "0.005")))] == 1
    assert samples[("dsi4bcn_graph_unsynced_graphs", (("state", "pending"),))] == 4
    assert not [name for name, _labels in samples if name.endswith("_created")]


def test_processing_outcomes_are_counted_by_their_class() -> None:
    metrics = NodeMetrics()
    metrics.count_processed(
        ["follower accepted", "refused: not a peer", "failed: timeout", "ignored: unknown type", "profile stored"]
    )
    samples = _samples(metrics)
    assert {
        outcome: samples[("dsi4bcn_inbox_processed_total", (("outcome", outcome),))]
        for outcome in (
            "processed",
            "refused",
            "failed",
            "ignored",
        )
    } == {"processed": 2, "refused": 1, "failed": 1, "ignored": 1}


def test_an_outcome_label_is_one_of_four_whatever_the_text() -> None:
    assert inbox_outcome("refused: the actor https://x.example/a is not ...") == "refused"
    assert inbox_outcome("ignored: a profile from a node that is not a peer") == "ignored"
    assert inbox_outcome("failed: internal error (KeyError: 'x')") == "failed"
    assert inbox_outcome("Follow queued; follower accepted") == "processed"
    assert inbox_outcome("refusedish: no colon class") == "processed"
    assert inbox_outcome("") == "processed"


def test_a_request_is_counted_and_timed_under_its_labels() -> None:
    metrics = NodeMetrics()
    for seconds in (0.002, 0.02, 0.2):
        metrics.request_answered("GET", "/projects/{slug}", 200, seconds)
    metrics.request_answered("GET", "/projects/{slug}", 404, 0.001)
    samples = _samples(metrics)
    route = (("method", "GET"), ("route", "/projects/{slug}"))
    assert samples[("dsi4bcn_http_requests_total", (*route, ("status", "200")))] == 3
    assert samples[("dsi4bcn_http_requests_total", (*route, ("status", "404")))] == 1
    assert samples[("dsi4bcn_http_request_duration_seconds_count", route)] == 4
    assert samples[("dsi4bcn_http_request_duration_seconds_bucket", (("le", "0.025"), *route))] == 3
