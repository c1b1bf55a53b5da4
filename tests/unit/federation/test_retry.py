"""The delivery retry schedule, as Mastodon's, and when a host counts as unavailable (``federation.retry``)."""

from datetime import date, timedelta

import pytest

from federation.retry import (
    MAX_ATTEMPTS,
    is_permanent_failure,
    is_unavailable,
    retry_delay,
    total_schedule,
)


def test_retry_schedule_follows_mastodon() -> None:
    assert retry_delay(1, 0.0) == 16
    assert retry_delay(3, 0.0) == 96
    assert retry_delay(2, 0.95) == 16 + 15 + 9 * 3
    assert retry_delay(4, 0.0, scale=0.01) == pytest.approx(2.71)
    assert MAX_ATTEMPTS == 17
    assert 2 * 86400 < total_schedule() < 3 * 86400
    assert is_permanent_failure(410) and is_permanent_failure(404) and not is_permanent_failure(500)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(7)]
    assert is_unavailable(days) and not is_unavailable(days[:6]) and not is_unavailable(days[:1] * 7)
    with pytest.raises(ValueError, match="counts from 1"):
        retry_delay(0, 0.0)
