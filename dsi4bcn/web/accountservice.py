"""Accounts as the web side uses them: invitations, sign-in with throttling, sessions, personal tokens and
the audit log, over the storage of ``storage/accounts.py`` and ``storage/sessions.py``.

Every secret (invitation link, session cookie, personal token) is 32 random bytes, handed out once and kept
only as a hash. Passwords are hashed with argon2id, two at a time at most.
"""

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dsi4bcn.storage.accounts import Account, AccountExists, Accounts, Invitation, InvitationSpent, Role, stamp
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.sessions import AuditLog, Sessions
from dsi4bcn.web.passwords import hash_password, password_problem, verify_password
from dsi4bcn.web.signinthrottle import SignInThrottle

__all__ = [
    "FIRST_ADMIN",
    "INVITATION_DAYS",
    "SESSION_DAYS",
    "AccountService",
    "NewSession",
    "SignInRefused",
    "normal_email",
    "secret_hash",
]

INVITATION_DAYS = 7
SESSION_DAYS = 7
FIRST_ADMIN = "node start"  # who made the first admin's invitation


class SignInRefused(Exception):
    """A refused sign-in or account change: a message code and, when throttled, seconds to wait."""

    def __init__(self, code: str, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class NewSession:
    """A session just opened: the cookie's secret value and its forms' CSRF token."""

    secret: str
    csrf: str


def secret_hash(secret: str) -> str:
    """The hash under which a session id, invitation or personal token is kept (they are random and long,
    so a fast hash suffices)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def normal_email(text: str) -> str | None:
    """``text`` as the email an account is kept under (trimmed, lower case), or None if it is not one."""
    email = text.strip().lower()
    local, at, domain = email.partition("@")
    labels = domain.split(".")
    plain = not any(character.isspace() or ord(character) < 32 for character in email)
    ok = at and plain and 0 < len(local) <= 64 and "@" not in domain and len(labels) >= 2 and all(labels)
    return email if ok and len(email) <= 254 else None


def _now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    """The node's accounts; build it in the running event loop."""

    def __init__(self, database: Database, base_url: str, throttle: SignInThrottle | None = None) -> None:
        self.accounts = Accounts(database)
        self.sessions = Sessions(database)
        self.audit = AuditLog(database)
        self.base_url = base_url
        self.throttle = throttle or SignInThrottle()
        self._hashing = asyncio.Semaphore(2)

    async def invite(self, email: str | None, role: Role, organisation: str | None, by: str) -> tuple[str, str]:
        """A new invitation's link and expiry; ``SignInRefused`` if ``email`` is not one or has an account."""
        if email is not None:
            email = normal_email(email)
            if email is None:
                raise SignInRefused("email_invalid")
            if await self.accounts.by_email(email) is not None:
                raise SignInRefused("account_exists")
        token = secrets.token_urlsafe(32)
        expires = stamp(_now() + timedelta(days=INVITATION_DAYS))
        terms = Invitation(email, role, organisation if role == "editor" else None, expires, by)
        await self.accounts.invite(secret_hash(token), terms, _now())
        await self.audit.record(_now(), by, "invite", email or "first admin", f"{role} {organisation or ''}".strip())
        return f"{self.base_url}/invitation/{token}", expires

    async def first_admin_link(self) -> str | None:
        """While the node has no account: a fresh invitation for its first admin (earlier ones withdrawn)."""
        if await self.accounts.count():
            return None
        await self.accounts.withdraw_open(FIRST_ADMIN)
        link, _ = await self.invite(None, "admin", None, FIRST_ADMIN)
        return link

    async def invitation(self, token: str) -> Invitation | None:
        """The open invitation of the link's ``token``, if any."""
        return await self.accounts.invitation(secret_hash(token), _now())

    async def accept(self, token: str, email: str, password: str) -> Account:
        """Make the account of an invitation; ``SignInRefused`` says what is wrong (nothing written)."""
        terms = await self.invitation(token)
        if terms is None:
            raise SignInRefused("invitation_spent")
        normal = normal_email(terms.email or email)
        if normal is None:
            raise SignInRefused("email_invalid")
        problem = password_problem(password)
        if problem:
            raise SignInRefused(problem)
        async with self._hashing:
            hashed = await hash_password(password)
        try:
            account = await self.accounts.accept(secret_hash(token), normal, hashed, _now())
        except InvitationSpent as spent:
            raise SignInRefused("invitation_spent") from spent
        except AccountExists as exists:
            raise SignInRefused("account_exists") from exists
        await self.audit.record(_now(), account.email, "account_created", account.email, account.role)
        return account

    async def sign_in(self, email: str, password: str, address: str) -> Account:
        """The account whose email and password these are; ``SignInRefused`` ("sign_in_failed", or
        "sign_in_throttled" with seconds to wait) otherwise. Failures are slowed, then refused."""
        normal = normal_email(email) or email.strip().lower()[:254]
        keys = (f"address {address}", f"email {normal}")
        wait = self.throttle.retry_after(keys)
        if wait is not None:
            raise SignInRefused("sign_in_throttled", wait)
        await asyncio.sleep(self.throttle.delay(keys))
        account = await self.accounts.by_email(normal)
        async with self._hashing:
            matches = await verify_password(account.password_hash if account else None, password)
        if account is None or not matches:
            self.throttle.failed(keys)
            raise SignInRefused("sign_in_failed")
        self.throttle.forget(keys[1])
        return account

    async def open_session(self, account: Account) -> NewSession:
        """A new session of ``account`` (a new secret every time: a session id is never carried over)."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        await self.sessions.open(secret_hash(secret), account.id, csrf, now, now + timedelta(days=SESSION_DAYS))
        return NewSession(secret, csrf)

    async def session(self, secret: str) -> tuple[Account, str] | None:
        """The account and CSRF token of the live session whose cookie holds ``secret``."""
        return await self.sessions.find(secret_hash(secret), _now()) if secret else None

    async def close_session(self, secret: str) -> None:
        """End the session whose cookie holds ``secret``."""
        await self.sessions.close(secret_hash(secret))

    async def change_password(self, account: Account, current: str, new: str) -> None:
        """Replace the password of ``account`` after checking its ``current`` one; every session ends."""
        async with self._hashing:
            if not await verify_password(account.password_hash, current):
                raise SignInRefused("password_wrong")
        problem = password_problem(new)
        if problem:
            raise SignInRefused(problem)
        async with self._hashing:
            hashed = await hash_password(new)
        await self.accounts.set_password(account.id, hashed)
        await self.audit.record(_now(), account.email, "password_changed", account.email)

    async def new_token(self, account: Account, name: str) -> str:
        """A new personal API token of ``account``: its secret, shown once."""
        secret = secrets.token_urlsafe(32)
        await self.sessions.add_token(secret_hash(secret), account.id, name, _now())
        await self.audit.record(_now(), account.email, "token_created", name)
        return secret

    async def token_owner(self, secret: str) -> Account | None:
        """The owner of the personal API token ``secret``, if it is one."""
        return await self.sessions.token_owner(secret_hash(secret), _now())

    async def record(self, actor: str, action: str, target: str = "", detail: str = "") -> None:
        """Add a change to the audit log."""
        await self.audit.record(_now(), actor, action, target, detail)
