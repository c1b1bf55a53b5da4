"""What every admin page shares: the signed-in person (or a 303 to the sign-in page that comes back), the
page rendered for them with their forms' CSRF token, and a posted form checked before anything changes.
"""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from dsi4bcn.web.accountsession import SignedIn, check_form, signed_in
from dsi4bcn.web.appkeys import TEMPLATES
from dsi4bcn.web.http import html_response, request_language
from dsi4bcn.web.principal import Principal
from dsi4bcn.web.templating import render_page

__all__ = ["admin_page", "checked_form", "principal_of", "signed_or_redirect"]


async def signed_or_redirect(request: web.Request) -> SignedIn:
    """The signed-in person, or (raised) a 303 to the sign-in page, which comes back here afterwards."""
    signed = await signed_in(request)
    if signed is None:
        back = urlencode({"lang": request_language(request), "next": request.path_qs})
        raise web.HTTPSeeOther(f"/signin?{back}", headers={"Cache-Control": "no-store"})
    return signed


def principal_of(signed: SignedIn) -> Principal:
    """What the signed-in person may do (as their personal API token may)."""
    return Principal.of(signed.account)


def admin_page(
    request: web.Request, signed: SignedIn, template: str, status: int = 200, **context: Any
) -> web.Response:
    """``template`` rendered for ``signed`` (``me`` and ``csrf`` in its context), never cached."""
    language = request_language(request)
    body = render_page(
        request.app[TEMPLATES], template, language, query=request.query, csrf=signed.csrf, me=signed.account, **context
    )
    response = html_response(body, status=status, vary="Accept-Language, Cookie")
    response.headers["Cache-Control"] = "no-store"
    return response


async def checked_form(
    request: web.Request, signed: SignedIn
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The posted form, once its CSRF token and origin are checked (403 otherwise)."""
    form = await request.post()
    check_form(request, form.get("csrf"), signed)
    return form
