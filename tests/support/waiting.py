"""Waiting for something a node does in the background, with a bound and a message when it does not."""

import time
from collections.abc import Callable

__all__ = ["within"]


def within(seconds: float, condition: Callable[[], object], what: str) -> float:
    """Poll ``condition`` every 0.1 s until it holds; how long that took, or AssertionError naming ``what``."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds} s")
