"""HTTP helpers shared by the routes: JSON answers, errors that list problems, negotiation, bodies."""

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import orjson
from aiohttp import web

from dsi4bcn.i18n import LANGUAGES, Reason, choose_language, message, words_of
from dsi4bcn.profiles.validation import Problem
from dsi4bcn.web.appkeys import CONFIG
from dsi4bcn.web.languagecookie import remembered_language
from federation.conneg import media_type, negotiate
from federation.errors import NegotiationError
from federation.jsontext import JSONTextError, parse_json

__all__ = [
    "MAX_BODY",
    "ApiError",
    "body_media_type",
    "error_response",
    "html_response",
    "json_bytes",
    "json_response",
    "negotiate_or_406",
    "page_number",
    "problems_json",
    "read_body",
    "read_json_body",
    "read_upto",
    "request_language",
]

MAX_BODY = 1024 * 1024


def html_response(body: bytes, *, status: int = 200, vary: str = "Accept-Language") -> web.Response:
    """An HTML page (UTF-8) that varies on ``vary``, the request headers that chose it."""
    response = web.Response(body=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Vary"] = vary
    return response


def json_bytes(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON, written by orjson (several times faster than the standard library,
    which a 100-result directory answer made a third of its time); what orjson refuses (an integer beyond
    64 bits) by the standard library."""
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(
    data: Any,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A JSON answer with exactly ``content_type`` (no charset parameter appended)."""
    body = json_bytes(data)
    response = web.Response(body=body, status=status, headers=headers)
    response.headers["Content-Type"] = content_type
    return response


def request_language(request: web.Request) -> str:
    """The visitor's language among ca/es/en: ``?lang=``, then the one they chose before (the ``lang``
    cookie), then Accept-Language, then the node's."""
    asked = request.query.get("lang")
    if not asked or asked.lower() not in LANGUAGES:
        asked = remembered_language(request)
    return choose_language(
        asked,
        request.headers.get("Accept-Language"),
        request.app[CONFIG].language,
    )


def problems_json(problems: Sequence[Problem], language: str) -> list[dict[str, Any]]:
    """Problems as JSON objects with field, code, a message in ``language`` and, if it has any, the
    message's parameters (``suggestions``: the names a wrong one probably meant)."""
    return [_problem_json(problem, language) for problem in problems]


def _problem_json(problem: Problem, language: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "field": problem.field,
        "code": problem.code,
        "message": message(problem.code, language, **problem.params),
    }
    if problem.params:
        answer["params"] = {name: _json_param(value, language) for name, value in problem.params.items()}
    return answer


def _json_param(value: Any, language: str) -> Any:
    """A parameter as JSON: numbers, texts and lists as they are, a reason or phrase in words."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_json_param(item, language) for item in value]
    return str(words_of(value, language))


class ApiError(Exception):
    """An error to answer as JSON: status, a message code, and optionally the problems found."""

    def __init__(
        self,
        status: int,
        code: str,
        problems: Sequence[Problem] = (),
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.params = params
        self.problems = list(problems)
        self.headers = headers or {}


def error_response(error: ApiError, language: str) -> web.Response:
    """The JSON answer of an ``ApiError``: ``{"error": …, "code": …, "problems": […]}``."""
    body: dict[str, Any] = {"error": message(error.code, language, **error.params), "code": error.code}
    if error.problems:
        body["problems"] = problems_json(error.problems, language)
    return json_response(body, status=error.status, headers=error.headers)


def negotiate_or_406(request: web.Request, offers: list[str]) -> str:
    """The representation the client prefers among ``offers``; raise a 406 ``ApiError`` if none."""
    try:
        chosen = negotiate(request.headers.get("Accept"), offers)
    except NegotiationError:
        chosen = None
    if chosen is None:
        raise ApiError(406, "not_acceptable", headers={"Vary": "Accept"}, offers=", ".join(offers))
    return chosen


def page_number(text: str, maximum: int) -> int:
    """The page ``?page=`` names, 1 to ``maximum``; a 400 ``ApiError`` for anything else.

    Only ASCII digits, and no more of them than ``maximum`` has: ``str.isdigit`` also accepts "²" and "١",
    which ``int`` then refuses, and ``int`` refuses more than 4,300 digits with a ``ValueError``.
    """
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(maximum))) or not 1 <= int(text) <= maximum:
        raise ApiError(400, "bad_page", maximum=maximum)
    return int(text)


def body_media_type(request: web.Request) -> str:
    """The media type of the request body, lower-case, without parameters (``""`` if none or malformed).

    Use this, not ``request.content_type``: aiohttp reads that with the e-mail header parser, which takes
    time growing with the square of some hostile values (1.4 s for one 8 KiB header, on the event loop)
    and overflows the stack on others (thousands of ``(``).
    """
    return media_type(request.headers.get("Content-Type"))


async def read_body(
    request: web.Request,
    limit: int = MAX_BODY,
    media_types: tuple[str, ...] = ("application/json", "application/ld+json", "application/activity+json"),
) -> bytes:
    """The raw request body, at most ``limit`` bytes; a 415 or 413 ``ApiError`` otherwise."""
    if body_media_type(request) not in media_types:
        raise ApiError(415, "unsupported_media_type")
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", limit=limit)
    raw = await read_upto(request, limit)
    if len(raw) > limit:
        raise ApiError(413, "too_large", limit=limit)
    return raw


async def read_upto(request: web.Request, limit: int) -> bytes:
    """The whole body, or its first ``limit + 1`` bytes when it is longer (the caller refuses it then).

    The body must arrive within the node's ``body_timeout``: a client that stops sending gets 408 instead
    of holding its request open.
    """
    raw = bytearray()
    try:
        async with asyncio.timeout(request.app[CONFIG].body_timeout):
            async for chunk in request.content.iter_chunked(65536):
                raw.extend(chunk)
                if len(raw) > limit:
                    return bytes(raw[: limit + 1])
    except TimeoutError as error:
        raise ApiError(408, "body_timeout", seconds=f"{request.app[CONFIG].body_timeout:g}") from error
    return bytes(raw)


async def read_json_body(request: web.Request, limit: int = MAX_BODY) -> Any:
    """The request body parsed as JSON; 415, 413 or 400 ``ApiError`` when it cannot be.

    Read as the inboxes read theirs (``federation.jsontext``): UTF-8 only, no lone surrogates, and text
    nested deeper than the decoder's recursion limit is a 400, not a ``RecursionError``.
    """
    raw = await read_body(request, limit)
    try:
        return parse_json(raw)
    except JSONTextError as error:
        raise ApiError(400, "malformed_json", detail=Reason(error.code, **error.params)) from error
