"""Offers to collaborate on calls (table ``call_offers``) and the agreements they become (``agreements``):
each change with what it sends and the agreement's graph marked unsynced, in one transaction."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dsi4bcn.storage.database import Connection, Database, Row
from dsi4bcn.storage.deliveries import enqueue
from dsi4bcn.storage.graphstate import mark_unsynced

__all__ = ["Agreement", "CallOffers", "Direction", "Offer", "Outgoing"]

Direction = Literal["sent", "received"]


@dataclass(frozen=True)
class Offer:
    """An offer to collaborate on a call, sent from this node or received for one of its calls."""

    id: str
    call: str
    proposer: str
    offerer: str
    direction: str
    body: Mapping[str, Any]
    state: str  # pending, accepted or rejected
    created: str
    decided: str | None


@dataclass(frozen=True)
class Agreement:
    """A finalised agreement: who asked (``proposer``), who answered (``offerer``), its JSON-LD."""

    id: str
    call: str
    proposer: str
    offerer: str
    offer: str
    document: Mapping[str, Any]
    source: str
    accepted: str


@dataclass(frozen=True)
class Outgoing:
    """An activity to send with a change: from which local actor (its slug), to which inboxes."""

    local: str
    activity: Mapping[str, Any]
    inboxes: Iterable[str]
    public: bool = False


def _offer(row: Row) -> Offer:
    return Offer(
        row["id"],
        row["call"],
        row["proposer"],
        row["offerer"],
        row["direction"],
        json.loads(row["body"]),
        row["state"],
        row["created"],
        row["decided"],
    )


def _agreement(row: Row) -> Agreement:
    return Agreement(
        row["id"],
        row["call"],
        row["proposer"],
        row["offerer"],
        row["offer"],
        json.loads(row["document"]),
        row["source"],
        row["accepted"],
    )


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def _send(connection: Connection, outgoing: Outgoing | None) -> None:
    if outgoing is not None:
        await enqueue(
            connection,
            local=outgoing.local,
            activity=outgoing.activity,
            inboxes=outgoing.inboxes,
            public=outgoing.public,
        )


async def _keep_agreement(connection: Connection, agreement: Agreement, *, replace: bool) -> bool:
    """Store an agreement and mark its graph unsynced; False if one was held and ``replace`` is off."""
    cursor = await connection.execute(
        f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO agreements"  # noqa: S608
        " (id, call, proposer, offerer, offer, document, source, accepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            agreement.id,
            agreement.call,
            agreement.proposer,
            agreement.offerer,
            agreement.offer,
            _json(agreement.document),
            agreement.source,
            agreement.accepted,
        ),
    )
    if cursor.rowcount == 0:
        return False
    await mark_unsynced(connection, [agreement.id])
    return True


class CallOffers:
    """Writes and reads of offers and agreements; each write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def add(self, offer: Offer, outgoing: Outgoing | None = None) -> bool:
        """Store a new offer (and queue it, if sent from here); False if one with its id and direction is
        held."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO call_offers (id, call, proposer, offerer, direction, body, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    offer.id,
                    offer.call,
                    offer.proposer,
                    offer.offerer,
                    offer.direction,
                    _json(offer.body),
                    offer.created,
                ),
            )
            if cursor.rowcount == 0:
                return False
            await _send(connection, outgoing)
        return True

    async def decide(
        self,
        offer_id: str,
        direction: Direction,
        *,
        accepted: bool,
        answer: Mapping[str, Any],
        decided: str,
        agreement: Agreement | None = None,
        outgoing: Outgoing | None = None,
    ) -> bool:
        """Mark a pending offer accepted or rejected with its ``answer``; store the agreement, queue what is
        sent; False (and nothing written) if the offer is not pending."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "UPDATE call_offers SET state = ?, answer = ?, decided = ?"
                " WHERE id = ? AND direction = ? AND state = 'pending'",
                ("accepted" if accepted else "rejected", _json(answer), decided, offer_id, direction),
            )
            if cursor.rowcount == 0:
                return False
            if agreement is not None:
                await _keep_agreement(connection, agreement, replace=True)
            await _send(connection, outgoing)
        return True

    async def observe(self, agreement: Agreement) -> bool:
        """Store an agreement learnt from a caller's ``Accept`` about a call this node holds; False if it
        was already known."""
        async with self.db.transaction() as connection:
            return await _keep_agreement(connection, agreement, replace=False)

    async def get(self, offer_id: str, direction: Direction) -> Offer | None:
        """An offer sent or received, by its id, or None."""
        row = await self.db.one("SELECT * FROM call_offers WHERE id = ? AND direction = ?", (offer_id, direction))
        return _offer(row) if row else None

    async def of_call(self, call: str) -> list[Offer]:
        """The offers received for one of this node's calls, oldest first."""
        rows = await self.db.all(
            "SELECT * FROM call_offers WHERE call = ? AND direction = 'received' ORDER BY created, id", (call,)
        )
        return [_offer(row) for row in rows]

    async def sent_by(self, offerer: str) -> list[Offer]:
        """The offers one local actor sent, newest first."""
        rows = await self.db.all(
            "SELECT * FROM call_offers WHERE offerer = ? AND direction = 'sent' ORDER BY created DESC, id", (offerer,)
        )
        return [_offer(row) for row in rows]

    async def agreement(self, agreement_id: str) -> Agreement | None:
        """An agreement by its id, or None."""
        row = await self.db.one("SELECT * FROM agreements WHERE id = ?", (agreement_id,))
        return _agreement(row) if row else None

    async def agreements_of(self, actor: str) -> list[Agreement]:
        """The agreements an actor made, as caller or as the one who answered, newest first."""
        rows = await self.db.all(
            "SELECT * FROM agreements WHERE proposer = ? OR offerer = ? ORDER BY accepted DESC, id", (actor, actor)
        )
        return [_agreement(row) for row in rows]

    async def agreements_of_call(self, call: str) -> list[Agreement]:
        """The agreements made on one call, oldest first."""
        rows = await self.db.all("SELECT * FROM agreements WHERE call = ? ORDER BY accepted, id", (call,))
        return [_agreement(row) for row in rows]

    async def count_agreements(self) -> int:
        """How many agreements this node holds (pages that list them are cached until it changes)."""
        row = await self.db.one("SELECT count(*) FROM agreements")
        return int(row[0]) if row else 0
