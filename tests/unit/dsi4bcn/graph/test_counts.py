"""The graph's size, counted in the background: after changes, spaced by how long counts take."""

import asyncio

import pytest

from dsi4bcn.graph import counts as counts_module
from dsi4bcn.graph.counts import GraphCounts
from dsi4bcn.graph.process import GraphError


class Store:
    """Counts as told; each count takes ``seconds``; the next ``failures`` counts fail."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.triples = 10
        self.seconds = seconds
        self.calls = 0
        self.failures = 0

    async def stats(self, limit: float = 60.0) -> dict[str, int]:
        self.calls += 1
        triples = self.triples  # what the store holds when the count begins
        await asyncio.sleep(self.seconds)
        if self.failures:
            self.failures -= 1
            raise GraphError("unavailable", "the store answered 503")
        return {"triples": triples, "graphs": 2}


async def test_a_small_graph_is_counted_again_for_a_reader_after_each_change() -> None:
    store = Store(seconds=0.05)
    counts = GraphCounts(store, least_wait=0.2)  # type: ignore[arg-type]
    assert counts.latest is None
    loop = asyncio.create_task(counts.run())
    try:
        first = await counts.current(wait=2.0)
        assert first is not None and (first.triples, first.graphs) == (10, 2) and first.seconds >= 0.05
        # When the graph changes twice, Then a reader waits for the one count (after the pause) that has both
        store.triples = 25
        await counts.changed(["urn:a"])
        await counts.changed(["urn:b"])
        latest = await counts.current(wait=2.0)
        assert latest is not None and latest.triples == 25 and store.calls == 2
    finally:
        loop.cancel()


async def test_a_reader_of_a_small_graph_cuts_the_pause_short() -> None:
    store = Store(seconds=0.05)
    counts = GraphCounts(store, least_wait=0.0, spacing=200.0)  # type: ignore[arg-type]  # a 10 s pause
    loop = asyncio.create_task(counts.run())
    try:
        assert await counts.current(wait=2.0) is not None
        store.triples = 25
        await counts.changed()
        latest = await counts.current(wait=1.0)  # When a reader waits, Then the count comes at once
        assert latest is not None and latest.triples == 25
    finally:
        loop.cancel()


async def test_a_large_graph_is_read_as_last_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counts_module, "_QUICK", 0.01)  # counts of 0.05 s stand for the slow ones
    store = Store(seconds=0.05)
    counts = GraphCounts(store, least_wait=0.0, spacing=10.0)  # type: ignore[arg-type]
    loop = asyncio.create_task(counts.run())
    try:
        first = await counts.current(wait=2.0)
        store.triples = 25
        await counts.changed()
        assert await counts.current(wait=2.0) is first  # at once: the next count comes after a pause of 0.5 s
        await asyncio.sleep(0.7)
        latest = counts.latest
        assert latest is not None and latest.triples == 25
    finally:
        loop.cancel()


async def test_nothing_counted_in_time_is_none() -> None:
    counts = GraphCounts(Store())  # type: ignore[arg-type]
    assert await counts.current(wait=0.05) is None  # its loop is not running


async def test_a_failed_count_keeps_the_last_one_and_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counts_module, "_RETRY", 0.1)
    store = Store()
    counts = GraphCounts(store, least_wait=0.05)  # type: ignore[arg-type]
    loop = asyncio.create_task(counts.run())
    try:
        assert await counts.current(wait=1.0) is not None
        store.failures, store.triples = 1, 40
        await counts.changed()
        await asyncio.sleep(0.1)
        latest = counts.latest
        assert latest is not None and latest.triples == 10  # the failed count changed nothing
        latest = await counts.current(wait=1.0)
        assert latest is not None and latest.triples == 40 and store.calls == 3
    finally:
        loop.cancel()
