"""When to retry a failed delivery: Mastodon's schedule, as pure functions.

Mastodon delivers with Sidekiq, whose default retry delay after the n-th failure is
``n⁴ + 15 + rand(10)·(n + 1)`` seconds (sidekiq ``lib/sidekiq/job_retry.rb`` ``delay_for``), and
``ActivityPub::DeliveryWorker`` allows 16 retries: about two and a half days in all. A domain that failed
on 7 different days is considered unavailable (``DeliveryFailureTracker::FAILURE_DAYS_THRESHOLD``) and is
skipped until something is heard from it again.
"""

from collections.abc import Iterable
from datetime import date

__all__ = [
    "FAILURE_DAYS_THRESHOLD",
    "MAX_ATTEMPTS",
    "PERMANENT_STATUSES",
    "is_permanent_failure",
    "is_unavailable",
    "retry_delay",
    "total_schedule",
]

MAX_ATTEMPTS = 17  # the first attempt and 16 retries
FAILURE_DAYS_THRESHOLD = 7
# Answers that no retry can change: the inbox or its owner is gone (Mastodon treats these the same).
PERMANENT_STATUSES = frozenset({404, 410})


def retry_delay(failures: int, jitter: float, scale: float = 1.0) -> float:
    """Seconds to wait after the ``failures``-th failure (1-based); ``jitter`` in [0, 1)."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    if not 0.0 <= jitter < 1.0:
        raise ValueError("jitter must be in [0, 1)")
    return (failures**4 + 15 + int(jitter * 10) * (failures + 1)) * scale


def is_permanent_failure(status: int) -> bool:
    """Whether an HTTP answer means the delivery can never succeed."""
    return status in PERMANENT_STATUSES


def is_unavailable(failure_days: Iterable[date]) -> bool:
    """Whether a host failed on enough different days to be skipped."""
    return len(set(failure_days)) >= FAILURE_DAYS_THRESHOLD


def total_schedule(scale: float = 1.0) -> float:
    """Seconds from the first attempt to the last retry, without jitter (about 2.5 days)."""
    return sum(retry_delay(n, 0.0, scale) for n in range(1, MAX_ATTEMPTS))
