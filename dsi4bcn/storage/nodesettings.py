"""Named node settings (table ``node_settings``): each a text value, read and replaced whole."""

from dsi4bcn.storage.database import Database

__all__ = ["NodeSettings"]


class NodeSettings:
    """Reads and writes of one named setting at a time; a write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def read(self, name: str) -> str | None:
        """The value of setting ``name``, or None if it was never written."""
        row = await self.db.one("SELECT value FROM node_settings WHERE name = ?", (name,))
        return str(row[0]) if row else None

    async def write(self, name: str, value: str) -> None:
        """Set ``name`` to ``value``, replacing any value it had."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO node_settings (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
