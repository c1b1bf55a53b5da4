"""The directory's SQL: the received profiles its index is built from (the index itself is in memory)."""

from dsi4bcn.storage.database import Database

__all__ = ["received_for_directory"]


async def received_for_directory(database: Database, after: str, limit: int) -> list[tuple[str, str, str]]:
    """``(actor, peer, ntriples)`` of up to ``limit`` live received profiles whose actors sort after ``after``."""
    rows = await database.all(
        "SELECT actor, peer, ntriples FROM remote_profiles WHERE deleted IS NULL AND actor > ? ORDER BY actor LIMIT ?",
        (after, limit),
    )
    return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]
