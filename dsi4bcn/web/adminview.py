"""What every admin page shares: the signed-in person (or a 303 to the sign-in page that comes back), the
page rendered for them with their forms' CSRF token, and a posted form checked before anything changes
(``checked_upload_form`` for one that carries a file, read with bounds so that an oversized file is an
error beside its field rather than a refused request).
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import BodyPartReader, web
from multidict import MultiDictProxy

from dsi4bcn.web.accountsession import SignedIn, check_form, signed_in
from dsi4bcn.web.appkeys import CONFIG, TEMPLATES
from dsi4bcn.web.http import ApiError, html_response, request_language
from dsi4bcn.web.principal import Principal
from dsi4bcn.web.templating import render_page

__all__ = ["UploadForm", "admin_page", "checked_form", "checked_upload_form", "principal_of", "signed_or_redirect"]

_FIELD_LIMIT = 64 * 1024  # bytes of one text field of an upload form
_MAX_PARTS = 32


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


@dataclass(frozen=True)
class UploadForm:
    """A posted form that may carry one file: its text fields, the file's bytes (None when no file was
    chosen) and whether the file was over the limit (its bytes are then not kept)."""

    fields: Mapping[str, str]
    file: bytes | None = None
    too_large: bool = False


async def _read_part(part: BodyPartReader, limit: int) -> bytes | None:
    """A part's bytes, or None once they run past ``limit`` (the rest is left unread)."""
    data = bytearray()
    while chunk := await part.read_chunk(65536):
        data.extend(chunk)
        if len(data) > limit:
            return None
    return bytes(data)


async def _multipart(request: web.Request, file_field: str, limit: int) -> UploadForm:
    """The parts of a multipart form: at most ``_MAX_PARTS``, text fields of at most ``_FIELD_LIMIT`` bytes."""
    fields: dict[str, str] = {}
    file: bytes | None = None
    reader = await request.multipart()
    for _ in range(_MAX_PARTS):
        part = await reader.next()
        if part is None:
            return UploadForm(fields, file)
        if not isinstance(part, BodyPartReader):
            raise ApiError(400, "bad_request")
        if part.name == file_field and file is None:
            data = await _read_part(part, limit)
            if data is None:  # the rest is left unread: the csrf token comes before the file in the form
                return UploadForm(fields, None, True)
            file = data if data or part.filename else None
            continue
        text = await _read_part(part, _FIELD_LIMIT)
        if text is None:
            raise ApiError(413, "too_large", limit=_FIELD_LIMIT)
        fields.setdefault(part.name or "", text.decode("utf-8", "replace"))
    raise ApiError(400, "bad_request")


async def checked_upload_form(request: web.Request, signed: SignedIn, file_field: str, limit: int) -> UploadForm:
    """A posted form with the file field ``file_field`` (``multipart/form-data``, read within the node's body
    time limit: a file over ``limit`` bytes is marked ``too_large``), once its CSRF token and origin are
    checked (403 otherwise). A form without a file (``application/x-www-form-urlencoded``) is read as
    ``checked_form`` reads it."""
    if request.content_type != "multipart/form-data":
        form = await checked_form(request, signed)
        return UploadForm({name: value for name, value in form.items() if isinstance(value, str)})
    seconds = request.app[CONFIG].body_timeout
    try:
        async with asyncio.timeout(seconds):
            upload = await _multipart(request, file_field, limit)
    except TimeoutError as error:
        raise ApiError(408, "body_timeout", seconds=f"{seconds:g}") from error
    except ValueError as error:  # a multipart body aiohttp cannot read (no boundary, broken headers)
        raise ApiError(400, "bad_request") from error
    check_form(request, upload.fields.get("csrf"), signed)
    return upload
