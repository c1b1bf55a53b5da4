"""The graph process cannot reach the network, even with a SERVICE query that no check stopped.

The node's checks are bypassed on purpose: the query goes straight to ``GraphService`` (the graph process).
A listener on 127.0.0.1 shows that pyoxigraph outside the sandbox does call it, and that the graph
process does not, and that nothing of its answer comes back.
"""

import platform
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from dsi4bcn.graph.process import GraphError, GraphService
from tests.support.listener import SECRET, listening

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.machine().lower() not in ("x86_64", "aarch64"),
    reason="the seccomp sandbox exists on Linux x86_64 and aarch64 only",
)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[GraphService]:
    running = GraphService(tmp_path / "graph", query_threads=2)
    await running.start()
    yield running
    await running.stop()


def _query(service: GraphService, text: str):  # type: ignore[no-untyped-def]
    return service.query(text, select_format="json", graph_format="text/turtle", cap=100, limit=20)


async def test_a_service_query_sent_straight_to_the_graph_process_reaches_nothing(service: GraphService) -> None:
    with listening() as listener:
        # Given pyoxigraph, outside the sandbox, does call the listener (so silence below means something)
        with pytest.raises(OSError, match=SECRET):  # its answer is quoted in the error
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?z }} }}"))
        assert len(listener.requests) == 1
        listener.requests.clear()
        # When the graph process gets SERVICE queries, the check bypassed
        with pytest.raises(GraphError) as failed:
            await _query(service, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?z }} }}")
        silent = await _query(service, f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?x ?y ?z }} }}")
        nested = f"ASK {{ FILTER EXISTS {{ SERVICE <{listener.url}?q> {{ ?x ?y ?z }} }} }}"
        exists = await _query(service, nested)  # an error inside FILTER is false, not an error
        # Then the listener received nothing, and nothing it could have said came back
        assert listener.requests == []
        assert failed.value.kind == "internal"
        assert SECRET not in str(failed.value) and SECRET.encode() not in silent.body + exists.body
    # and the process still answers queries
    ask = await _query(service, "ASK { }")
    assert b"true" in ask.body
