"""``/metrics`` on a real node: parsed with prometheus_client's own parser, each metric moves when its event
happens, only the metrics token (or this machine, when told so) may read it, and ``--log-format json``
writes JSON lines."""

import contextlib
import json
import os
import re
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.fake_actors import ActorServer, FakeActor
from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

ORGANISATION = {"nameMap": {"ca": "Mesura Oberta"}, "sectors": ["sector:civil-society"]}
PROJECT = {
    "organisation": "mesura",
    "nameMap": {"ca": "Comptadors"},
    "areas": ["area:digital-rights"],
    "needs": ["skill:funding"],
}
PARTNER = {
    "organisation": "mesura",
    "nameMap": {"ca": "Sensors"},
    "areas": ["area:digital-rights"],
    "offers": ["skill:funding"],
}
METRICS_TOKEN = "metrics-token-for-the-test-0123"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def actors() -> Iterator[ActorServer]:
    server = ActorServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(
        tmp_path_factory.mktemp("metrics") / "node",
        extra_args=["--log-format", "json", "--metrics-localhost"],
        env={"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.05", "DSI4BCN_METRICS_TOKEN": METRICS_TOKEN},
    )
    try:
        for path, document in (
            ("organisations/mesura", ORGANISATION),
            ("projects/comptadors", PROJECT),
            ("projects/sensors", PARTNER),
        ):
            assert api(running.base_url, running.token, "PUT", f"/api/{path}", document).status == 201
        running.settle()
        yield running
    finally:
        running.stop()


