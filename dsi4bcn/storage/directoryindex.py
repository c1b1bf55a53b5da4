"""The directory's SQL: the received profiles its index is built from (the index itself is in memory), and
the graph versions that tell a saved index which profiles changed since it was saved."""

from collections.abc import Iterable

from dsi4bcn.storage.database import Database

__all__ = ["graph_versions", "received_for_directory"]
_CHUNK = 500  # graphs named in one query


async def received_for_directory(database: Database, after: str, limit: int) -> list[tuple[str, str, str]]:
    """``(actor, peer, ntriples)`` of up to ``limit`` live received profiles whose actors sort after ``after``."""
    rows = await database.all(
        "SELECT actor, peer, ntriples FROM remote_profiles WHERE deleted IS NULL AND actor > ? ORDER BY actor LIMIT ?",
        (after, limit),
    )
    return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]


async def graph_versions(database: Database, graphs: Iterable[str] | None = None) -> dict[str, int]:
    """The version of every named graph (or of ``graphs``, those that have one): it grows with each change
    of the graph's profile, in the change's transaction (``graphstate.mark_unsynced``)."""
    if graphs is None:
        rows = await database.all("SELECT graph, version FROM graph_sync")
        return {str(row[0]): int(row[1]) for row in rows}
    wanted = list(dict.fromkeys(graphs))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = await database.all(f"SELECT graph, version FROM graph_sync WHERE graph IN ({marks})", chunk)  # noqa: S608
        found.update((str(row[0]), int(row[1])) for row in rows)
    return found
