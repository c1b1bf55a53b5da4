"""Passwords: hashed with argon2id (argon2-cffi, RFC 9106's low-memory profile), never kept in clear.

Hashing takes tens of milliseconds and 64 MiB on purpose; it runs in a thread, so that it never stalls
the event loop (the caller bounds how many run at once: ``web/accountservice.py`` lets two).
"""

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "hash_password", "password_problem", "verify_password"]

MIN_PASSWORD = 10  # characters
MAX_PASSWORD = 1024  # bytes of UTF-8: longer is refused before any hashing
_HASHER = PasswordHasher()


@cache
def _decoy() -> str:
    """A hash verified when an email has no account, so that the answer takes as long as for a wrong
    password; made at the first sign-in, not at import (hashing takes a good part of a second)."""
    return _HASHER.hash("a password nobody has")


def password_problem(password: str) -> str | None:
    """The message code of what is wrong with a new ``password`` (too short or too long), or None."""
    if len(password) < MIN_PASSWORD:
        return "password_too_short"
    if len(password.encode("utf-8", "surrogatepass")) > MAX_PASSWORD:
        return "password_too_long"
    return None


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with its own random salt)."""
    return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash ``stored``; with None (no such account) a decoy is checked, in
    the same time, and the answer is False."""
    if len(password.encode("utf-8", "surrogatepass")) > MAX_PASSWORD:
        return False
    try:
        await asyncio.to_thread(lambda: _HASHER.verify(stored or _decoy(), password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return stored is not None
