"""The directory service: loaded from SQLite (local and received profiles, each with its source), refreshed
after graph writes; deleted, erased and non-indexable profiles leave it."""

from pathlib import Path
from typing import Any

from dsi4bcn.config import load_config
from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.directory.query import DirectoryQuery
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.localactors import ProfileStore

PEER = "https://peer.example"
PEM = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n-----END PUBLIC KEY-----\n"
)
STAMP = "2026-01-02T03:04:05Z"
LATER = "2026-02-03T04:05:06Z"
PROJECT = {"areas": ["area:maker"], "projectStatus": "status:active"}


def _document(
    kind: str, slug: str, organisation: str | None, fields: dict[str, Any], updated: str = STAMP
) -> dict[str, Any]:
    record = ActorRecord(kind, slug, organisation, fields, PEM, STAMP, updated)  # type: ignore[arg-type]
    return render_actor(record, base_url=PEER, authority="peer.example", language="ca")


async def test_load_and_refresh(tmp_path: Path) -> None:
    config = load_config(data_dir=str(tmp_path / "node"), environ={})
    database = Database(await open_database(config.database_path))
    store = ProfileStore(database)
    documents = [
        _document("organisation", "coop", None, {"nameMap": {"ca": "Coop"}, "sectors": ["sector:industry"]}),
        _document(
            "project",
            "printers",
            "coop",
            {
                "nameMap": {"ca": "Impressores"},
                "summaryMap": {"es": "Impresión 3D"},
                "basedIn": "neighbourhood:68",
                **PROJECT,
            },
        ),
        _document("project", "gone", "coop", {"nameMap": {"ca": "Gone"}, **PROJECT}),
    ]
    ingestor = Ingestor(database, lambda: None)
    assert await ingestor.ingest_many(documents, peer=f"{PEER}/actor") == ["ingested"] * 3
    await ingestor.erase(f"{PEER}/projects/gone", peer=f"{PEER}/actor")

    service = DirectoryService(config, database, store)
    await service.refresh([f"{PEER}/projects/gone"])  # written while loading: read again after the load
    await service.load()
    assert service.ready.is_set()
    answer = service.search(DirectoryQuery(text="impresion"), "ca")
    [entry] = answer.entries
    assert entry.id == f"{PEER}/projects/printers" and entry.source == "peer.example" and not entry.local
    assert entry.concepts["sector"] == frozenset({"industry"})  # inherited from its organisation
    assert entry.concepts["district"] == frozenset({"10"})  # from its neighbourhood
    assert service.index.get(f"{PEER}/projects/gone") is None
    # a project names its organisation; the organisation's projects are those the directory holds
    assert service.entry(f"{PEER}/organisations/coop") is not None and service.entry(f"{PEER}/nobody") is None
    assert entry.organisation == f"{PEER}/organisations/coop"
    assert service.projects_of(f"{PEER}/organisations/coop") == [entry]
    assert service.projects_of(f"{PEER}/projects/printers") == []

    # A local profile written after the load arrives with the graph's refresh; not indexable or deleted,
    # it leaves; an erased received profile leaves too
    local = f"{config.base_url}/organisations/taller"
    await store.put("organisation", "taller", {"nameMap": {"ca": "Taller local"}}, None)
    await service.refresh([local])
    [mine] = service.search(DirectoryQuery(text="taller local"), "ca").entries
    assert mine.id == local and mine.local and mine.source == config.authority
    await store.put("organisation", "taller", {"nameMap": {"ca": "Taller local"}, "indexable": False}, None)
    await service.refresh([local])
    assert service.index.get(local) is None
    await store.put("organisation", "taller", {"nameMap": {"ca": "Taller local"}}, None)
    await service.refresh([local])
    assert service.index.get(local) is not None
    await store.delete("organisation", "taller")
    await service.refresh([local])
    assert service.index.get(local) is None
    await ingestor.erase(f"{PEER}/projects/printers", peer=f"{PEER}/actor")
    await service.refresh([f"{PEER}/projects/printers"])
    assert service.search(DirectoryQuery(text="impresion"), "ca").total == 0
    await database.close()


