"""The network's growth in SQL: live profiles counted by the month they appeared (local and received)."""

from dsi4bcn.storage.database import Database

__all__ = ["monthly_counts"]

_MONTHLY = (
    "SELECT month, SUM(local), SUM(received) FROM ("
    " SELECT substr(published, 1, 7) AS month, 1 AS local, 0 AS received FROM actors"
    " WHERE deleted IS NULL AND coalesce(json_extract(profile, '$.indexable'), 1) != 0"
    " UNION ALL"
    " SELECT substr(received, 1, 7), 0, 1 FROM remote_profiles WHERE deleted IS NULL"
    ") GROUP BY month ORDER BY month"
)


async def monthly_counts(database: Database) -> list[tuple[str, int, int]]:
    """``(month, local, received)`` for each month (``YYYY-MM``) in which live profiles appeared, oldest
    first: local actors by their creation time (not those marked ``indexable: false``), received profiles
    by the time this node stored them."""
    rows = await database.all(_MONTHLY, ())
    return [(str(row[0]), int(row[1]), int(row[2])) for row in rows]
