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
PROJECT = {"areas": ["area:maker"], "projectStatus": "status:active"}


def _document(kind: str, slug: str, organisation: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    record = ActorRecord(kind, slug, organisation, fields, PEM, STAMP, STAMP)  # type: ignore[arg-type]
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