async def _answers(service: DirectoryService) -> list[tuple[int, list[str], Any]]:
    queries = [
        DirectoryQuery(),
        DirectoryQuery(text="impresion", sort="relevance"),
        DirectoryQuery(filters={"sector": frozenset({"industry"})}, sort="updated"),
        DirectoryQuery(text="taller"),
    ]
    answers = [service.search(query, "ca") for query in queries]
    return [(answer.total, [entry.id for entry in answer.entries], answer.facets) for answer in answers]


async def test_a_restart_reads_the_saved_index_and_catches_up(tmp_path: Path) -> None:
    config = load_config(data_dir=str(tmp_path / "node"), environ={})
    database = Database(await open_database(config.database_path))
    store = ProfileStore(database)
    ingestor = Ingestor(database, lambda: None)
    organisation = _document("organisation", "coop", None, {"nameMap": {"ca": "Coop"}, "sectors": ["sector:industry"]})
    projects = [
        _document("project", f"p{n}", "coop", {"nameMap": {"ca": f"Impressió {n}"}, **PROJECT}) for n in range(30)
    ]
    await ingestor.ingest_many([organisation, *projects], peer=f"{PEER}/actor")
    await store.put("organisation", "taller", {"nameMap": {"ca": "Taller local"}}, None)

    first = DirectoryService(config, database, store)
    await first.load()
    assert first.loaded_from == "database" and first.snapshot_path.exists()
    before = await _answers(first)
    second = DirectoryService(config, database, store)
    await second.load()
    assert second.loaded_from == "snapshot"
    assert await _answers(second) == before

    # While "down": a received profile changes, one is erased, one arrives, the organisation changes its
    # sector (its projects with it), and a local profile changes without any graph version
    assert (
        await ingestor.ingest_many(
            [
                _document("project", "p1", "coop", {"nameMap": {"ca": "Taller de barri"}, **PROJECT}, LATER),
                _document("project", "new", "coop", {"nameMap": {"ca": "Impressió nova"}, **PROJECT}),
                _document(
                    "organisation", "coop", None, {"nameMap": {"ca": "Coop"}, "sectors": ["sector:academia"]}, LATER
                ),
            ],
            peer=f"{PEER}/actor",
        )
        == ["ingested"] * 3
    )
    await ingestor.erase(f"{PEER}/projects/p2", peer=f"{PEER}/actor")
    await store.put("organisation", "taller", {"nameMap": {"ca": "Taller renovat"}}, None)
    third = DirectoryService(config, database, store)
    await third.load()
    assert third.loaded_from == "snapshot"
    config.data_dir.joinpath("directory-index.npz").unlink()
    fresh = DirectoryService(config, database, store)
    await fresh.load()
    assert fresh.loaded_from == "database"
    assert await _answers(third) == await _answers(fresh) != before
    assert third.search(DirectoryQuery(text="renovat"), "ca").total == 1
    assert third.search(DirectoryQuery(text="barri"), "ca").total == 1
    assert third.index.get(f"{PEER}/projects/p2") is None
    assert third.search(DirectoryQuery(filters={"sector": frozenset({"industry"})}), "ca").total == 0
    assert third.search(DirectoryQuery(filters={"sector": frozenset({"academia"})}), "ca").total == 31

    # A damaged snapshot: the index is built from the database, and saved whole again
    config.data_dir.joinpath("directory-index.npz").write_bytes(b"PK\x03\x04 not a snapshot")
    fourth = DirectoryService(config, database, store)
    await fourth.load()
    assert fourth.loaded_from == "database"
    assert await _answers(fourth) == await _answers(fresh)
    fifth = DirectoryService(config, database, store)
    await fifth.load()
    assert fifth.loaded_from == "snapshot"
    await database.close()
