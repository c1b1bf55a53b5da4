"""Accounts and their invitations (tables ``accounts`` and ``invitations``).

An account is a person who manages the node in a browser: an admin, or an editor of one organisation.
It is made only by accepting an invitation, in the same transaction that spends it, so that one link makes
at most one account. Tokens are stored as hashes made by the caller; times as UTC ISO text, which sorts as
it compares.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import aiosqlite

from dsi4bcn.storage.database import Database

__all__ = [
    "Account",
    "AccountExists",
    "Accounts",
    "Invitation",
    "InvitationSpent",
    "Role",
    "account_from_row",
    "stamp",
]

Role = Literal["admin", "editor"]


def stamp(moment: datetime) -> str:
    """``moment`` as the text the tables keep ("2026-11-30T21:05:00Z")."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Account:
    """A person who manages the node: their email, role and (for an editor) organisation's slug."""

    id: int
    email: str
    role: Role
    organisation: str | None
    password_hash: str
    created: str


@dataclass(frozen=True)
class Invitation:
    """A one-time link's terms: for whom (None: whoever accepts), as what, until when."""

    email: str | None
    role: Role
    organisation: str | None
    expires: str
    created_by: str


class AccountExists(Exception):
    """An account with this email already exists."""


class InvitationSpent(Exception):
    """The invitation is unknown, used or expired."""


def account_from_row(row: aiosqlite.Row | tuple[object, ...]) -> Account:
    """The account in a row of its columns in table order (id, email, role, organisation, hash, created)."""
    return Account(int(row[0]), str(row[1]), row[2], row[3], str(row[4]), str(row[5]))  # type: ignore[arg-type]


class Accounts:
    """Reads and writes of accounts and invitations; each write is one transaction."""

    def __init__(self, database: Database) -> None:
        self.db = database

    async def count(self) -> int:
        """How many accounts the node has."""
        row = await self.db.one("SELECT count(*) FROM accounts")
        return int(row[0]) if row else 0

    async def by_email(self, email: str) -> Account | None:
        """The account of ``email`` (as normalised by the caller), if any."""
        row = await self.db.one(
            "SELECT id, email, role, organisation, password_hash, created FROM accounts WHERE email = ?", (email,)
        )
        return account_from_row(row) if row else None

    async def by_id(self, account: int) -> Account | None:
        """The account numbered ``account``, if it still exists."""
        row = await self.db.one(
            "SELECT id, email, role, organisation, password_hash, created FROM accounts WHERE id = ?", (account,)
        )
        return account_from_row(row) if row else None

    async def listing(self) -> list[Account]:
        """Every account, by email."""
        rows = await self.db.all(
            "SELECT id, email, role, organisation, password_hash, created FROM accounts ORDER BY email"
        )
        return [account_from_row(row) for row in rows]

    async def invite(self, token_hash: str, terms: Invitation, now: datetime) -> None:
        """Keep an invitation under ``token_hash``."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "INSERT INTO invitations (token_hash, email, role, organisation, created, expires, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_hash, terms.email, terms.role, terms.organisation, stamp(now), terms.expires, terms.created_by),
            )

    async def invitation(self, token_hash: str, now: datetime) -> Invitation | None:
        """The terms of the unused, unexpired invitation under ``token_hash``, if any."""
        row = await self.db.one(
            "SELECT email, role, organisation, expires, created_by FROM invitations"
            " WHERE token_hash = ? AND used IS NULL AND expires > ?",
            (token_hash, stamp(now)),
        )
        return Invitation(row[0], row[1], row[2], str(row[3]), str(row[4])) if row else None

    async def withdraw_open(self, created_by: str) -> int:
        """Remove the unused invitations made by ``created_by`` (the node's start, for its first admin)."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM invitations WHERE created_by = ? AND used IS NULL", (created_by,)
            )
            return cursor.rowcount

    async def accept(self, token_hash: str, email: str, password_hash: str, now: datetime) -> Account:
        """Spend the invitation and make its account, in one transaction. ``InvitationSpent`` if it is not
        open any more; ``AccountExists`` if ``email`` has an account (the invitation stays open)."""
        when = stamp(now)
        async with self.db.transaction() as connection:
            async with connection.execute(
                "SELECT email, role, organisation FROM invitations"
                " WHERE token_hash = ? AND used IS NULL AND expires > ?",
                (token_hash, when),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise InvitationSpent(token_hash)
            async with connection.execute("SELECT 1 FROM accounts WHERE email = ?", (email,)) as cursor:
                if await cursor.fetchone() is not None:
                    raise AccountExists(email)
            await connection.execute("UPDATE invitations SET used = ? WHERE token_hash = ?", (when, token_hash))
            cursor = await connection.execute(
                "INSERT INTO accounts (email, role, organisation, password_hash, created) VALUES (?, ?, ?, ?, ?)",
                (email, row[1], row[2], password_hash, when),
            )
            account = cursor.lastrowid
        found = await self.by_id(int(account or 0))
        assert found is not None
        return found

    async def set_password(self, account: int, password_hash: str) -> None:
        """Replace the password of ``account`` and end every session it has."""
        async with self.db.transaction() as connection:
            await connection.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", (password_hash, account))
            await connection.execute("DELETE FROM sessions WHERE account = ?", (account,))

    async def remove(self, account: int) -> bool:
        """Delete ``account`` with its sessions and tokens; False if there was none."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM sessions WHERE account = ?", (account,))
            await connection.execute("DELETE FROM api_tokens WHERE account = ?", (account,))
            cursor = await connection.execute("DELETE FROM accounts WHERE id = ?", (account,))
            return cursor.rowcount > 0
