"""Sessions and personal tokens are found by the hash of their secret, until they expire or are ended; a
token's use is noted at most once a minute."""

from datetime import UTC, datetime, timedelta

from dsi4bcn.storage.accounts import Accounts, Invitation, stamp
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.sessions import Sessions

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def _account(database: Database) -> int:
    accounts = Accounts(database)
    await accounts.invite("inv", Invitation(None, "admin", None, stamp(NOW + timedelta(days=1)), "test"), NOW)
    return (await accounts.accept("inv", "ana@example.org", "hash", NOW)).id


async def test_a_session_lives_until_it_expires_or_is_ended(database: Database) -> None:
    sessions, account = Sessions(database), await _account(database)
    await sessions.open("s1", account, "csrf-1", NOW, NOW + timedelta(hours=1))
    await sessions.open("s2", account, "csrf-2", NOW, NOW + timedelta(hours=1))
    found = await sessions.find("s1", NOW)
    assert found is not None and found[0].email == "ana@example.org" and found[1] == "csrf-1"
    assert await sessions.find("s1", NOW + timedelta(hours=2)) is None
    assert await sessions.find("unknown", NOW) is None
    await sessions.close("s1")
    assert await sessions.find("s1", NOW) is None and await sessions.find("s2", NOW) is not None
    await sessions.close_all(account)
    assert await sessions.find("s2", NOW) is None


async def test_a_tokens_use_is_noted_at_most_once_a_minute(database: Database) -> None:
    sessions, account = Sessions(database), await _account(database)
    number = await sessions.add_token("t1", account, "script", NOW)
    owner = await sessions.token_owner("t1", NOW)
    assert owner is not None and owner.id == account
    assert [t.last_used for t in await sessions.tokens(account)] == [stamp(NOW)]
    await sessions.token_owner("t1", NOW + timedelta(seconds=30))
    assert [t.last_used for t in await sessions.tokens(account)] == [stamp(NOW)]
    await sessions.token_owner("t1", NOW + timedelta(minutes=2))
    assert [t.last_used for t in await sessions.tokens(account)] == [stamp(NOW + timedelta(minutes=2))]
    assert await sessions.revoke_token(account, number) and await sessions.token_owner("t1", NOW) is None
