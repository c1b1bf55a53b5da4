r"""SSRF through SPARQL SERVICE, error echo, and per-client slots behind a trusted proxy, on a real node.

The reported attack: ``ex:a\#b`` made the keyword check read the rest of the line as a comment, so a
``SERVICE`` to a listener on 127.0.0.1 ran, and the listener's answer came back in the 500 body.
"""

import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.support.http import Answer, fetch
from tests.support.listener import SECRET, Listener, listening
from tests.support.nodes import Node, start_node

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(
        tmp_path_factory.mktemp("ssrf") / "node",
        demo=True,
        extra_args=["--trusted-proxy", "127.0.0.1"],
        env={"DSI4BCN_QUERY_TIMEOUT": "3", "DSI4BCN_QUERY_QUEUE_PER_CLIENT": "1"},
    )
    yield running
    running.stop()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as running:
        yield running


def _post(node: Node, query: str, **headers: str) -> Answer:
    return fetch(
        f"{node.base_url}/sparql",
        method="POST",
        body=query.encode(),
        headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/sparql-query",
            "Accept-Language": "en",  # errors are wholly in the requester's language
            **headers,
        },
    )


HIDDEN_SERVICES = {
    "escaped # in a prefixed name": (
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE { BIND(ex:a\\#b AS ?q) SERVICE <{url}> { ?x ?y ?z } }",
        "SERVICE is not allowed",
    ),
    "comment ended by a lone CR": (
        "SELECT * WHERE { ?s ?p ?o # just a comment?\r SERVICE <{url}> { ?x ?y ?z } }",
        "SERVICE",
    ),
    "in a subquery": ("SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?x ?y ?z } } } }", "SERVICE"),
    "in FILTER EXISTS": ("ASK { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?x ?y ?z } } }", "SERVICE"),
    "in OPTIONAL in GRAPH": ("SELECT * WHERE { GRAPH ?g { OPTIONAL { SERVICE <{url}> { ?x ?y ?z } } } }", "SERVICE"),
    "lowercase": ("select * where { service <{url}> { ?x ?y ?z } }", "SERVICE"),
    "a variable": ("SELECT * WHERE { BIND(<{url}> AS ?u) SERVICE ?u { ?x ?y ?z } }", "SERVICE"),
    "SILENT": ("SELECT * WHERE { SERVICE SILENT <{url}> { ?x ?y ?z } }", "SERVICE"),
    "escaped quote in a string": ("SELECT * WHERE { ?s ?p 'it\\'s' SERVICE <{url}> { ?x ?y ?z } }", "SERVICE"),
    "unicode escape in the keyword": ("SELECT * WHERE { \\u0053ERVICE <{url}> { ?x ?y ?z } }", "not valid"),
}


@pytest.mark.parametrize("case", list(HIDDEN_SERVICES))
def test_service_is_refused_however_it_is_written(node: Node, listener: Listener, case: str) -> None:
    template, reason = HIDDEN_SERVICES[case]
    query = template.replace("{url}", listener.url)
    for answer in (
        _post(node, query),
        fetch(
            f"{node.base_url}/sparql?{urlencode({'query': query})}",
            headers={"Accept": "application/json", "Accept-Language": "en"},
        ),
    ):
        assert answer.status == 400, answer.body[:300]
        assert reason in answer.json()["error"]
        assert SECRET.encode() not in answer.body
    assert listener.requests == []


def test_internal_errors_are_not_echoed(node: Node) -> None:
    # Oxigraph parses a call to an unknown function, then fails while evaluating it
    answer = _post(node, "SELECT * WHERE { ?s ?p ?o FILTER(<http://example.org/secret-function>(?o)) } LIMIT 1")
    assert answer.status == 500
    assert answer.json()["code"] == "internal_error"
    assert b"secret-function" not in answer.body and b"Error" not in answer.body
    assert answer.headers["access-control-allow-origin"] == "*"
    deadline = time.monotonic() + 5
    while "secret-function" not in node.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "secret-function" in node.log()  # the detail is in the node's log
    # Oxigraph's syntax errors describe the client's own query and stay
    mistake = _post(node, "SELECT * WHERE { ?s ?p ?o } GROUP BY ?s")
    assert mistake.status == 400 and "not valid SPARQL 1.1" in mistake.json()["error"]


def test_the_graph_process_says_it_is_off_the_network(node: Node) -> None:
    assert "network sockets denied by seccomp" in node.log()


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_slots(node: Node) -> None:
    # Given one visitor (behind the proxy 127.0.0.1) running two slow queries, and one more in its line
    visitor = {"X-Forwarded-For": "6.6.6.6, 198.51.100.1"}
    threads = [threading.Thread(target=_post, args=(node, SLOW), kwargs=visitor) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.8)
    threads.append(threading.Thread(target=_post, args=(node, COUNT), kwargs=visitor))
    threads[-1].start()
    time.sleep(0.3)
    try:
        # Then that visitor has no slot left (nor room in its line), whatever it writes left of the proxy's entry
        assert _post(node, COUNT, **{"X-Forwarded-For": "7.7.7.7, 198.51.100.1"}).status == 429
        # but another visitor behind the same proxy is served
        assert _post(node, COUNT, **{"X-Forwarded-For": "6.6.6.6, 198.51.100.2"}).status == 200
    finally:
        for thread in threads:
            thread.join()
