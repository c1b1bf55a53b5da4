"""Accounts are made only by spending an open invitation, once; an expired or used one makes nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from dsi4bcn.storage.accounts import AccountExists, Accounts, Invitation, InvitationSpent, stamp
from dsi4bcn.storage.database import Database

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _terms(days: int = 7, email: str | None = None) -> Invitation:
    return Invitation(email, "editor", "ateneu-a", stamp(NOW + timedelta(days=days)), "admin token")


async def test_an_invitation_makes_one_account_and_is_then_spent(database: Database) -> None:
    accounts = Accounts(database)
    await accounts.invite("hash-1", _terms(), NOW)
    assert (await accounts.invitation("hash-1", NOW)) == _terms()
    made = await accounts.accept("hash-1", "ana@example.org", "argon-hash", NOW)
    assert (made.email, made.role, made.organisation) == ("ana@example.org", "editor", "ateneu-a")
    assert await accounts.invitation("hash-1", NOW) is None
    with pytest.raises(InvitationSpent):
        await accounts.accept("hash-1", "bea@example.org", "argon-hash", NOW)
    assert [account.email for account in await accounts.listing()] == ["ana@example.org"]


async def test_an_expired_invitation_or_a_taken_email_makes_nothing(database: Database) -> None:
    accounts = Accounts(database)
    await accounts.invite("old", _terms(days=-1), NOW)
    with pytest.raises(InvitationSpent):
        await accounts.accept("old", "ana@example.org", "h", NOW)
    await accounts.invite("a", _terms(), NOW)
    await accounts.invite("b", _terms(), NOW)
    await accounts.accept("a", "ana@example.org", "h", NOW)
    with pytest.raises(AccountExists):
        await accounts.accept("b", "ana@example.org", "h", NOW)
    assert await accounts.invitation("b", NOW) is not None  # still open for someone else
    assert await accounts.count() == 1


async def test_withdrawing_removes_only_the_open_invitations_of_their_maker(database: Database) -> None:
    accounts = Accounts(database)
    await accounts.invite("mine", _terms(), NOW)
    await accounts.invite("theirs", Invitation(None, "admin", None, stamp(NOW + timedelta(days=1)), "node start"), NOW)
    assert await accounts.withdraw_open("node start") == 1
    assert await accounts.invitation("theirs", NOW) is None and await accounts.invitation("mine", NOW) is not None
