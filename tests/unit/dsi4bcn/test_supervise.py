"""A failing loop is restarted and its failure recorded; stopped tasks do not raise (``dsi4bcn.supervise``)."""

import asyncio
import itertools

from dsi4bcn.supervise import LoopHealth, stop_tasks, supervised, wait_for_event


async def test_a_failing_loop_is_restarted_and_its_failure_recorded() -> None:
    runs = 0
    finished = asyncio.Event()

    async def loop() -> None:
        nonlocal runs
        runs += 1
        if runs < 3:
            raise RuntimeError(f"failure {runs}")
        finished.set()
        await asyncio.Event().wait()

    health = LoopHealth("test")
    task = asyncio.create_task(supervised("test", loop, health=health, first_pause=0.01))
    await asyncio.wait_for(finished.wait(), 5)
    await stop_tasks([task])
    assert runs == 3
    assert health.as_json() == {"name": "test", "restarts": 2, "lastError": "RuntimeError: failure 2"}


async def test_a_one_off_job_ends_once_it_succeeds() -> None:
    calls = 0

    async def job() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("first try")

    await asyncio.wait_for(supervised("job", job, first_pause=0.01, until_done=True), 5)
    assert calls == 2


async def test_stopping_a_task_that_had_failed_does_not_raise() -> None:
    async def fails() -> None:
        raise RuntimeError("dead")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    await stop_tasks([task, None])  # logged, not raised into the shutdown


async def test_the_pause_between_restarts_grows() -> None:
    moments: list[float] = []
    fourth = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def failing() -> None:
        moments.append(loop.time())
        if len(moments) == 4:
            fourth.set()
        raise RuntimeError("again")

    task = asyncio.create_task(supervised("growing", failing, first_pause=0.05))
    await asyncio.wait_for(fourth.wait(), 5)
    await stop_tasks([task])
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
    # A pause is never shorter than planned (a busy machine only makes it longer): 0.05, 0.1, 0.2 s.
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2, gaps


async def test_a_loop_waiting_for_its_wake_event_stops_when_cancelled_as_it_is_poked() -> None:
    # Given loops that wait for their wake event, as the node's background loops do
    async def loop(wake: asyncio.Event) -> None:
        while True:
            wake.clear()
            await wait_for_event(wake, 2.0)

    for _ in range(50):
        wake = asyncio.Event()
        task = asyncio.create_task(loop(wake))
        await asyncio.sleep(0.001)
        # When one is poked and cancelled in the same turn of the event loop (a node stopping)
        wake.set()
        await asyncio.sleep(0)
        task.cancel()
        # Then it stops (asyncio.wait_for on Python 3.11 returned here, and the loop ran on)
        done, _ = await asyncio.wait({task}, timeout=1.0)
        assert done == {task} and task.cancelled()


async def test_waiting_for_an_event_says_whether_it_was_set() -> None:
    event = asyncio.Event()
    assert await wait_for_event(event, 0.01) is False
    event.set()
    assert await wait_for_event(event, 0.01) is True
