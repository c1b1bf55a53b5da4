"""The database's quick reads in the caller's thread: what was committed, never what is still being written,
and through the node's connection when there is no file to read from."""

from pathlib import Path

import pytest

from dsi4bcn.storage.database import Database, open_database


async def test_a_quick_read_sees_what_was_committed_and_not_what_is_being_written(database: Database) -> None:
    async with database.transaction() as connection:
        await connection.execute("INSERT INTO node_settings (name, value) VALUES ('identity', '{}')")
    query = "SELECT name FROM node_settings WHERE name = ?"
    assert [row["name"] for row in await database.read_here(query, ["identity"])] == ["identity"]
    async with database.transaction() as connection:
        await connection.execute("DELETE FROM node_settings")
        assert await database.all(query, ["identity"]) == []  # the writer's own connection sees its change
        assert len(await database.read_here(query, ["identity"])) == 1  # the reader, the last commit
    assert await database.read_here(query, ["identity"]) == []


async def test_the_quick_reader_cannot_write(database: Database) -> None:
    with pytest.raises(Exception, match=r"readonly|read-only"):
        await database.read_here("INSERT INTO node_settings (name, value) VALUES ('x', '{}')")


async def test_without_a_path_a_quick_read_goes_through_the_connection(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        assert [row[0] for row in await database.read_here("SELECT 1 + 1")] == [2]
    finally:
        await database.close()
