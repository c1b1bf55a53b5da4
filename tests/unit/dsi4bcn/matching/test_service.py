"""The matcher's start-up load: received profiles read a page at a time, sectors inherited, deletions left out;
its calls for collaboration."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dsi4bcn.config import load_config
from dsi4bcn.fediverse.ingest import Ingestor
from dsi4bcn.matching import service as matcher_module
from dsi4bcn.matching.callmodel import CallFeatures
from dsi4bcn.matching.service import Matcher
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


def _document(kind: str, slug: str, organisation: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    record = ActorRecord(kind, slug, organisation, fields, PEM, STAMP, STAMP)  # type: ignore[arg-type]
    return render_actor(record, base_url=PEER, authority="peer.example", language="ca")


async def test_received_profiles_load_in_pages_with_inherited_sectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matcher_module, "_LOAD_PAGE", 3)  # several pages from a handful of profiles
    config = load_config(data_dir=str(tmp_path / "node"), environ={})
    database = Database(await open_database(config.database_path))
    documents = [_document("organisation", "coop", None, {"nameMap": {"ca": "Coop"}, "sectors": ["sector:industry"]})]
    for number in range(7):
        fields = {
            "nameMap": {"ca": f"Projecte {number}"},
            "areas": ["area:maker"],
            "needs": ["skill:web-development"],
            "projectStatus": "status:active",
        }
        documents.append(_document("project", f"p{number}", "coop", fields))
    assert await Ingestor(database, lambda: None).ingest_many(documents, peer=f"{PEER}/actor") == ["ingested"] * 8
    await Ingestor(database, lambda: None).erase(f"{PEER}/projects/p6", peer=f"{PEER}/actor")

    matcher = Matcher(config, database, ProfileStore(database))
    await matcher.load()
    assert matcher.ready.is_set()
    loaded = matcher.index.profiles
    assert sorted(loaded) == sorted([f"{PEER}/organisations/coop"] + [f"{PEER}/projects/p{n}" for n in range(6)])
    industry = "https://w3id.org/dsi4bcn/sector/industry"
    assert all(loaded[f"{PEER}/projects/p{n}"].sectors == frozenset({industry}) for n in range(6))
    asker = loaded[f"{PEER}/projects/p0"]
    answer = await matcher.suggest(asker, limit=10, weights=None, include_own=True, language="en")
    # the five sibling projects; their organisation (no area, need or offer in common) is no partner
    assert [item["partner"] for item in answer["results"]] == [f"{PEER}/projects/p{n}" for n in range(1, 6)]
    await database.close()


async def test_calls_are_loaded_upserted_matched_offered_and_removed(tmp_path: Path) -> None:
    config = load_config(data_dir=str(tmp_path / "node"), environ={})
    database = Database(await open_database(config.database_path))
    try:
        documents = [
            _document("organisation", "coop", None, {"nameMap": {"ca": "Coop"}, "sectors": ["sector:industry"]}),
            _document(
                "project",
                "taller",
                "coop",
                {
                    "nameMap": {"ca": "Taller"},
                    "areas": ["area:maker"],
                    "offers": ["skill:3d-printing"],
                    "projectStatus": "status:active",
                },
            ),
            _document(
                "organisation",
                "veins",
                None,
                {"nameMap": {"ca": "Veïns"}, "sectors": ["sector:civil-society"], "needs": ["skill:3d-printing"]},
            ),
        ]
        assert await Ingestor(database, lambda: None).ingest_many(documents, peer=f"{PEER}/actor") == ["ingested"] * 3
        matcher = Matcher(config, database, ProfileStore(database))
        await matcher.load()
        printing = frozenset({"https://w3id.org/dsi4bcn/skill/3d-printing"})
        request = CallFeatures(f"{PEER}/calls/fira", f"{PEER}/organisations/veins", "request", printing)
        offer = CallFeatures(
            f"{PEER}/calls/obert", f"{PEER}/projects/taller", "offer", printing, ends="2026-12-20T00:00:00Z"
        )
        matcher.load_calls([offer])
        assert matcher.call(offer.id) is not None
        assert matcher.call(offer.id).organisation == f"{PEER}/organisations/coop"  # type: ignore[union-attr]
        assert matcher.call(offer.id).sectors == frozenset({"https://w3id.org/dsi4bcn/sector/industry"})  # type: ignore[union-attr]
        now = datetime(2026, 12, 1, tzinfo=UTC)
        answer = await matcher.match_call(request, limit=5, now=now, language="ca")
        assert [(item["candidate"], item["kind"]) for item in answer or []] == [
            (offer.id, "call"),
            (f"{PEER}/projects/taller", "project"),
        ]
        assert await matcher.match_call(request.id, limit=5, now=now, language="ca") is None  # not held yet
        matcher.upsert_call(request)
        answer = await matcher.match_call(offer.id, limit=5, now=now, language="ca")
        assert [item["candidate"] for item in answer or []] == [request.id, f"{PEER}/organisations/veins"]
        offered = await matcher.calls_for_profile(f"{PEER}/organisations/veins", limit=5, now=now, language="ca")
        assert [item["candidate"] for item in offered or []] == [offer.id]
        later = datetime(2026, 12, 21, tzinfo=UTC)
        assert await matcher.calls_for_profile(f"{PEER}/organisations/veins", limit=5, now=later, language="ca") == []
        assert await matcher.calls_for_profile(f"{PEER}/projects/nobody", limit=5, now=now, language="ca") is None
        matcher.remove_call(offer.id)
        assert await matcher.calls_for_profile(f"{PEER}/organisations/veins", limit=5, now=now, language="ca") == []
    finally:
        await database.close()
