"""Failed sign-ins: free at first, then slowed, then refused until the window moves on; bounded memory."""

from dsi4bcn.web.signinthrottle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_are_free_then_slowed_then_refused_until_they_age() -> None:
    clock = Clock()
    throttle = SignInThrottle(window=900, free=3, refuse_at=10, step=0.2, max_delay=1.0, clock=clock)
    keys = ("address 1.2.3.4", "email a@b.c")
    delays = []
    for _ in range(10):
        assert throttle.retry_after(keys) is None
        delays.append(throttle.delay(keys))
        throttle.failed(keys)
    assert delays[:3] == [0.0, 0.0, 0.0] and delays[3] > 0 and delays[-1] == 1.0
    assert throttle.retry_after(keys) == 900
    assert throttle.retry_after(["email a@b.c"]) == 900  # the account alone, from any address
    assert throttle.retry_after(["address 5.6.7.8"]) is None
    clock.now += 901
    assert throttle.retry_after(keys) is None and throttle.delay(keys) == 0.0


def test_a_success_forgets_the_account_and_memory_is_bounded() -> None:
    throttle = SignInThrottle(max_keys=3)
    throttle.failed(["email a@b.c"])
    throttle.forget("email a@b.c")
    assert throttle.delay(["email a@b.c"]) == 0.0
    for number in range(10):
        throttle.failed([f"address {number}"])
    assert len(throttle._failures) == 3
