"""Read a SPARQL 1.1 Protocol request: which query, which dataset, and whether it is an update.

Pure: it takes the method, the URL's parameters, the body's media type and charset, and the body, and
returns a ``ProtocolRequest`` or raises ``QueryRefused`` with the status to answer. The rules follow the
SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/#query-operation):

- a query comes in exactly one place: ``?query=`` (GET), a form field ``query`` (POST
  ``application/x-www-form-urlencoded``) or the body (POST ``application/sparql-query``); two ``query``
  parameters, or one in the URL and one in the body, are refused (400);
- ``default-graph-uri`` and ``named-graph-uri`` (repeatable) are read from the URL and, for a form, from the
  body too; they make the dataset, in place of the query's ``FROM``/``FROM NAMED`` (§2.1.4);
- anything that is an update (``update=`` anywhere, ``using-graph-uri``, ``using-named-graph-uri``, an
  ``application/sparql-update`` body) is refused with 400: this endpoint is read-only;
- bodies are UTF-8 (§2.1.2, §2.1.3); another charset is refused with 415, as is any other media type.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl

from dsi4bcn.i18n import Reason
from dsi4bcn.sparql.checks import QueryRefused

__all__ = ["READ_ONLY", "ProtocolRequest", "read_request"]

READ_ONLY = "updates (INSERT, DELETE, LOAD, CLEAR…) are not allowed: this endpoint is read-only"
_UPDATE_PARAMETERS = ("update", "using-graph-uri", "using-named-graph-uri")
_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"


@dataclass(frozen=True)
class ProtocolRequest:
    """What a request asks: its query (None: describe the service), dataset and ``format=`` override."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def read_request(
    method: str,
    url_parameters: list[tuple[str, str]],
    media_type: str = "",
    charset: str | None = None,
    body: bytes = b"",
) -> ProtocolRequest:
    """Read a GET or POST to the endpoint; raise ``QueryRefused`` (400 or 415) with the reason.

    ``media_type`` is the body's, lower-case and without parameters (``""`` if none); ``charset`` its
    ``charset`` parameter, if any.
    """
    parameters = list(url_parameters)
    body_query: str | None = None
    if method == "POST":
        if media_type == "application/sparql-update":
            raise QueryRefused(400, Reason("sparql_update"))
        if media_type not in (_FORM, _DIRECT):
            raise QueryRefused(415, Reason("sparql_media_type"))
        if charset is not None and charset.lower().strip('"') not in ("utf-8", "utf8"):
            raise QueryRefused(415, Reason("sparql_charset", charset=charset))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise QueryRefused(400, Reason("sparql_body_not_utf8")) from error
        if media_type == _FORM:
            try:
                parameters += parse_qsl(text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError as error:
                raise QueryRefused(400, Reason("sparql_form_not_utf8")) from error
        else:
            body_query = text
    names = [name for name, _ in parameters]
    if any(name in _UPDATE_PARAMETERS for name in names):
        raise QueryRefused(400, Reason("sparql_update"))
    queries = [value for name, value in parameters if name == "query"]
    if body_query is not None and queries:
        raise QueryRefused(400, Reason("sparql_query_twice"))
    if len(queries) > 1:
        raise QueryRefused(400, Reason("sparql_queries", count=len(queries)))
    query = body_query if body_query is not None else (queries[0] if queries else None)
    if query is None and method == "POST":
        raise QueryRefused(400, Reason("sparql_no_query_field"))
    formats = [value for name, value in parameters if name == "format"]
    return ProtocolRequest(
        query=query,
        default_graphs=tuple(value for name, value in parameters if name == "default-graph-uri"),
        named_graphs=tuple(value for name, value in parameters if name == "named-graph-uri"),
        format=formats[0] if formats else None,
    )
