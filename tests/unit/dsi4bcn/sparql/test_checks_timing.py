"""The SPARQL check runs in time linear in the query's length, on inputs made to be slow.

Each shape is measured at 8 KiB and at 64 KiB (the largest query accepted), best of three runs; eight times
the input may cost at most 24 times the time (linear with room for a busy machine), and 64 KiB at most
2 s (measured: about 150 ms on the 2-core development machine). Shapes cover what makes parsers slow:
long flat lists, long operator chains, deep nesting (refused past the limit), comments, escapes, dotted
names scanned again at every dot, unterminated IRIs and strings, many SERVICEs (each one is recorded).
Times are the test thread's CPU time (``time.thread_time``), so that other processes taking the cores while
the suite runs do not count as the parser's cost.
"""

import contextlib
import gc
import time
from collections.abc import Callable

import pytest

from dsi4bcn.sparql.checks import MAX_QUERY_BYTES, QueryRefused, check_query

PREFIX = "PREFIX ex: <http://e/> "


def _fill(head: str, unit: str, tail: str, size: int) -> str:
    """``head`` + ``unit`` repeated + ``tail``, at most ``size`` bytes long."""
    count = (size - len((head + tail).encode())) // len(unit.encode())
    return head + unit * count + tail


SHAPES: dict[str, Callable[[int], str]] = {
    "triple patterns": lambda size: _fill(PREFIX + "SELECT * WHERE { ", "?s ex:p ?o . ", "}", size),
    "or chain": lambda size: _fill("SELECT * WHERE { ?s ?p ?o FILTER(?o", " || ?o", ") }", size),
    "signed sums": lambda size: _fill("SELECT * WHERE { FILTER(1", " + -1", ") }", size),
    "values": lambda size: _fill("SELECT * WHERE { VALUES ?x { ", "1.5e3 ", "} }", size),
    "unions": lambda size: _fill("SELECT * WHERE { {?s ?p ?o}", " UNION {?s ?p ?o}", " }", size),
    "path": lambda size: _fill(PREFIX + "SELECT * WHERE { ?s ex:p", "/^ex:p", "* ?o }", size),
    "semicolons": lambda size: _fill("SELECT * WHERE { ?s ?p ?o ", ";", " }", size),
    "services": lambda size: _fill("SELECT * WHERE { ", "SERVICE ?s {} ", "}", size),
    "deep braces": lambda size: _fill("SELECT * WHERE ", "{ ", "", size),
    "deep parentheses": lambda size: _fill("SELECT * WHERE { FILTER", "(", "", size),
    "comments": lambda size: _fill("SELECT * WHERE { ?s ?p ?o ", "# SERVICE\r", "}", size),
    "escaped names": lambda size: _fill(PREFIX + "SELECT * WHERE { ?s ?p ex:", "a\\#", "b }", size),
    "dotted words": lambda size: _fill("SELECT * WHERE { ?s ?p ", "a.", " }", size),
    "unclosed IRIs": lambda size: _fill("SELECT * WHERE { ?s ?p ", "<a", " }", size),
    "unclosed long string": lambda size: _fill("SELECT * WHERE { ?s ?p '''", "''x", "", size),
    "strings": lambda size: _fill("SELECT * WHERE { ?s ?p ", "'\\u0027\\'' ", " }", size),
}


def _one(text: str) -> float:
    started = time.thread_time()
    with contextlib.suppress(QueryRefused):
        check_query(text, frozenset())
    return time.thread_time() - started


def _best_of(rounds: int, small: str, large: str) -> tuple[float, float]:
    """The best times of the two inputs, measured in alternation (so that a busy moment on the machine
    slows both) and with the garbage collector paused (its full passes are not the parser's cost)."""
    best_small = best_large = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            best_small = min(best_small, _one(small))
            best_large = min(best_large, _one(large))
    finally:
        gc.enable()
    return best_small, best_large


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_check_is_linear_on_adversarial_input(shape: str) -> None:
    small, large = SHAPES[shape](MAX_QUERY_BYTES // 8), SHAPES[shape](MAX_QUERY_BYTES)
    assert MAX_QUERY_BYTES - 16 < len(large.encode()) <= MAX_QUERY_BYTES
    small_seconds, large_seconds = _best_of(5, small, large)
    small_seconds = max(small_seconds, 1e-4)  # below 0.1 ms the clock's jitter is the ratio
    assert large_seconds < 2.0, f"{shape}: {large_seconds:.3f} s for 64 KiB"
    assert large_seconds / small_seconds < 24, f"{shape}: {small_seconds:.4f} s → {large_seconds:.4f} s"
