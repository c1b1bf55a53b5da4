"""``dsi4bcn serve --workers 2``: two real worker processes on one port, as a community's VPS runs them.

Every request here opens a new connection (urllib), so the kernel shares them between the workers; the
tests show both answer, that the inbox and the admin API lose nothing and deliver once whichever worker
takes them, that a change made through one worker is read by every worker, and that the pool outlives a
worker's crash.
"""

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_actors import ActorServer, send_follow
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node
from tests.support.waiting import within

PROJECT = "reparem-al-barri"
FAST = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01"}


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    node = start_node(tmp_path_factory.mktemp("pool") / "node", demo=True, extra_args=["--workers", "2"], env=FAST)
    # start_node returns once the primary answers; the secondary starts after it (workerpool.py)
    within(60, lambda: _workers_seen(node, tries=20) == {0, 1}, "both workers answering")
    yield node
    node.stop()


@pytest.fixture(scope="module")
def actors() -> Iterator[ActorServer]:
    server = ActorServer()
    yield server
    server.stop()


def _workers_seen(node: Node, tries: int = 200) -> set[int]:
    seen: set[int] = set()
    for _ in range(tries):
        try:
            seen.add(fetch(f"{node.base_url}/healthz", timeout=5).json()["worker"])
        except OSError:  # a connection queued at a worker that was just killed
            continue
        if len(seen) == 2:
            break
    return seen


def _children(pid: int) -> list[int]:
    """The worker processes of the pool ``pid``, oldest first (the pool starts the primary first)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == pid and b"spawn_main" in command:  # not multiprocessing's resource tracker
                found.append((int(fields[19]), int(entry.name)))
    return [child for _start, child in sorted(found)]


def _status(url: str) -> int | str:
    try:
        return fetch(url, timeout=5).status
    except OSError as error:
        return type(error).__name__


def test_both_workers_answer_and_only_the_primary_runs_the_background_loops(pool: Node) -> None:
    assert _workers_seen(pool) == {0, 1}
    loops = {loop["name"] for loop in api(pool.base_url, pool.token, "GET", "/api/loops").json()["loops"]}
    assert {"deliverer", "inbox-processor", "graph-sync", "peering"} <= loops  # the primary's: asked there
    assert "primary-follower" not in loops
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counts = {
        fetch(
            f"{pool.base_url}/sparql?query={query.replace(' ', '%20').replace('?', '%3F')}",
            headers={"Accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"][0]["n"]["value"]
        for _ in range(12)
    }
    assert len(counts) == 1 and int(counts.pop()) > 100  # one graph, whichever worker took the request
    # and one dump of it, made once by the primary and streamed through either worker
    dumps = {fetch(f"{pool.base_url}/graph", headers={"Accept": "application/n-quads"}).body for _ in range(6)}
    assert len(dumps) == 1 and b"<urn:dsi4bcn:provenance>" in dumps.pop()


def test_metrics_add_up_every_worker(pool: Node) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    token = (pool.data_dir / "metrics-token").read_text().strip()

    def healthz_count() -> float:
        text = fetch(f"{pool.base_url}/metrics", headers={"Authorization": f"Bearer {token}"}).body.decode()
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "dsi4bcn_http_requests_total" and sample.labels.get("route") == "/healthz"
        )

    before = healthz_count()
    assert _workers_seen(pool, tries=40) == {0, 1}
    seen = healthz_count() - before
    assert seen >= 2  # each of the requests counted once, by whichever worker answered it
    for _ in range(10):
        fetch(f"{pool.base_url}/healthz")
    assert healthz_count() - before == seen + 10


def test_the_inbox_and_the_admin_api_lose_nothing_and_deliver_once(pool: Node, actors: ActorServer) -> None:
    target = f"{pool.base_url}/projects/{PROJECT}"
    followers = [actors.add_actor(f"pool-follower-{number}", with_shared_inbox=False) for number in range(16)]
    for follower in followers:  # each a new connection: they land on both workers
        send_follow(f"{target}/inbox", follower, target)
    names = [f"pool-follower-{number}" for number in range(16)]

    def accepted() -> bool:
        return all(actors.unique_ids(name, "Accept") for name in names)

    actors.wait_until(accepted, timeout=20)
    answer = api(pool.base_url, pool.token, "POST", f"/api/projects/{PROJECT}/notes", {"content": "Taller obert"})
    assert answer.status == 201, answer.body

    def created() -> bool:
        return all(actors.unique_ids(name, "Create") for name in names)

    actors.wait_until(created, timeout=20)
    time.sleep(1.0)  # a second delivery, if there were one, would arrive meanwhile
    for name in names:
        kinds = Counter(item.get("type") for item in actors.inbox_items(name))
        assert kinds["Accept"] == 1 and kinds["Create"] == 1, (name, kinds)


def test_a_change_made_through_one_worker_is_read_by_every_worker(pool: Node) -> None:
    document = {"nameMap": {"ca": "Cooperativa Pool Obert"}, "sectors": ["sector:civil-society"]}
    assert api(pool.base_url, pool.token, "PUT", "/api/organisations/pool-obert", document).status in (200, 201)
    actor = f"{pool.base_url}/organisations/pool-obert"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [fetch(f"{pool.base_url}/api/directory?q=pool%20obert").json()["total"] for _ in range(6)]
        if found == [1] * 6:
            break
        time.sleep(0.1)
    assert found == [1] * 6
    renamed = {"nameMap": {"ca": "Cooperativa Pool Renovada"}, "sectors": ["sector:civil-society"]}
    assert api(pool.base_url, pool.token, "PUT", "/api/organisations/pool-obert", renamed).status == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        names = {fetch(actor, headers={"Accept": "application/activity+json"}).json()["name"] for _ in range(8)}
        if names == {"Cooperativa Pool Renovada"}:
            break
        time.sleep(0.1)
    assert names == {"Cooperativa Pool Renovada"}  # no worker serves the cached old document


def test_the_pool_starts_a_crashed_worker_again_and_reads_go_on_meanwhile(pool: Node) -> None:
    assert pool.process is not None
    primary, secondary = _children(pool.process.pid)[:2]
    os.kill(primary, signal.SIGKILL)
    answers = Counter(_status(f"{pool.base_url}/directory") for _ in range(10))
    assert answers[200] >= 1  # the secondary kept serving pages (connections queued at the dead one are reset)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _status(f"{pool.base_url}/api/loops") == 401 and _workers_seen(pool) == {0, 1}:
            break
        time.sleep(0.2)
    children = _children(pool.process.pid)
    assert secondary in children and primary not in children and len(children) == 2
    answer = api(pool.base_url, pool.token, "POST", f"/api/projects/{PROJECT}/notes", {"content": "De nou"})
    assert answer.status == 201, answer.body
    assert json.loads(answer.body)["id"]
