"""The signed-in browser: its session cookie, and the CSRF checks of every form that changes something.

The session cookie holds a random secret (the database keeps its hash); it is ``HttpOnly``,
``SameSite=Lax``, and ``Secure`` when the node is served over https. A session id is only ever made by a
sign-in: a cookie the node did not issue opens nothing, and signing in always sets a new one (no session
fixation). Forms carry a CSRF token: the session's own once signed in, and before that (sign-in,
invitation) one also set in a cookie of its own, which the form must repeat (a double-submit token).
A request whose ``Origin`` or ``Sec-Fetch-Site`` says it comes from another site is refused as well.
"""

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from dsi4bcn.storage.accounts import Account
from dsi4bcn.web.accountservice import SESSION_DAYS
from dsi4bcn.web.appkeys import ACCOUNTS, CONFIG
from dsi4bcn.web.http import ApiError

__all__ = [
    "FORM_COOKIE",
    "SESSION_COOKIE",
    "SignedIn",
    "check_form",
    "clear_session_cookie",
    "form_token",
    "set_form_cookie",
    "set_session_cookie",
    "signed_in",
]

SESSION_COOKIE = "dsi4bcn_session"
FORM_COOKIE = "dsi4bcn_form"
_FORM_SECONDS = 2 * 3600
_SIGNED_IN = web.RequestKey("signed_in", object)


@dataclass(frozen=True)
class SignedIn:
    """The account of this request's session, its forms' CSRF token and the cookie's secret."""

    account: Account
    csrf: str
    secret: str


def _secure(request: web.Request) -> bool:
    return request.app[CONFIG].base_url.startswith("https://")


async def signed_in(request: web.Request) -> SignedIn | None:
    """Who is signed in on this request, if anyone (looked up once per request)."""
    if _SIGNED_IN not in request:
        secret = request.cookies.get(SESSION_COOKIE, "")
        found = await request.app[ACCOUNTS].session(secret) if 20 <= len(secret) <= 100 else None
        request[_SIGNED_IN] = SignedIn(found[0], found[1], secret) if found else None
    signed = request[_SIGNED_IN]
    return signed if isinstance(signed, SignedIn) else None


def set_session_cookie(request: web.Request, response: web.StreamResponse, secret: str) -> None:
    """Give the browser its new session's cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=SESSION_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Tell the browser to forget its session cookie."""
    response.del_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="Lax")


def form_token(request: web.Request, response_cookies: dict[str, str]) -> str:
    """The CSRF token for a form shown before signing in: the one in the browser's form cookie, or a new
    one (put in ``response_cookies``, to be set with ``set_form_cookie``)."""
    current = request.cookies.get(FORM_COOKIE, "")
    if len(current) == 43 and current.replace("-", "").replace("_", "").isalnum():
        return current
    token = secrets.token_urlsafe(32)
    response_cookies[FORM_COOKIE] = token
    return token


def set_form_cookie(request: web.Request, response: web.StreamResponse, cookies: dict[str, str]) -> None:
    """Set the form cookie ``form_token`` made, if it made one."""
    if FORM_COOKIE in cookies:
        response.set_cookie(
            FORM_COOKIE,
            cookies[FORM_COOKIE],
            max_age=_FORM_SECONDS,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=_secure(request),
        )


def _same_site(request: web.Request) -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = urlsplit(request.app[CONFIG].base_url)
    given = urlsplit(origin)
    return (given.scheme, given.netloc.lower()) == (own.scheme, own.netloc.lower())


def check_form(request: web.Request, token: object, signed: SignedIn | None) -> None:
    """Refuse (403) a form that changes something unless it comes from this site with the right CSRF
    token: the session's once signed in, else the one in the browser's form cookie."""
    expected = signed.csrf if signed else request.cookies.get(FORM_COOKIE, "")
    given = (token if isinstance(token, str) else "").encode("utf-8", "replace")
    if not (_same_site(request) and expected and hmac.compare_digest(given, expected.encode())):
        raise ApiError(403, "csrf_refused")
