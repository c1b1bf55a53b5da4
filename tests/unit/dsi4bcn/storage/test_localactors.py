"""The profile store on a real SQLite file: writes, conflicts, tombstones, restarts, migrations."""

from pathlib import Path

import pytest

from dsi4bcn.storage.database import SCHEMA_VERSION, Database, DatabaseError, open_database
from dsi4bcn.storage.localactors import Conflict, ProfileStore

ORG = {"nameMap": {"ca": "Ateneu"}, "sectors": ["sector:civil-society"]}
PROJECT = {"nameMap": {"ca": "Taller"}, "areas": ["area:maker"], "projectStatus": "status:active"}


async def test_put_get_list_delete_and_restart(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    connection = await open_database(path)
    store = ProfileStore(Database(connection))
    instance = await store.instance()
    organisation, created = await store.put("organisation", "ateneu", ORG, None)
    assert created and organisation.published == organisation.updated
    project, created = await store.put("project", "taller", PROJECT, "ateneu")
    assert created and project.organisation == "ateneu"
    same, created = await store.put("project", "taller", PROJECT, "ateneu")
    assert not created and same.updated == project.updated
    generation = store.generation
    assert [r.slug for r in await store.list("project", organisation="ateneu")] == ["taller"]
    with pytest.raises(Conflict) as taken:
        await store.put("organisation", "taller", ORG, None)
    assert taken.value.code == "slug_taken"
    with pytest.raises(Conflict) as busy:
        await store.delete("organisation", "ateneu")
    assert busy.value.code == "has_projects"
    assert store.generation == generation
    deleted = await store.delete("project", "taller")
    assert deleted is not None and deleted.deleted
    assert await store.delete("project", "taller") is None
    with pytest.raises(Conflict) as reused:
        await store.put("project", "taller", PROJECT, "ateneu")
    assert reused.value.code == "slug_deleted"
    await connection.close()

    connection = await open_database(path)
    store = ProfileStore(Database(connection))
    again = await store.instance()
    assert again == instance
    kept = await store.get("ateneu")
    assert kept is not None and kept.public_key_pem == organisation.public_key_pem
    assert (await store.get("taller")).deleted  # type: ignore[union-attr]
    async with connection.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"  # type: ignore[index]
    async with connection.execute("PRAGMA user_version") as cursor:
        assert (await cursor.fetchone())[0] == SCHEMA_VERSION  # type: ignore[index]
    await connection.close()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    connection = await open_database(path)
    await connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    await connection.close()
    with pytest.raises(DatabaseError, match="newer"):
        await open_database(path)


async def test_a_project_must_have_an_organisation_in_the_database(tmp_path: Path) -> None:
    connection = await open_database(tmp_path / "db.sqlite3")
    store = ProfileStore(Database(connection))
    with pytest.raises(Exception, match=r"FOREIGN KEY|CHECK"):
        await store.put("project", "orphan", PROJECT, "nobody")
    assert await store.get("orphan") is None
    await connection.close()


async def test_an_edit_in_the_same_second_still_moves_updated_forward(tmp_path: Path) -> None:
    # Peers keep the newer version and treat an equal `updated` as the copy they hold: two edits within
    # one second must not share it, or the second never reaches them.
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    store = ProfileStore(database)
    fields = {"nameMap": {"ca": "Coop"}, "sectors": ["sector:industry"]}
    first, _ = await store.put("organisation", "coop", fields, None)
    second, _ = await store.put("organisation", "coop", {**fields, "nameMap": {"ca": "Coop 2"}}, None)
    third, _ = await store.put("organisation", "coop", {**fields, "nameMap": {"ca": "Coop 3"}}, None)
    assert first.updated < second.updated < third.updated
    gone = await store.delete("organisation", "coop")
    assert gone is not None and gone.updated > third.updated
    await database.close()
