"""The network's growth in SQL: live profiles counted by the month they appeared (local and received).

A received profile appeared when its origin says it was created (its actor's ``published``), if that is a
plausible date (a well-formed ``YYYY-MM`` no later than the day this node received it); otherwise when this
node first stored it (``first_received``, which later updates do not move).
"""

from dsi4bcn.storage.database import Database

__all__ = ["monthly_counts"]

_MONTHLY = (
    "SELECT month, SUM(local), SUM(received) FROM ("
    " SELECT substr(published, 1, 7) AS month, 1 AS local, 0 AS received FROM actors"
    " WHERE deleted IS NULL AND coalesce(json_extract(profile, '$.indexable'), 1) != 0"
    " UNION ALL"
    " SELECT CASE WHEN json_valid(document) AND json_type(document, '$.published') = 'text'"
    " AND json_extract(document, '$.published') GLOB '[12][0-9][0-9][0-9]-[01][0-9]*'"
    " AND substr(json_extract(document, '$.published'), 1, 10) <= substr(received, 1, 10)"
    " THEN substr(json_extract(document, '$.published'), 1, 7)"
    " ELSE substr(coalesce(first_received, received), 1, 7) END, 0, 1"
    " FROM remote_profiles WHERE deleted IS NULL"
    ") GROUP BY month ORDER BY month"
)


async def monthly_counts(database: Database) -> list[tuple[str, int, int]]:
    """``(month, local, received)`` for each month (``YYYY-MM``) in which live profiles appeared, oldest
    first: local actors by their creation time (not those marked ``indexable: false``), received profiles
    by their origin's creation date, else by the time this node first stored them."""
    rows = await database.all(_MONTHLY, ())
    return [(str(row[0]), int(row[1]), int(row[2])) for row in rows]
