"""Upgrades from the schema of earlier releases: each database in tests/fixtures/schemas/ (made by
scripts/build_schema_fixture.py at a release's last migration, docs/operating.md) is brought to this
program's schema with nothing lost, and a node starts on it and serves its profiles with their keys. A
database newer than this program is refused in one clear line, untouched."""

import asyncio
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsi4bcn.storage.database import SCHEMA_VERSION, DatabaseError, migrations, open_database
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, fetch
from tests.support.nodes import Node, start_node

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "schemas").glob("schema-*.sqlite3"))
BASE_URL = "https://old-release.example"  # where the fixtures' profiles live (scripts/build_schema_fixture.py)


def _version(path: Path) -> int:
    return int(path.name.removeprefix("schema-").removesuffix(".sqlite3"))


def _read(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _tables(path: Path) -> dict[str, list[str]]:
    """Each table and its columns."""
    names = [row[0] for row in _read(path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        name: [str(row[1]) for row in _read(path, f"PRAGMA table_info({name})")]
        for name in names
        if not name.startswith("sqlite_")
    }


def _upgrade(fixture: Path, folder: Path) -> Path:
    copy = folder / "dsi4bcn.sqlite3"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fixture, copy)

    async def run() -> None:
        await (await open_database(copy)).close()

    asyncio.run(run())
    return copy


def test_there_is_a_fixture_of_the_previous_release() -> None:
    assert 9 in [_version(path) for path in FIXTURES]  # the release before issue 13's calls (0010-0012)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_a_release_s_schema_is_what_its_migrations_still_make(fixture: Path, tmp_path: Path) -> None:
    """Released migrations never change: applied today up to the release's number, they make its schema."""
    made = tmp_path / "made.sqlite3"
    connection = sqlite3.connect(made, isolation_level=None)
    for number, _name, sql in migrations()[: _version(fixture)]:
        connection.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    connection.close()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    assert _read(made, schema) == _read(fixture, schema)
    assert _read(fixture, "PRAGMA user_version") == [(_version(fixture),)]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.stem)
def test_an_upgrade_keeps_every_row_of_every_table(fixture: Path, tmp_path: Path) -> None:
    before = _tables(fixture)
    assert all(_read(fixture, f"SELECT count(*) FROM {table}")[0][0] > 0 for table in before), "an empty table"
    upgraded = _upgrade(fixture, tmp_path / "data")
    assert _read(upgraded, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    after = _tables(upgraded)
    for table, columns in before.items():
        assert set(columns) <= set(after[table]), table
        chosen = ", ".join(columns)
        rows = f"SELECT {chosen} FROM {table} ORDER BY {chosen}"
        assert _read(upgraded, rows) == _read(fixture, rows), table
    assert _read(upgraded, "PRAGMA integrity_check") == [("ok",)]
    assert _read(upgraded, "PRAGMA foreign_key_check") == []
    keys = "SELECT slug, private_key_pem, public_key_pem FROM actors ORDER BY slug"
    assert _read(upgraded, keys) == _read(fixture, keys) and len(_read(fixture, keys)) == 2


@pytest.fixture(scope="module")
def old_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Path]]:
    """A node started on the previous release's database, upgraded as it opens it."""
    folder = tmp_path_factory.mktemp("upgrade") / "data"
    fixture = next(path for path in FIXTURES if _version(path) == 9)
    folder.mkdir()
    shutil.copyfile(fixture, folder / "dsi4bcn.sqlite3")
    node = start_node(folder, extra_args=["--base-url", BASE_URL])
    yield node, fixture
    node.stop()


def _actor(node: Node, path: str) -> dict[str, object]:
    answer = fetch(f"http://127.0.0.1:{node.port}/{path}", headers={"Accept": "application/activity+json"})
    assert answer.status == 200, answer.body[:300]
    document: dict[str, object] = answer.json()
    return document


def test_a_node_on_the_previous_release_s_database_serves_its_profiles_with_their_keys(
    old_node: tuple[Node, Path],
) -> None:
    node, fixture = old_node
    local = f"http://127.0.0.1:{node.port}"
    for slug, kind, public_key in _read(fixture, "SELECT slug, kind, public_key_pem FROM actors"):
        document = _actor(node, f"{kind}s/{slug}")
        assert document["id"] == f"{BASE_URL}/{kind}s/{slug}"
        assert document["publicKey"] == {  # type: ignore[comparison-overlap]
            "id": f"{BASE_URL}/{kind}s/{slug}#main-key",
            "owner": f"{BASE_URL}/{kind}s/{slug}",
            "publicKeyPem": public_key,
        }
    instance_key = _read(fixture, "SELECT value FROM node_settings WHERE name = 'instance_public_key_pem'")[0][0]
    assert _actor(node, "actor")["publicKey"]["publicKeyPem"] == instance_key  # type: ignore[index]
    assert _actor(node, "organisations/ateneu-clot")["name"] == "Ateneu del Clot"
    listed = api(local, node.token, "GET", "/api/projects").json()
    assert [item["slug"] for item in listed] == ["taller-obert"]
    followers = fetch(f"{local}/projects/taller-obert/followers", headers={"Accept": "application/activity+json"})
    assert followers.json()["totalItems"] == 1
    note_id = _read(fixture, "SELECT id FROM notes")[0][0]
    note = fetch(f"{local}{str(note_id).removeprefix(BASE_URL)}", headers={"Accept": "application/activity+json"})
    assert note.status == 200 and "Obrim dijous!" in note.body.decode()
    # the received profile and the uploaded logo are still served
    directory = fetch(f"{local}/api/directory?source=peer.example").json()
    assert [entry["id"] for entry in directory["results"]] == ["https://peer.example/organisations/fabrica-oberta"]
    sha, data = _read(fixture, "SELECT sha256, bytes FROM media WHERE source = 'upload'")[0]
    logo = fetch(f"{local}/media/{sha}.png")
    assert logo.status == 200 and hashlib.sha256(logo.body).hexdigest() == sha == hashlib.sha256(data).hexdigest()


def test_a_database_newer_than_this_program_is_refused_clearly_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    newer = _upgrade(FIXTURES[-1], folder)
    connection = sqlite3.connect(newer)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = newer.read_bytes()

    async def opening() -> None:
        await open_database(newer)

    with pytest.raises(DatabaseError, match=f"schema version {SCHEMA_VERSION + 1}, newer than this program's"):
        asyncio.run(opening())
    started = run_dsi4bcn(
        ["serve", "--data-dir", str(folder), "--port", "1"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("DSI4BCN_", "LC_", "LANG"))}, "LANG": "en"},
    )
    assert started.returncode == 1
    assert started.stderr.strip().count("\n") == 0 and "newer than this program's" in started.stderr
    assert "a newer dsi4bcn wrote it" in started.stderr
    assert newer.read_bytes() == before
