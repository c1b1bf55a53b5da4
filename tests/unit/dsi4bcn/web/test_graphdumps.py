"""Dumps of the whole graph: made once per graph version, one at a time, with a bounded line of waiters."""

import asyncio
from pathlib import Path

import pytest

from dsi4bcn.web.graphdumps import DumpsBusy, GraphDumps


class Maker:
    """Writes ``dump N`` into the file; waits for ``gate`` first if given."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.calls = 0
        self.gate = gate

    async def __call__(self, path: Path, media_type: str) -> Path:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.to_thread(path.write_text, f"dump {self.calls} {media_type}")
        return path


async def _read(dumps: GraphDumps, key: object, make: Maker, media_type: str = "application/n-quads") -> bytes:
    async with dumps.open(media_type, key, make) as handle:
        return handle.read()


async def test_a_dump_is_made_once_per_graph_version_and_format(tmp_path: Path) -> None:
    dumps, make = GraphDumps(tmp_path / "dumps"), Maker()
    assert await _read(dumps, 7, make) == b"dump 1 application/n-quads"
    assert await _read(dumps, 7, make) == b"dump 1 application/n-quads"  # kept
    assert await _read(dumps, 7, make, "application/trig") == b"dump 2 application/trig"
    assert await _read(dumps, 8, make) == b"dump 3 application/n-quads"  # the graph changed
    assert make.calls == 3
    assert len(list((tmp_path / "dumps").iterdir())) == 2  # the replaced one is gone


async def test_a_replaced_dump_can_still_be_sent_to_whoever_has_it_open(tmp_path: Path) -> None:
    dumps, make = GraphDumps(tmp_path / "dumps"), Maker()
    async with dumps.open("application/n-quads", 1, make) as sending:
        assert await _read(dumps, 2, make) == b"dump 2 application/n-quads"
        assert sending.read() == b"dump 1 application/n-quads"


async def test_downloads_wait_for_the_dump_being_made_and_too_many_are_refused(tmp_path: Path) -> None:
    gate = asyncio.Event()
    dumps, make = GraphDumps(tmp_path / "dumps", waiting=2), Maker(gate)
    first = asyncio.ensure_future(_read(dumps, 1, make))
    await asyncio.sleep(0.01)
    waiting = [asyncio.ensure_future(_read(dumps, 1, make)) for _ in range(2)]
    await asyncio.sleep(0.01)
    with pytest.raises(DumpsBusy):
        await _read(dumps, 1, make)
    gate.set()
    assert await asyncio.gather(first, *waiting) == [b"dump 1 application/n-quads"] * 3
    assert make.calls == 1


async def test_a_failed_dump_leaves_no_file_and_the_next_request_tries_again(tmp_path: Path) -> None:
    dumps = GraphDumps(tmp_path / "dumps")

    async def failing(path: Path, media_type: str) -> None:
        await asyncio.to_thread(path.write_text, "half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await _read(dumps, 1, failing)  # type: ignore[arg-type]
    assert list((tmp_path / "dumps").iterdir()) == []
    assert await _read(dumps, 1, Maker()) == b"dump 1 application/n-quads"


def test_dumps_left_by_a_stopped_node_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "graph-x.dump").write_text("old")
    (folder / "notes.txt").write_text("not ours")
    GraphDumps(folder)
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
