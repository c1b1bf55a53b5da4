"""Who is calling the admin API, and what they may do.

A request names its caller with ``Authorization: Bearer TOKEN``: the node's admin token
(``DSI4BCN_ADMIN_TOKEN`` or the data folder's file), which acts as a node admin, or a personal API token,
which acts as its owner: a node admin, or the editor of one organisation and its projects. Tokens are
compared as hashes (a personal one) or in constant time (the admin token). A refusal says which: 401 for no
or a wrong token, 403 for a caller who may not do this.
"""

import hmac
from dataclasses import dataclass

from aiohttp import web

from dsi4bcn.storage.accounts import Account, Role
from dsi4bcn.web.appkeys import ACCOUNTS, ADMIN_TOKEN
from dsi4bcn.web.auditing import CALLER
from dsi4bcn.web.http import ApiError

__all__ = ["SHARED_ADMIN", "Principal", "authorise", "authorise_admin"]

SHARED_ADMIN = "admin token"  # how the audit log names the shared token
_BEARER = {"WWW-Authenticate": 'Bearer realm="dsi4bcn"'}


@dataclass(frozen=True)
class Principal:
    """A caller: their name for the audit log, role and (for an editor) organisation's slug."""

    name: str
    role: Role
    organisation: str | None = None
    account: int | None = None

    @classmethod
    def of(cls, account: Account) -> "Principal":
        """The principal an account acts as."""
        return cls(account.email, account.role, account.organisation, account.id)

    @property
    def is_admin(self) -> bool:
        """Whether this caller manages the whole node."""
        return self.role == "admin"

    def may_edit(self, kind: str, slug: str, organisation: str | None) -> bool:
        """Whether this caller may read the form of and change profile ``slug`` (a project names its
        ``organisation``)."""
        if self.is_admin:
            return True
        return (kind == "organisation" and slug == self.organisation) or (
            kind == "project" and organisation is not None and organisation == self.organisation
        )


def _token_bytes(text: str) -> bytes | None:
    """``text`` as the bytes it was read from, or None if it holds characters no bytes decode to."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that surrogateescape did not make (U+D800 to U+DC7F)
        return None


async def authorise(request: web.Request) -> Principal:
    """The caller of an admin API request; 401 (JSON) without a valid bearer token.

    aiohttp decodes header bytes that are not UTF-8 as lone surrogates ("surrogateescape"); encoding them
    back gives the bytes received, so a header in Latin-1 or any other bytes is simply a wrong token.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    given = _token_bytes(token.strip())
    if scheme.lower() != "bearer" or not given:
        raise ApiError(401, "unauthorised", headers=_BEARER)
    expected = _token_bytes(request.app[ADMIN_TOKEN])
    if expected is not None and hmac.compare_digest(given, expected):
        principal = Principal(SHARED_ADMIN, "admin")
    else:
        owner = await request.app[ACCOUNTS].token_owner(token.strip())
        if owner is None:
            raise ApiError(401, "unauthorised", headers=_BEARER)
        principal = Principal.of(owner)
    request[CALLER] = principal.name
    return principal


async def authorise_admin(request: web.Request) -> Principal:
    """The caller, who must be a node admin: 401 without a valid token, 403 for an editor."""
    principal = await authorise(request)
    if not principal.is_admin:
        raise ApiError(403, "admin_only")
    return principal
