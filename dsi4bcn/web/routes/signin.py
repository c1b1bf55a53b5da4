"""Signing in and out, and accepting an invitation: the pages and forms before the admin pages.

``GET /signin`` shows the form (fields ``email`` and ``password``); ``POST /signin`` checks them (slowed
after repeated failures, then refused with 429) and opens a new session; ``POST /signout`` ends it.
``/invitation/{token}`` is where an invited person sets a password (and, for the first admin, gives their
email). Every form carries a CSRF token; every answer is a page in the visitor's language.
"""

from typing import Any

from aiohttp import web

from dsi4bcn.i18n import message
from dsi4bcn.web.accountservice import SignInRefused
from dsi4bcn.web.accountsession import (
    check_form,
    clear_session_cookie,
    form_token,
    set_form_cookie,
    set_session_cookie,
    signed_in,
)
from dsi4bcn.web.appkeys import ACCOUNTS, TEMPLATES
from dsi4bcn.web.clientaddress import client_address
from dsi4bcn.web.http import html_response, request_language
from dsi4bcn.web.templating import render_page

__all__ = ["redirect", "routes", "safe_next"]

routes = web.RouteTableDef()
_NO_STORE = "no-store"


def redirect(location: str) -> web.Response:
    """A 303 to ``location`` (a form's answer: the browser then GETs it)."""
    return web.Response(status=303, headers={"Location": location, "Cache-Control": _NO_STORE})


def safe_next(text: object, language: str) -> str:
    """Where to go after signing in: an admin page of this node named by the form, else ``/admin``."""
    if isinstance(text, str) and text.startswith("/admin") and "//" not in text and "\\" not in text:
        return text
    return f"/admin?lang={language}"


def _page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    cookies: dict[str, str] = {}
    language = request_language(request)
    token = context.pop("csrf", None) or form_token(request, cookies)
    body = render_page(request.app[TEMPLATES], template, language, query=request.query, csrf=token, **context)
    response = html_response(body, status=status, vary="Accept-Language, Cookie")
    response.headers["Cache-Control"] = _NO_STORE
    set_form_cookie(request, response, cookies)
    return response


@routes.get("/signin")
async def signin_form(request: web.Request) -> web.Response:
    """The sign-in form (or the admin pages, for someone signed in already)."""
    language = request_language(request)
    if await signed_in(request):
        return redirect(safe_next(request.query.get("next"), language))
    goal = safe_next(request.query.get("next"), language)
    changed = request.query.get("changed") == "1"
    return _page(request, "signin.html", next=goal, email="", error=None, changed=changed)


@routes.post("/signin")
async def signin(request: web.Request) -> web.Response:
    """Check an email and password; on success a new session and a 303 to the admin pages."""
    form = await request.post()
    check_form(request, form.get("csrf"), None)
    language = request_language(request)
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    goal = safe_next(form.get("next"), language)
    service = request.app[ACCOUNTS]
    try:
        account = await service.sign_in(email, password, client_address(request))
    except SignInRefused as refused:
        minutes = max(1, round((refused.retry_after or 0) / 60))
        status = 429 if refused.retry_after else 401
        response = _page(
            request,
            "signin.html",
            status,
            next=goal,
            email=email[:254],
            error=message(refused.code, language, minutes=minutes),
            changed=False,
        )
        if refused.retry_after:
            response.headers["Retry-After"] = str(int(refused.retry_after) + 1)
        return response
    earlier = request.cookies.get("dsi4bcn_session")
    if earlier:
        await service.close_session(earlier)
    session = await service.open_session(account)
    await service.record(account.email, "sign_in", account.email, client_address(request))
    response = redirect(goal)
    set_session_cookie(request, response, session.secret)
    return response


@routes.post("/signout")
async def signout(request: web.Request) -> web.Response:
    """End this browser's session (the form's CSRF token must be the session's)."""
    form = await request.post()
    signed = await signed_in(request)
    language = request_language(request)
    if signed is None:
        return redirect(f"/signin?lang={language}")
    check_form(request, form.get("csrf"), signed)
    await request.app[ACCOUNTS].close_session(signed.secret)
    await request.app[ACCOUNTS].record(signed.account.email, "sign_out", signed.account.email)
    response = redirect(f"/signin?lang={language}")
    clear_session_cookie(request, response)
    return response


@routes.get("/invitation/{token}")
async def invitation_form(request: web.Request) -> web.Response:
    """Where an invited person chooses a password; 410 for a used, expired or unknown link."""
    terms = await request.app[ACCOUNTS].invitation(request.match_info["token"])
    if terms is None:
        language = request_language(request)
        return _page(request, "invitation.html", 410, terms=None, error=message("invitation_spent", language))
    return _page(request, "invitation.html", terms=terms, email="", error=None)


@routes.post("/invitation/{token}")
async def accept_invitation(request: web.Request) -> web.Response:
    """Make the invited account, sign it in and go to the admin pages; the form again with what is wrong."""
    form = await request.post()
    check_form(request, form.get("csrf"), None)
    language = request_language(request)
    service = request.app[ACCOUNTS]
    token = request.match_info["token"]
    terms = await service.invitation(token)
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    try:
        if password != str(form.get("password_again", "")):
            raise SignInRefused("passwords_differ")
        account = await service.accept(token, email, password)
    except SignInRefused as refused:
        status = 410 if refused.code == "invitation_spent" else 422
        error = message(refused.code, language)
        return _page(request, "invitation.html", status, terms=terms, email=email[:254], error=error)
    session = await service.open_session(account)
    response = redirect(f"/admin?lang={language}")
    set_session_cookie(request, response, session.secret)
    return response
