"""The accounts API of a node admin: ``POST /api/accounts`` makes an invitation (what ``dsi4bcn user add``
calls) and answers its one-time link; ``GET /api/accounts`` lists the accounts; ``GET /api/audit`` the
latest changes. Every route needs a node admin's bearer token.
"""

from aiohttp import web

from dsi4bcn.profiles.validation import Problem
from dsi4bcn.storage.accounts import Role
from dsi4bcn.web.accountservice import SignInRefused
from dsi4bcn.web.appkeys import ACCOUNTS
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.principal import authorise_admin

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.post("/api/accounts")
async def invite(request: web.Request) -> web.Response:
    """Invite someone: ``{"email", "role": "admin"|"editor", "organisation"}`` (the organisation's slug, for
    an editor); 201 with ``{"invitation": link, "expires"}``, the link valid for 7 days and shown once."""
    principal = await authorise_admin(request)
    body = await read_json_body(request)
    if not isinstance(body, dict):
        raise ApiError(422, "validation_failed", [Problem("", "not_object")])
    email, role, organisation = body.get("email"), body.get("role"), body.get("organisation")
    if not isinstance(email, str):
        raise ApiError(422, "validation_failed", [Problem("email", "required", {"field": "email"})])
    if role not in ("admin", "editor") or (role == "editor" and not isinstance(organisation, str)):
        raise ApiError(422, "validation_failed", [Problem("role", "role_invalid")])
    chosen: Role = "admin" if role == "admin" else "editor"
    try:
        link, expires = await request.app[ACCOUNTS].invite(
            email, chosen, organisation if isinstance(organisation, str) else None, principal.name
        )
    except SignInRefused as refused:
        status = 409 if refused.code == "account_exists" else 422
        raise ApiError(status, refused.code) from refused
    return json_response({"invitation": link, "expires": expires, "email": email.strip().lower()}, status=201)


@routes.get("/api/accounts")
async def list_accounts(request: web.Request) -> web.Response:
    """Every account: email, role, organisation and when it was made (never a password hash)."""
    await authorise_admin(request)
    accounts = await request.app[ACCOUNTS].accounts.listing()
    return json_response(
        [
            {
                "email": account.email,
                "role": account.role,
                "organisation": account.organisation,
                "created": account.created,
            }
            for account in accounts
        ]
    )


@routes.get("/api/audit")
async def audit(request: web.Request) -> web.Response:
    """The latest 100 changes, newest first."""
    await authorise_admin(request)
    entries = await request.app[ACCOUNTS].audit.recent(100)
    return json_response(
        [{"at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail} for e in entries]
    )
