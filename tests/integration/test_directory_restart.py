"""A node restarted over its data folder serves the directory from the index it saved; profiles that changed
while it was down are read again, and a damaged snapshot is rebuilt: the answers are those of an index
built afresh from the database."""

import asyncio
from pathlib import Path
from typing import Any

from bench.synthetic import directory
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.storage.database import Database, open_database
from tests.support.http import api, fetch
from tests.support.nodes import Node
from tests.support.waiting import within

SNAPSHOT = "directory-index.npz"
PEER = "https://peer.example"
QUERIES = [
    "",
    "q=taller",
    "q=lab&status=active&sort=name",
    "district=1&sort=updated&per_page=50",
    "q=xarxa&kind=project&lang=en",
    "offers=hardware&area=open-data&page=2&per_page=5",
]


async def _ingest(database_path: Path, documents: list[dict[str, Any]]) -> list[str]:
    database = Database(await open_database(database_path))
    try:
        return await Ingestor(database, lambda: None).ingest_many(documents, peer=f"{PEER}/actor")
    finally:
        await database.close()


def _total(node: Node) -> int:
    answer = fetch(f"{node.base_url}/api/directory")
    return int(answer.json()["total"]) if answer.status == 200 else -1


def _answers(node: Node) -> list[Any]:
    found = []
    for query in QUERIES:
        answer = fetch(f"{node.base_url}/api/directory?{query}")
        assert answer.status == 200, query
        found.append(answer.json())
    return found


def test_a_restart_serves_the_saved_directory_and_catches_up(node_factory) -> None:
    node: Node = node_factory("saved")
    organisation = {"nameMap": {"ca": "Ateneu Taller"}, "sectors": ["sector:civil-society"]}
    assert api(node.base_url, node.token, "PUT", "/api/organisations/ateneu", organisation).status == 201
    within(10, lambda: _total(node) == 1, "the local organisation in the directory")
    node.stop()
    snapshot = node.data_dir / SNAPSHOT
    assert snapshot.exists()

    # While the node is down, 150 projects and their 30 organisations arrive (through the storage API)
    documents = list(directory(150, origin=PEER))
    assert asyncio.run(_ingest(node.database, documents)) == ["ingested"] * len(documents)
    node.start()
    within(60, lambda: _total(node) == 1 + len(documents), "the profiles received while down")
    log = node.log()
    assert f"entries from {snapshot}" in log
    assert "graphs changed since the snapshot" in log
    caught_up = _answers(node)

    # The same answers from an index built from the database alone
    node.stop()
    snapshot.unlink()
    node.start()
    within(60, lambda: _total(node) == 1 + len(documents), "the directory built afresh")
    assert _answers(node) == caught_up
    assert sum(answer["total"] for answer in caught_up[1:]) > 0

    # A damaged snapshot: the node starts, says so, rebuilds, and answers the same
    node.stop()
    assert snapshot.exists()
    snapshot.write_bytes(snapshot.read_bytes()[:1000])
    node.start()
    within(60, lambda: _total(node) == 1 + len(documents), "the directory rebuilt")
    assert "unreadable" in node.log()
    assert _answers(node) == caught_up
