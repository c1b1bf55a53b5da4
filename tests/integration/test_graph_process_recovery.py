"""The graph process is restarted when it must be, once, and nothing sent meanwhile is lost: a process that
dies on its own, queries that pass their limit together, a query that comes during a restart, and a query
that a restart interrupts (sent again with what is left of its own limit)."""

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dsi4bcn.graph.process import GraphService, QueryResult, QueryTimeout

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 1,000 triples: 10^9 rows
QUICK = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[GraphService]:
    running = GraphService(tmp_path / "graph", query_threads=4)
    await running.start()
    triples = "\n".join(f"<urn:s:{i}> <urn:p> <urn:o:{i}> ." for i in range(1000))
    await running.apply({"urn:graph:1": triples})
    yield running
    await running.stop()


def _query(service: GraphService, text: str, limit: float) -> "asyncio.Future[QueryResult]":
    return asyncio.ensure_future(
        service.query(text, select_format="json", graph_format="text/turtle", cap=100, limit=limit, union=True)
    )


def _pid(service: GraphService) -> int:
    process = service._process
    assert process is not None
    return int(process.pid)


async def test_a_graph_process_that_died_on_its_own_is_started_again(service: GraphService) -> None:
    # Given the graph process is killed from outside (as the out-of-memory killer would)
    old = _pid(service)

    os.kill(old, signal.SIGKILL)
    await asyncio.sleep(0.3)
    # When the node next asks it something, Then a new process answers, and changes are written again
    answer = await _query(service, QUICK, 10)
    assert b"1000" in answer.body
    assert _pid(service) != old and service.restarts == 1
    assert await service.apply({"urn:graph:2": "<urn:a> <urn:b> <urn:c> ."}) == 1
    assert (await service.stats())["graphs"] == 2


async def test_queries_that_pass_their_limit_together_restart_the_process_once(service: GraphService) -> None:
    # Given two runaway queries with the same limit
    slow = [_query(service, SLOW, 1.0) for _ in range(2)]
    # When both pass it, Then both are stopped, by one restart, and the store answers again
    for query in slow:
        with pytest.raises(QueryTimeout):
            await query
    assert service.restarts == 1
    assert b"1000" in (await _query(service, QUICK, 10)).body


async def test_a_query_during_a_restart_waits_for_it_and_one_interrupted_keeps_its_limit(
    service: GraphService,
) -> None:
    # Given a runaway query with a 2 s limit and another with 3 s, both running
    started = time.monotonic()
    short, long = _query(service, SLOW, 2.0), _query(service, SLOW, 3.0)
    await asyncio.sleep(1.9)
    # When the first passes its limit (the process is killed, and the second sent again) while quick
    # queries keep coming
    quick = []
    while not short.done():
        quick.append(_query(service, QUICK, 10))
        await asyncio.sleep(0.02)
    with pytest.raises(QueryTimeout):
        await short
    quick += [_query(service, QUICK, 10) for _ in range(3)]
    # Then every quick query is answered (none lost to the restart)
    for answer in await asyncio.gather(*quick):
        assert b"1000" in answer.body
    # And the interrupted query is stopped at its own limit, 3 s from its start, not 3 s from its second try
    # (which would be 5 s)
    with pytest.raises(QueryTimeout):
        await long
    assert time.monotonic() - started < 4.5
    assert service.restarts == 2
