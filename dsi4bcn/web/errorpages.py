"""Errors as people and programs want them: an HTML page in the visitor's language for a browser, the JSON
answer (``{"error", "code", "problems"}``) for everyone else.

A request gets the page when its Accept header prefers ``text/html`` to JSON (``federation.conneg``, as the
pages negotiate) and it is not addressed to a machine surface: the admin and data APIs under ``/api/``,
the inboxes, ``/.well-known/``, NodeInfo, the instance actor, or any request carrying an HTTP signature.
A page never shows a traceback: a 500 says only that something failed and was logged.
"""

from aiohttp import web

from dsi4bcn.i18n import UI, message
from dsi4bcn.web.appkeys import TEMPLATES
from dsi4bcn.web.http import ApiError, error_response, request_language
from dsi4bcn.web.templating import render_page
from federation.conneg import negotiate
from federation.errors import NegotiationError
from federation.media import ACTIVITY_JSON, HTML, JSON, LD_JSON_AS

__all__ = ["error_answer", "prefers_html"]

_MACHINE_PREFIXES = ("/api/", "/.well-known/", "/nodeinfo/", "/actor/", "/inbox")
_MACHINE_PATHS = ("/actor", "/healthz", "/nodeinfo")
# Offers in this order: a client that accepts anything (``*/*``) gets JSON, a browser gets the page.
_OFFERS = [JSON, ACTIVITY_JSON, LD_JSON_AS, HTML]
# Codes whose message only repeats the status: the page's own explanation says it better.
_GENERIC = {"bad_request", "not_found", "method_not_allowed", "internal_error", "gone", "too_large"}


def prefers_html(request: web.Request) -> bool:
    """Whether this request comes from a browser that should see an error as a page."""
    path = request.path
    if path in _MACHINE_PATHS or path.startswith(_MACHINE_PREFIXES) or path.endswith("/inbox"):
        return False
    if "signature" in request.headers or "signature-input" in request.headers:
        return False
    try:
        return negotiate(request.headers.get("Accept"), _OFFERS) == HTML
    except NegotiationError:
        return False


def _error_page(request: web.Request, error: ApiError, language: str) -> web.Response:
    labels = {key: values[language] for key, values in UI.items()}
    explanation_key = f"error_{error.status}"
    explanation = labels.get(explanation_key, labels["error_other"])
    reason = None if error.code in _GENERIC else message(error.code, language, **error.params)
    body = render_page(
        request.app[TEMPLATES],
        "error.html",
        language,
        status=error.status,
        explanation=explanation,
        reason=reason,
        code=error.code,
    )
    headers = {name: value for name, value in error.headers.items() if name.lower() != "content-type"}
    response = web.Response(body=body, status=error.status, headers=headers)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def error_answer(request: web.Request, error: ApiError) -> web.Response:
    """The answer to ``error``: a page in the visitor's language for a browser, JSON otherwise."""
    language = request_language(request)
    if prefers_html(request):
        return _error_page(request, error, language)
    return error_response(error, language)
