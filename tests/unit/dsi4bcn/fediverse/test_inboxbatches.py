"""Many inbox requests, one transaction: one bad row fails only its own request (``fediverse.inboxbatches``)."""

import asyncio
from collections.abc import Sequence

from dsi4bcn.fediverse.inboxbatches import BatchWriter


async def test_one_bad_row_fails_only_its_own_request() -> None:
    stored: list[str] = []

    async def write(rows: Sequence[tuple[str, str, str, str]]) -> list[bool]:
        if any("bad" in row[0] for row in rows):
            raise UnicodeEncodeError("utf-8", "bad", 0, 1, "surrogates not allowed")
        stored.extend(row[0] for row in rows)
        return [True] * len(rows)

    writer = BatchWriter(write)
    writer.start()
    try:
        ids = [f"id-{number}" for number in range(20)] + ["bad"]
        results = await asyncio.gather(*(writer.submit((i, "a", "{}", "k")) for i in ids), return_exceptions=True)
    finally:
        await writer.stop()
    assert results[:20] == [True] * 20
    assert isinstance(results[20], UnicodeEncodeError)
    assert sorted(stored) == sorted(ids[:20])
