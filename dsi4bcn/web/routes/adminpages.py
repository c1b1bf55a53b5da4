"""The admin pages of a signed-in person: the dashboard (the profiles they manage; for a node admin also
the accounts, invitations and the audit log) and their own account (password and personal API tokens).

Anyone not signed in is sent to the sign-in page; an editor sees only their organisation and its projects.
Every form is checked for its CSRF token; a secret (an invitation link, a new token) is shown once.
"""

from typing import Any

from aiohttp import web

from dsi4bcn.i18n import message
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.iris import profile_page
from dsi4bcn.storage.accounts import Role
from dsi4bcn.web.accountservice import SignInRefused
from dsi4bcn.web.accountsession import SignedIn, clear_session_cookie
from dsi4bcn.web.adminview import admin_page, checked_form, principal_of, signed_or_redirect
from dsi4bcn.web.appkeys import ACCOUNTS, CONFIG, STORE
from dsi4bcn.web.http import ApiError, request_language
from dsi4bcn.web.principal import Principal
from dsi4bcn.web.routes.signin import redirect

__all__ = ["routes"]

routes = web.RouteTableDef()
_MAX_TOKEN_NAME = 100


async def _managed(request: web.Request, principal: Principal) -> list[ActorRecord]:
    store = request.app[STORE]
    records = [*await store.list("organisation"), *await store.list("project")]
    return [record for record in records if principal.may_edit(record.kind, record.slug, record.organisation)]


async def _dashboard(request: web.Request, signed: SignedIn, status: int = 200, **extra: Any) -> web.Response:
    principal = principal_of(signed)
    language = request_language(request)
    base_url = request.app[CONFIG].base_url
    profiles = [
        {
            "kind": record.kind,
            "slug": record.slug,
            "name": record.name(language),
            "href": profile_page(base_url, record.slug),
            "admin": f"/admin/{record.kind}s/{record.slug}",
        }
        for record in await _managed(request, principal)
    ]
    service = request.app[ACCOUNTS]
    admin = principal.is_admin
    context: dict[str, Any] = {
        "profiles": profiles,
        "accounts": await service.accounts.listing() if admin else [],
        "audit": await service.audit.recent(30) if admin else [],
        "organisations": [record.slug for record in await request.app[STORE].list("organisation")] if admin else [],
        "invited": None,
        "deleted": request.query.get("deleted", "")[:64],
        "invite_error": None,
        **extra,
    }
    return admin_page(request, signed, "admin.html", status, **context)


@routes.get("/admin")
async def dashboard(request: web.Request) -> web.Response:
    """The dashboard: what the signed-in person manages."""
    return await _dashboard(request, await signed_or_redirect(request))


@routes.post("/admin/invitations")
async def invite(request: web.Request) -> web.Response:
    """A node admin invites someone (email, role, organisation for an editor): the link is shown once."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    if signed.account.role != "admin":
        raise ApiError(403, "admin_only")
    language = request_language(request)
    role = str(form.get("role", ""))
    organisation = str(form.get("organisation", "")).strip() or None
    if role not in ("admin", "editor") or (role == "editor" and organisation is None):
        return await _dashboard(request, signed, 422, invite_error=message("role_invalid", language))
    try:
        chosen: Role = "admin" if role == "admin" else "editor"
        email = str(form.get("email", ""))
        link, expires = await request.app[ACCOUNTS].invite(email, chosen, organisation, signed.account.email)
    except SignInRefused as refused:
        return await _dashboard(request, signed, 422, invite_error=message(refused.code, language))
    return await _dashboard(request, signed, invited={"link": link, "expires": expires})


async def _account_page(request: web.Request, signed: SignedIn, status: int = 200, **extra: Any) -> web.Response:
    context: dict[str, Any] = {"tokens": await request.app[ACCOUNTS].sessions.tokens(signed.account.id)}
    context.update({"new_token": None, "token_error": None, "password_error": None, **extra})
    return admin_page(request, signed, "admin_account.html", status, **context)


@routes.get("/admin/account")
async def account(request: web.Request) -> web.Response:
    """The signed-in person's own account: password and personal API tokens."""
    return await _account_page(request, await signed_or_redirect(request))


@routes.post("/admin/password")
async def change_password(request: web.Request) -> web.Response:
    """Change the password: every session of the account ends, this one included."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    language = request_language(request)
    new = str(form.get("new_password", ""))
    try:
        if new != str(form.get("new_password_again", "")):
            raise SignInRefused("passwords_differ")
        await request.app[ACCOUNTS].change_password(signed.account, str(form.get("current_password", "")), new)
    except SignInRefused as refused:
        return await _account_page(request, signed, 422, password_error=message(refused.code, language))
    response = redirect(f"/signin?lang={language}&changed=1")
    clear_session_cookie(request, response)
    return response


@routes.post("/admin/tokens")
async def new_token(request: web.Request) -> web.Response:
    """Make a personal API token with the account's permissions: its secret is shown this once."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    name = str(form.get("name", "")).strip()[:_MAX_TOKEN_NAME]
    if not name:
        error = message("token_name_required", request_language(request))
        return await _account_page(request, signed, 422, token_error=error)
    secret = await request.app[ACCOUNTS].new_token(signed.account, name)
    return await _account_page(request, signed, new_token={"name": name, "secret": secret})


@routes.post(r"/admin/tokens/{number:\d{1,18}}/revoke")
async def revoke_token(request: web.Request) -> web.Response:
    """Revoke one of the account's personal API tokens."""
    signed = await signed_or_redirect(request)
    await checked_form(request, signed)
    number = int(request.match_info["number"])
    if not await request.app[ACCOUNTS].sessions.revoke_token(signed.account.id, number):
        raise ApiError(404, "not_found")
    await request.app[ACCOUNTS].record(signed.account.email, "token_revoked", str(number))
    return redirect(f"/admin/account?lang={request_language(request)}")


@routes.post(r"/admin/accounts/{number:\d{1,18}}/remove")
async def remove_account(request: web.Request) -> web.Response:
    """A node admin removes another account (its sessions and tokens end with it); not their own."""
    signed = await signed_or_redirect(request)
    await checked_form(request, signed)
    if signed.account.role != "admin":
        raise ApiError(403, "admin_only")
    number = int(request.match_info["number"])
    service = request.app[ACCOUNTS]
    gone = await service.accounts.by_id(number)
    if gone is None or gone.id == signed.account.id or not await service.accounts.remove(number):
        raise ApiError(404, "not_found")
    await service.record(signed.account.email, "account_removed", gone.email)
    return redirect(f"/admin?lang={request_language(request)}")
