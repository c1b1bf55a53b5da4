"""Verify a signed request end to end, with key lookup passed in as a port.

Parse the signature (draft-cavage or RFC 9421), check the body digest, look the key up (cached), verify,
and on failure look it up once more with ``refresh=True`` in case the sender rotated its key (the
resolver decides how often a refresh may really fetch). No I/O here: the resolver does it.
"""

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from federation.errors import SignatureError
from federation.httpsig import HttpRequest, ParsedSignature, check_body_digest, parse_signature, verify_signature

__all__ = ["KeyResolver", "ResolvedKey", "Verified", "verify_signed_request"]


@dataclass(frozen=True)
class ResolvedKey:
    """A public key and the actor that owns it (checked to point back at the key)."""

    key_id: str
    owner: str
    public_key_pem: str


class KeyResolver(Protocol):
    """Finds the key for a ``keyId``: from a cache, or (``refresh=True``) fetched anew."""

    def __call__(self, key_id: str, *, refresh: bool) -> Awaitable[ResolvedKey | None]:
        """The key, or None if it cannot be found."""
        ...


@dataclass(frozen=True)
class Verified:
    """A request whose signature verified, and who signed it."""

    key_id: str
    owner: str
    signature: ParsedSignature


async def verify_signed_request(request: HttpRequest, *, resolve_key: KeyResolver, now: datetime) -> Verified:
    """Verify ``request``'s signature; raise ``SignatureError`` with the reason if it does not verify."""
    parsed = parse_signature(request, now=now)
    if request.body or request.method.upper() == "POST":
        check_body_digest(request)
    key = await resolve_key(parsed.key_id, refresh=False)
    failure: SignatureError | None = None
    if key is not None:
        try:
            verify_signature(parsed, key.public_key_pem)
        except SignatureError as error:
            failure = error
        else:
            return Verified(parsed.key_id, key.owner, parsed)
    fresh = await resolve_key(parsed.key_id, refresh=True)
    if fresh is None or (key is not None and fresh.public_key_pem == key.public_key_pem):
        raise failure or SignatureError(f"the key {parsed.key_id} cannot be found")
    verify_signature(parsed, fresh.public_key_pem)
    return Verified(parsed.key_id, fresh.owner, parsed)
