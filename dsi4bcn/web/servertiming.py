"""``Server-Timing`` (W3C Server Timing): how long each stage of an answer took, for browsers' developer
tools and for the benchmarks, which read where a page's time goes inside the node."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["StageTimer"]


class StageTimer:
    """Times named stages (in the order run) and writes them as one ``Server-Timing`` header value."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float]] = []
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (a token: letters, digits, ``-``)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages.append((name, (time.perf_counter() - start) * 1000))

    def header(self) -> str:
        """``search;dur=3.12, render;dur=1.05, total;dur=4.30`` (milliseconds; ``total`` since the timer was
        made, stages or not: what the handler spent, so that what the stages leave out shows)."""
        total = (time.perf_counter() - self.started) * 1000
        return ", ".join(f"{name};dur={duration:.2f}" for name, duration in [*self.stages, ("total", total)])
