"""The outbox and the delivery queue: one row per activity owed to one inbox, in SQLite.

Publishing an activity writes it to the outbox and queues one delivery per inbox in the same
transaction, so a node killed at any moment still owes, after restart, exactly what it had not delivered.
"""

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dsi4bcn.storage.database import Connection, Database
from dsi4bcn.storage.localactors import utc_now
from federation.hosts import HostError, normalise_host, url_host

__all__ = ["Delivery", "DeliveryQueue", "QueueHealth", "enqueue"]


@dataclass(frozen=True)
class Delivery:
    """One activity owed to one inbox."""

    id: int
    activity_id: str
    inbox: str
    host: str
    attempts: int
    local: str
    body: str


@dataclass(frozen=True)
class QueueHealth:
    """What the delivery queue looks like now: deliveries owed, when the oldest was queued (``created``, or
    None), hosts with failures on record, and hosts that failed on ``dead_after`` different days."""

    owed: int
    oldest: str | None
    failing_hosts: int
    dead_hosts: int


def _host(url: str) -> str:
    """The canonical host of an inbox (how deliveries are grouped and failures counted); '' if none."""
    try:
        return url_host(url)
    except HostError:
        return ""


async def enqueue(
    connection: Connection,
    *,
    local: str,
    activity: Mapping[str, Any],
    inboxes: Iterable[str],
    public: bool,
) -> int:
    """Inside an open transaction: record ``activity`` in the outbox and owe it to each inbox once."""
    now = time.time()
    body = json.dumps(activity, ensure_ascii=False, separators=(",", ":"))
    kind = activity.get("type")
    await connection.execute(
        "INSERT INTO outbox (activity_id, local, type, body, public, published) VALUES (?, ?, ?, ?, ?, ?)",
        (activity["id"], local, kind if isinstance(kind, str) else "Activity", body, int(public), utc_now()),
    )
    unique = list(dict.fromkeys(inbox for inbox in inboxes if inbox))
    await connection.executemany(
        "INSERT OR IGNORE INTO deliveries (activity_id, inbox, host, next_attempt, created) VALUES (?, ?, ?, ?, ?)",
        [(activity["id"], inbox, _host(inbox), now, utc_now()) for inbox in unique],
    )
    return len(unique)


