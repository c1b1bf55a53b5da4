"""Per-client query slots: a burst waits its turn in a short line; a client past its line gets refused."""

import asyncio

import pytest

from dsi4bcn.web.queryslots import ClientSlots, SlotRefused


async def _hold(slots: ClientSlots, client: str, release: asyncio.Event, order: list[int], index: int) -> None:
    async with slots.slot(client):
        order.append(index)
        await release.wait()


async def test_a_burst_waits_in_line_first_come_first_served() -> None:
    slots = ClientSlots(running=2, waiting=4, wait=5.0)
    release = asyncio.Event()
    order: list[int] = []
    tasks = [asyncio.create_task(_hold(slots, "a", release, order, index)) for index in range(6)]
    await asyncio.sleep(0.01)
    assert order == [0, 1] and slots.in_use("a") == (2, 4)
    release.set()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4, 5] and slots.in_use("a") == (0, 0)


async def test_past_its_line_a_client_is_refused_while_others_are_not() -> None:
    slots = ClientSlots(running=1, waiting=1, wait=5.0)
    release = asyncio.Event()
    order: list[int] = []
    tasks = [asyncio.create_task(_hold(slots, "a", release, order, index)) for index in range(2)]
    await asyncio.sleep(0.01)
    with pytest.raises(SlotRefused, match="too many queries"):
        async with slots.slot("a"):
            pass
    async with slots.slot("b"):  # another client has its own slots
        pass
    release.set()
    await asyncio.gather(*tasks)
    assert slots.in_use("a") == (0, 0) and slots.in_use("b") == (0, 0)


async def test_a_query_that_waits_too_long_is_refused_and_leaves_the_line() -> None:
    slots = ClientSlots(running=1, waiting=2, wait=0.05)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(slots, "a", release, [], 0))
    await asyncio.sleep(0.01)
    with pytest.raises(SlotRefused, match="waited more than"):
        async with slots.slot("a"):
            pass
    assert slots.in_use("a") == (1, 0)
    release.set()
    await holder
    assert slots.in_use("a") == (0, 0)


async def test_a_cancelled_waiter_gives_up_its_place() -> None:
    slots = ClientSlots(running=1, waiting=2, wait=5.0)
    release = asyncio.Event()
    order: list[int] = []
    holder = asyncio.create_task(_hold(slots, "a", release, order, 0))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(_hold(slots, "a", release, order, 1))
    await asyncio.sleep(0.01)
    waiter.cancel()  # e.g. the client went away
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert slots.in_use("a") == (1, 0)
    release.set()
    await holder
    assert order == [0] and slots.in_use("a") == (0, 0)
