"""Signed-in sessions, personal API tokens and the audit log (tables ``sessions``, ``api_tokens`` and
``audit_log``).

A session or token is found by the hash of the secret a browser or a script presents, never the secret
itself, so that a copy of the database opens nothing. Each write is one transaction.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from dsi4bcn.storage.accounts import Account, account_from_row, stamp
from dsi4bcn.storage.database import Database

__all__ = ["AuditEntry", "AuditLog", "Sessions", "TokenInfo"]


@dataclass(frozen=True)
class TokenInfo:
    """A personal API token as its owner sees it: never the secret, which is shown once."""

    id: int
    name: str
    created: str
    last_used: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One change: when, by whom, what (a stable code) and to what."""

    at: str
    actor: str
    action: str
    target: str
    detail: str


class Sessions:
    """Sessions and personal API tokens."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def open(self, id_hash: str, account: int, csrf: str, now: datetime, expires: datetime) -> None:
        """Keep a new session of ``account`` under ``id_hash``, with its forms' ``csrf`` token."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM sessions WHERE expires <= ?", (stamp(now),))
            await connection.execute(
                "INSERT INTO sessions (id_hash, account, csrf, created, expires) VALUES (?, ?, ?, ?, ?)",
                (id_hash, account, csrf, stamp(now), stamp(expires)),
            )

    async def find(self, id_hash: str, now: datetime) -> tuple[Account, str] | None:
        """The account of the live session under ``id_hash`` and its CSRF token, if any."""
        row = await self.db.one(
            "SELECT a.id, a.email, a.role, a.organisation, a.password_hash, a.created, s.csrf"
            " FROM sessions s JOIN accounts a ON a.id = s.account"
            " WHERE s.id_hash = ? AND s.expires > ?",
            (id_hash, stamp(now)),
        )
        return (account_from_row(tuple(row)[:6]), str(row[6])) if row else None

    async def close(self, id_hash: str) -> None:
        """End the session under ``id_hash`` (nothing if there is none)."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    async def close_all(self, account: int) -> None:
        """End every session of ``account``."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM sessions WHERE account = ?", (account,))

    async def add_token(self, token_hash: str, account: int, name: str, now: datetime) -> int:
        """Keep a personal API token of ``account``; its number."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO api_tokens (token_hash, account, name, created) VALUES (?, ?, ?, ?)",
                (token_hash, account, name, stamp(now)),
            )
            return int(cursor.lastrowid or 0)

    async def tokens(self, account: int) -> list[TokenInfo]:
        """The personal API tokens of ``account``, newest first."""
        rows = await self.db.all(
            "SELECT id, name, created, last_used FROM api_tokens WHERE account = ? ORDER BY id DESC", (account,)
        )
        return [TokenInfo(int(row[0]), str(row[1]), str(row[2]), row[3]) for row in rows]

    async def revoke_token(self, account: int, token: int) -> bool:
        """Delete token number ``token`` of ``account``; False if it has none such."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute("DELETE FROM api_tokens WHERE id = ? AND account = ?", (token, account))
            return cursor.rowcount > 0

    async def token_owner(self, token_hash: str, now: datetime) -> Account | None:
        """The account whose personal token hashes to ``token_hash``, if any; its use is noted at most once a
        minute (a script's burst of calls makes one write, not one per call)."""
        row = await self.db.one(
            "SELECT a.id, a.email, a.role, a.organisation, a.password_hash, a.created, t.id, t.last_used"
            " FROM api_tokens t JOIN accounts a ON a.id = t.account WHERE t.token_hash = ?",
            (token_hash,),
        )
        if row is None:
            return None
        if row[7] is None or str(row[7]) < stamp(now - timedelta(minutes=1)):
            async with self.db.transaction() as connection:
                await connection.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", (stamp(now), row[6]))
        return account_from_row(tuple(row)[:6])


class AuditLog:
    """The record of who changed what."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def record(self, now: datetime, actor: str, action: str, target: str = "", detail: str = "") -> None:
        """Add one entry."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                (stamp(now), actor, action, target, detail),
            )

    async def recent(self, limit: int = 100) -> list[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        rows = await self.db.all(
            "SELECT at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [AuditEntry(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4])) for row in rows]