class DeliveryQueue:
    """What is owed to which inbox, and which hosts keep failing."""

    def __init__(self, database: Database) -> None:
        self.db = database
        # Hosts with recorded delivery failures, so that the common case needs no query.
        self._failing: set[str] | None = None

    async def failing_hosts(self) -> set[str]:
        """Hosts with delivery failures on record (read once, then kept up to date in memory)."""
        if self._failing is None:
            self._failing = {str(row[0]) for row in await self.db.all("SELECT DISTINCT host FROM host_failures")}
        return self._failing

    async def publish(self, *, local: str, activity: Mapping[str, Any], inboxes: Iterable[str], public: bool) -> int:
        """Record an activity and queue its deliveries, in one transaction; how many inboxes."""
        async with self.db.transaction() as connection:
            return await enqueue(connection, local=local, activity=activity, inboxes=inboxes, public=public)

    async def due_deliveries(self, now: float, limit: int) -> list[Delivery]:
        """Deliveries whose time has come, oldest first (read between writes, so that a delivery a
        worker has just finished and deleted never comes back as owed)."""
        rows = await self.db.all_between_writes(
            "SELECT d.id, d.activity_id, d.inbox, d.host, d.attempts, o.local, o.body FROM deliveries d"
            " JOIN outbox o ON o.activity_id = d.activity_id WHERE d.next_attempt <= ? ORDER BY d.next_attempt, d.id"
            " LIMIT ?",
            (now, limit),
        )
        return [
            Delivery(r["id"], r["activity_id"], r["inbox"], r["host"], r["attempts"], r["local"], r["body"])
            for r in rows
        ]

    async def next_due(self) -> float | None:
        """When the next delivery is due (epoch seconds), or None if nothing is owed."""
        row = await self.db.one("SELECT min(next_attempt) FROM deliveries")
        return float(row[0]) if row and row[0] is not None else None

    async def pending_deliveries(self) -> int:
        """How many deliveries are still owed."""
        row = await self.db.one("SELECT count(*) FROM deliveries")
        return int(row[0]) if row else 0

    async def health(self, dead_after: int) -> QueueHealth:
        """The queue's depth and age and the hosts that fail (read for ``/metrics``)."""
        owed = await self.db.one("SELECT count(*) FROM deliveries")
        oldest = await self.db.one("SELECT created FROM deliveries ORDER BY id LIMIT 1")
        hosts = await self.db.one(
            "SELECT count(*), coalesce(sum(days >= ?), 0)"
            " FROM (SELECT count(DISTINCT day) AS days FROM host_failures GROUP BY host)",
            (dead_after,),
        )
        return QueueHealth(
            int(owed[0]) if owed else 0,
            str(oldest[0]) if oldest else None,
            int(hosts[0]) if hosts else 0,
            int(hosts[1]) if hosts else 0,
        )

    async def delivered(self, delivery: Delivery) -> None:
        """Drop a delivery that succeeded, and forget the host's failures: it answers again."""
        await self.delivered_many([delivery])

    async def delivered_many(self, deliveries: Sequence[Delivery]) -> None:
        """``delivered`` for several deliveries, in one transaction."""
        failing = await self.failing_hosts()
        answered = {delivery.host for delivery in deliveries} & failing
        ids = [delivery.id for delivery in deliveries]
        async with self.db.transaction() as connection:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                await connection.execute(f"DELETE FROM deliveries WHERE id IN ({marks})", chunk)  # noqa: S608
            for host in answered:
                await connection.execute("DELETE FROM host_failures WHERE host = ?", (host,))
        failing.difference_update(answered)

    async def first_attempt_owed(self, activity_ids: Sequence[str], host: str) -> bool:
        """Whether one of ``activity_ids`` is owed to ``host`` and has not been tried there yet."""
        marks = ",".join("?" * len(activity_ids))
        row = await self.db.one(
            f"SELECT 1 FROM deliveries WHERE activity_id IN ({marks}) AND host = ? AND attempts = 0 LIMIT 1",  # noqa: S608
            (*activity_ids, host),
        )
        return row is not None

    async def postpone(self, delivery: Delivery, next_attempt: float) -> None:
        """Try a delivery later without counting an attempt (it waits for another one to go first)."""
        async with self.db.transaction() as connection:
            await connection.execute("UPDATE deliveries SET next_attempt = ? WHERE id = ?", (next_attempt, delivery.id))

    async def give_up(self, delivery: Delivery, reason: str) -> None:
        """Drop a delivery that can never succeed (gone inbox, too many attempts, unavailable host)."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM deliveries WHERE id = ?", (delivery.id,))

    async def retry_later(self, delivery: Delivery, error: str, next_attempt: float) -> None:
        """Count a failed attempt, remember the day the host failed, and schedule the next one."""
        day = datetime.now(UTC).date().isoformat()
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE deliveries SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?",
                (next_attempt, error[:500], delivery.id),
            )
            await connection.execute(
                "INSERT OR IGNORE INTO host_failures (host, day) VALUES (?, ?)", (delivery.host, day)
            )
        (await self.failing_hosts()).add(delivery.host)

    async def failure_days(self, host: str) -> list[str]:
        """The days on which deliveries to ``host`` failed (since it last answered)."""
        if host not in await self.failing_hosts():
            return []
        return [str(row[0]) for row in await self.db.all("SELECT day FROM host_failures WHERE host = ?", (host,))]

    async def heard_from(self, host: str) -> None:
        """A host (any spelling) sent us something: it is available again."""
        try:
            host = normalise_host(host)
        except HostError:
            return
        failing = await self.failing_hosts()
        if host not in failing:
            return
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM host_failures WHERE host = ?", (host,))
        failing.discard(host)
