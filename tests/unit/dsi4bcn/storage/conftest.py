"""A fresh, migrated SQLite database in a temporary folder for each storage test."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dsi4bcn.storage.database import Database, open_database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """The node's database, opened (and migrated) as the node opens it, closed after the test."""
    path = tmp_path / "db.sqlite3"
    database = Database(await open_database(path), path)
    yield database
    await database.close()