def _scrape(node: Node) -> Samples:
    """Every sample of ``/metrics`` (read with the token), parsed by prometheus_client's parser."""
    answer = fetch(f"{node.base_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status == 200, answer.body[:300]
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    samples: Samples = {}
    for family in text_string_to_metric_families(answer.body.decode("utf-8")):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def _value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 for a labelled series not used yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def _inbox_post(node: Node, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    return fetch(
        f"{node.base_url}/inbox",
        method="POST",
        headers={"Content-Type": "application/activity+json", **(headers or {})},
        body=body,
    )


def test_requests_are_counted_by_route_pattern_and_status_with_their_latency(node: Node) -> None:
    before = _scrape(node)
    assert fetch(f"{node.base_url}/projects/comptadors", headers={"Accept": "text/html"}).status == 200
    assert fetch(f"{node.base_url}/projects/no-such-project", headers={"Accept": "text/html"}).status == 404
    assert fetch(f"{node.base_url}/no/such/path/{uuid.uuid4()}").status == 404
    after = _scrape(node)
    route = "/projects/{slug}"
    for status in ("200", "404"):
        counted = _value(after, "dsi4bcn_http_requests_total", method="GET", route=route, status=status)
        assert counted == _value(before, "dsi4bcn_http_requests_total", method="GET", route=route, status=status) + 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert _value(after, "dsi4bcn_http_requests_total", **unmatched) >= 1
    timed = _value(after, "dsi4bcn_http_request_duration_seconds_count", method="GET", route=route)
    assert timed == _value(before, "dsi4bcn_http_request_duration_seconds_count", method="GET", route=route) + 2
    assert _value(after, "dsi4bcn_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") >= 2
    # Routes are patterns, never paths: no label holds a slug or the random path.
    routes = {dict(labels).get("route", "") for _name, labels in after}
    assert not any("comptadors" in r or "no-such" in r or "no/such" in r for r in routes), routes


def _follow(follower: FakeActor, node: Node) -> bytes:
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{follower.id}/follows/{uuid.uuid4()}",
        "type": "Follow",
        "actor": follower.id,
        "object": f"{node.base_url}/projects/comptadors",
    }
    return json.dumps(follow).encode()


def test_inbox_posts_are_counted_accepted_or_refused_by_check(node: Node, actors: ActorServer) -> None:
    before = _scrape(node)
    follower = actors.add_actor(f"counted-{uuid.uuid4().hex[:8]}")
    body, other = _follow(follower, node), _follow(follower, node)
    signed = follower.sign(f"{node.base_url}/inbox", body)
    assert _inbox_post(node, b"{not json").status == 400
    assert _inbox_post(node, body).status == 401
    assert _inbox_post(node, other, signed).status == 401  # signed for another body: the digest differs
    assert _inbox_post(node, body, signed).status == 202

    def processed() -> bool:
        return _value(_scrape(node), "dsi4bcn_inbox_processed_total", outcome="processed") > _value(
            before, "dsi4bcn_inbox_processed_total", outcome="processed"
        )

    within(10, processed, "the accepted Follow counted as processed")
    after = _scrape(node)
    assert _value(after, "dsi4bcn_inbox_accepted_total") == _value(before, "dsi4bcn_inbox_accepted_total") + 1
    for reason in ("malformed", "unsigned", "signature"):
        refused = _value(after, "dsi4bcn_inbox_refused_total", reason=reason)
        assert refused == _value(before, "dsi4bcn_inbox_refused_total", reason=reason) + 1, reason


@pytest.fixture
def failing_host() -> Iterator[ActorServer]:
    # A host of its own ("localhost", the others are at 127.0.0.1): a delivery that succeeds to any actor of
    # the same host (hosts are counted without their port) would clear its failures
    server = ActorServer(host_name="localhost")
    yield server
    server.stop()


def test_a_post_to_a_failing_inbox_fills_the_queue_and_counts_retries(node: Node, failing_host: ActorServer) -> None:
    # Given a follower whose inbox keeps failing
    name = f"down-{uuid.uuid4().hex[:8]}"
    follower = failing_host.add_actor(name, with_shared_inbox=False)
    failing_host.fail_first[name] = 10**6  # its inbox answers 503, again and again
    before = _scrape(node)
    body = _follow(follower, node)
    assert _inbox_post(node, body, follower.sign(f"{node.base_url}/inbox", body)).status == 202
    within(10, lambda: _value(_scrape(node), "dsi4bcn_delivery_retries_total") > 0, "a retry of the Accept")
    # When a post is queued for it as well
    answer = api(node.base_url, node.token, "POST", "/api/projects/comptadors/notes", {"content": "<p>Mesures</p>"})
    assert answer.status == 201
    # Then both wait in the queue, retried, and the host is counted as failing
    within(10, lambda: _value(_scrape(node), "dsi4bcn_delivery_queue_depth") >= 2, "two deliveries owed")
    retried = _value(before, "dsi4bcn_delivery_retries_total") + 2
    within(10, lambda: _value(_scrape(node), "dsi4bcn_delivery_retries_total") >= retried, "both retried")
    after = _scrape(node)
    assert _value(after, "dsi4bcn_delivery_failing_hosts") >= 1
    assert _value(after, "dsi4bcn_delivery_queue_oldest_seconds") > 0
    # A host that failed on seven different days is dead (days cannot pass in a test: they are written)
    assert _value(after, "dsi4bcn_delivery_dead_hosts") == 0
    with sqlite3.connect(node.database, timeout=10) as connection:
        connection.executemany(
            "INSERT INTO host_failures (host, day) VALUES ('dead.example', ?)",
            [(f"2026-01-0{day}",) for day in range(1, 8)],
        )
    assert _value(_scrape(node), "dsi4bcn_delivery_dead_hosts") == 1


def _graph_process(node: Node) -> int:
    """The PID of the node's graph process (its child running ``dsi4bcn.graph.worker``)."""
    assert node.process is not None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == node.process.pid and b"dsi4bcn.graph.worker" in command:
            return int(entry.name)
    raise AssertionError("the node has no graph process")


def test_a_profile_change_shows_graph_sync_lag_until_written(node: Node) -> None:
    assert _value(_scrape(node), "dsi4bcn_graph_sync_lag_seconds") == 0
    graph = _graph_process(node)
    os.kill(graph, signal.SIGSTOP)  # the store cannot be written: the change waits
    try:
        changed = {**PARTNER, "nameMap": {"ca": "Sensors nous"}}
        assert api(node.base_url, node.token, "PUT", "/api/projects/sensors", changed).status == 200
        within(10, lambda: _value(_scrape(node), "dsi4bcn_graph_unsynced_graphs", state="pending") >= 1, "pending")
        within(10, lambda: _value(_scrape(node), "dsi4bcn_graph_sync_lag_seconds") >= 0.5, "a lag")
    finally:
        with contextlib.suppress(ProcessLookupError):  # gone if the node restarted it meanwhile
            os.kill(graph, signal.SIGCONT)
    within(30, lambda: _value(_scrape(node), "dsi4bcn_graph_sync_lag_seconds") == 0, "the lag back to 0")
    assert _value(_scrape(node), "dsi4bcn_graph_unsynced_graphs", state="pending") == 0


def test_sparql_queries_are_counted_by_outcome(node: Node) -> None:
    before = _scrape(node)
    good = fetch(f"{node.base_url}/sparql?{urlencode({'query': 'SELECT * WHERE { ?s ?p ?o } LIMIT 1'})}")
    assert good.status == 200
    assert fetch(f"{node.base_url}/sparql?{urlencode({'query': 'SELECT * WHERE { ?s ?p'})}").status == 400
    update = "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"
    assert fetch(f"{node.base_url}/sparql?{urlencode({'query': update})}").status == 400
    assert fetch(f"{node.base_url}/sparql", headers={"Accept": "text/html"}).status == 200  # no query: not one
    after = _scrape(node)
    for outcome in ("ok", "syntax", "refused"):
        counted = _value(after, "dsi4bcn_sparql_queries_total", outcome=outcome)
        assert counted == _value(before, "dsi4bcn_sparql_queries_total", outcome=outcome) + 1, outcome


def test_matching_and_directory_queries_are_timed(node: Node) -> None:
    before = _scrape(node)
    asker = f"{node.base_url}/projects/comptadors"
    within(10, lambda: fetch(f"{node.base_url}/api/match?{urlencode({'project': asker})}").status == 200, "a match")
    assert fetch(f"{node.base_url}/api/directory?{urlencode({'q': 'sensors'})}").status == 200
    assert fetch(f"{node.base_url}/api/network/calls").status == 200
    after = _scrape(node)
    for name, kind in (
        ("dsi4bcn_matching_duration_seconds", "partners"),
        ("dsi4bcn_directory_query_duration_seconds", "profiles"),
        ("dsi4bcn_directory_query_duration_seconds", "calls"),
    ):
        count = _value(after, f"{name}_count", kind=kind)
        assert count == _value(before, f"{name}_count", kind=kind) + 1, kind
        assert _value(after, f"{name}_sum", kind=kind) > _value(before, f"{name}_sum", kind=kind), kind


def test_only_the_token_or_this_machine_may_read_the_metrics(node: Node) -> None:
    url = f"{node.base_url}/metrics"
    proxied = {"X-Forwarded-For": "203.0.113.9"}  # passed on by a proxy: not this machine, whatever the socket
    missing = fetch(url, headers=proxied)
    assert missing.status == 401
    assert missing.json()["code"] == "metrics_token_required"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = fetch(url, headers={**proxied, "Authorization": "Bearer not-the-metrics-token-at-all"})
    assert (wrong.status, wrong.json()["code"]) == (403, "metrics_token_wrong")
    admin = fetch(url, headers={**proxied, "Authorization": f"Bearer {node.token}"})
    assert admin.status == 403  # the admin token is not the metrics token
    assert fetch(url, headers={**proxied, "Authorization": f"Bearer {METRICS_TOKEN}"}).status == 200
    assert fetch(url).status == 200  # straight from 127.0.0.1, with --metrics-localhost


def test_a_node_without_a_configured_token_makes_one_and_can_count_across_processes(tmp_path: Path) -> None:
    # Started as a pool's worker would be: PROMETHEUS_MULTIPROC_DIR makes every process write its values
    # there, and /metrics sums the files (here of one process, the scraping one)
    shared = tmp_path / "prometheus"
    shared.mkdir()
    running = start_node(tmp_path / "node", env={"PROMETHEUS_MULTIPROC_DIR": str(shared)})
    try:
        token_file = running.data_dir / "metrics-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        assert fetch(f"{running.base_url}/metrics").status == 401  # no --metrics-localhost here
        assert fetch(f"{running.base_url}/healthz").status == 200
        answer = fetch(f"{running.base_url}/metrics", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200
        samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(answer.body.decode("utf-8"))
            for sample in family.samples
        }
        assert _value(samples, "dsi4bcn_http_requests_total", method="GET", route="/healthz", status="200") >= 2
        assert _value(samples, "dsi4bcn_http_requests_total", method="GET", route="/metrics", status="401") == 1
        assert ("dsi4bcn_graph_sync_lag_seconds", frozenset()) in samples  # read at the scrape, no pid label
        assert any(path.name.startswith("counter_") for path in shared.iterdir())
        # Text logs by default: the node's log lines are not JSON
        assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO ", running.log(), re.MULTILINE)
    finally:
        running.stop()


def test_json_logs_are_one_object_a_line(node: Node) -> None:
    lines = node.log().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) >= 3
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"])
    assert {"dsi4bcn.graph.worker", "dsi4bcn.matching.service"} <= {record["logger"] for record in records}
    # No log line in the text format: the few other lines are what the node prints at start (its address)
    assert not [line for line in lines if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", line)]
