"""The visitor's language choice, remembered in a cookie when they pick one with the language switcher.

A page asked for with ``?lang=ca|es|en`` answers with ``Set-Cookie: lang=…`` (a year, ``SameSite=Lax``,
``HttpOnly``, ``Secure`` on an https node); later pages without ``?lang=`` read it before Accept-Language.
Every HTML answer varies on Cookie, so that no cache hands one visitor's language to another.
"""

from collections.abc import Awaitable, Callable
from http.cookies import CookieError

from aiohttp import web

from dsi4bcn.i18n import LANGUAGES
from dsi4bcn.web.appkeys import CONFIG

__all__ = ["LANGUAGE_COOKIE", "remember_language", "remembered_language"]

LANGUAGE_COOKIE = "lang"
_ONE_YEAR = 365 * 24 * 3600
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def remembered_language(request: web.Request) -> str | None:
    """The language the visitor's cookie names, if it is one the node speaks."""
    try:
        value = request.cookies.get(LANGUAGE_COOKIE)
    except (ValueError, KeyError, CookieError):  # a Cookie header the parser refuses is no choice at all
        return None
    return value if value in LANGUAGES else None


def _add_vary(response: web.StreamResponse, name: str) -> None:
    present = [item.strip() for item in response.headers.get("Vary", "").split(",") if item.strip()]
    if name.lower() not in (item.lower() for item in present):
        response.headers["Vary"] = ", ".join([*present, name])


@web.middleware
async def remember_language(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Set the language cookie on an HTML answer to ``?lang=`` with a language the node speaks."""
    response = await handler(request)
    if not isinstance(response, web.Response) or response.content_type != "text/html":
        return response
    _add_vary(response, "Cookie")
    chosen = request.query.get("lang", "").lower()
    if chosen in LANGUAGES and chosen != remembered_language(request):
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=_ONE_YEAR,
            path="/",
            samesite="Lax",
            httponly=True,
            secure=request.app[CONFIG].base_url.startswith("https://"),
        )
    return response
