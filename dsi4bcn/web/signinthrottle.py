"""Failed sign-ins, counted per client address and per account, slowed and then refused for a while.

A key (an address, an email) with up to ``free`` failures in the window signs in at once; each failure
after that adds ``step`` seconds of waiting before the answer (at most ``max_delay``); at ``refuse_at``
failures the key is refused (429) until its oldest failure leaves the window. Memory is bounded: at
``max_keys`` keys, the least recently failed is forgotten. Counts live in the process: a restart forgets
them, which only gives an attacker one more window.
"""

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

__all__ = ["SignInThrottle"]


class SignInThrottle:
    """Sliding windows of failed sign-ins by key."""

    def __init__(
        self,
        *,
        window: float = 900.0,
        free: int = 3,
        refuse_at: int = 10,
        step: float = 0.2,
        max_delay: float = 1.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window, self.free, self.refuse_at = window, free, refuse_at
        self.step, self.max_delay, self.max_keys = step, max_delay, max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, keys: Iterable[str]) -> float | None:
        """Seconds until one of ``keys`` may try again, if one is refused now; else None."""
        now = self._clock()
        waits = [
            times[-self.refuse_at] + self.window - now
            for times in (self._recent(key, now) for key in keys)
            if len(times) >= self.refuse_at
        ]
        return max(1.0, max(waits)) if waits else None

    def delay(self, keys: Iterable[str]) -> float:
        """Seconds to wait before answering a sign-in by ``keys``, after their failures so far."""
        now = self._clock()
        worst = max((len(self._recent(key, now)) for key in keys), default=0)
        return min(self.max_delay, self.step * max(0, worst - self.free + 1)) if worst >= self.free else 0.0

    def failed(self, keys: Iterable[str]) -> None:
        """Count a failed sign-in against each of ``keys``."""
        now = self._clock()
        for key in keys:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def forget(self, key: str) -> None:
        """Clear ``key``'s failures (an account after its owner signed in)."""
        self._failures.pop(key, None)
