"""SPARQL 1.1 Protocol at ``/sparql``, downloads at ``/graph``, and a VoID/DCAT description of the dataset.

The default graph is the union of all named graphs (each actor's profile is its own named graph), so a
plain ``SELECT … WHERE { ?s ?p ?o }`` sees everything; ``GRAPH`` reaches one graph. Queries are checked
first (``dsi4bcn.sparql.checks``, on the parsed query), run in the graph process with a time limit after which they
are really stopped (503), and their results are capped. Errors of the graph process other than Oxigraph's
syntax errors (which describe the client's own query) are logged and answered with a generic 500: their text
could quote something the evaluation read. The protocol's ``default-graph-uri``/``named-graph-uri`` make the
dataset exactly those graphs (``dsi4bcn.sparql.protocol``); every update is refused with 400. With the graph in
an external engine (``dsi4bcn.graph.remotestore``) the same checks, limits and formats hold, and an engine that
cannot be reached is a 503. Per-client slots
(``dsi4bcn.web.queryslots``, with a short waiting line) key on ``dsi4bcn.web.clientaddress``.
"""

import asyncio
import logging
import os
from collections.abc import Awaitable
from typing import TypeVar

from aiohttp import web

from dsi4bcn.graph.process import GraphError, QueryTimeout
from dsi4bcn.i18n import Reason
from dsi4bcn.sparql.checks import MAX_QUERY_BYTES, QueryRefused, check_query, choose_format, engine_syntax_reason
from dsi4bcn.sparql.examples import EXAMPLES
from dsi4bcn.sparql.protocol import ProtocolRequest, read_request
from dsi4bcn.sparql.results import SELECT_FORMATS
from dsi4bcn.web.appkeys import CONFIG, GRAPH, GRAPH_DUMPS, GRAPH_SERVICE, GRAPH_SYNC, METRICS, QUERY_SLOTS, TEMPLATES
from dsi4bcn.web.clientaddress import client_address
from dsi4bcn.web.graphdumps import DumpsBusy
from dsi4bcn.web.http import ApiError, body_media_type, json_response, negotiate_or_406, read_upto, request_language
from dsi4bcn.web.queryslots import SlotRefused
from dsi4bcn.web.requestmetrics import sparql_outcome
from dsi4bcn.web.templating import render_page

__all__ = ["routes"]

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
_T = TypeVar("_T")
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
}
_CHUNK = 1 << 20  # a dump is sent a MiB at a time
# Queries shorter than this are checked on the event loop (well under a millisecond); longer ones in a thread.
_INLINE_CHECK_BYTES = 4096


def _refused(status: int, reason: Reason, **headers: str) -> ApiError:
    return ApiError(status, "sparql_refused", headers={**_CORS, **headers}, reason=reason)


async def _read(request: web.Request) -> ProtocolRequest:
    """The protocol request: query, dataset and format (``dsi4bcn.sparql.protocol``), the body read bounded."""
    body = b""
    media_type = body_media_type(request) if request.method == "POST" else ""
    if request.method == "POST":
        if request.content_length is not None and request.content_length > MAX_QUERY_BYTES * 2:
            raise _refused(413, Reason("sparql_request_too_long", limit=MAX_QUERY_BYTES * 2))
        body = await read_upto(request, MAX_QUERY_BYTES * 2)
        if len(body) > MAX_QUERY_BYTES * 2:
            raise _refused(413, Reason("sparql_request_too_long", limit=MAX_QUERY_BYTES * 2))
    try:
        return read_request(request.method, list(request.query.items()), media_type, _charset(request), body)
    except QueryRefused as refused:
        raise _refused(refused.status, refused.detail) from refused


def _charset(request: web.Request) -> str | None:
    """The ``charset`` parameter of the body's Content-Type, read without aiohttp's slow header parser."""
    for parameter in request.headers.get("Content-Type", "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip()
    return None


async def _unless_unavailable(work: Awaitable[_T]) -> _T:
    """``work``'s result; 503 if an external graph store cannot be reached."""
    try:
        return await work
    except GraphError as error:
        if error.kind != "unavailable":
            raise
        raise _refused(503, Reason("sparql_store_unavailable"), **{"Retry-After": "30"}) from error


@routes.options("/sparql")
async def preflight(request: web.Request) -> web.Response:
    """CORS preflight."""
    return web.Response(status=204, headers=_CORS)


@routes.get("/sparql")
@routes.post("/sparql")
async def sparql(request: web.Request) -> web.StreamResponse:
    """Run a read-only SPARQL query, or describe the service (no query). Each query is counted by its
    outcome (``dsi4bcn_sparql_queries_total``: ok, or why not)."""
    metrics = request.app[METRICS]
    try:
        asked = await _read(request)
        answer = None if asked.query is None else await _run(request, asked, asked.query)
    except ApiError as error:
        metrics.sparql_queries.labels(sparql_outcome(error)).inc()
        raise
    if answer is None:
        return await _describe_service(request)
    metrics.sparql_queries.labels("ok").inc()
    return answer


async def _run(request: web.Request, asked: ProtocolRequest, text: str) -> web.Response:
    """The query checked, run in the graph process with the node's limits, and its results."""
    config = request.app[CONFIG]
    known = frozenset(await request.app[GRAPH].graph_names())
    base = f"{config.base_url}/sparql"  # the base IRI of relative IRIs, "defined by the service"
    arguments = (text, known, asked.default_graphs, asked.named_graphs, base)
    try:
        if len(text) < _INLINE_CHECK_BYTES:
            checked = check_query(*arguments)
        else:  # linear, but up to ~150 ms for 64 KiB: keep the loop free for other requests
            checked = await asyncio.to_thread(check_query, *arguments)
    except QueryRefused as refused:
        raise _refused(refused.status, refused.detail) from refused
    media_type = choose_format(checked.form, request.headers.get("Accept"), asked.format)
    if media_type is None:
        raise _refused(406, Reason("sparql_no_format", form=checked.form))
    client = client_address(request)
    try:
        async with request.app[QUERY_SLOTS].slot(client):
            result = await request.app[GRAPH_SERVICE].query(
                checked.text,
                select_format=SELECT_FORMATS.get(media_type, "json"),
                graph_format=media_type if checked.form in ("CONSTRUCT", "DESCRIBE") else "text/turtle",
                cap=config.result_cap,
                limit=config.query_timeout,
                union=True,
                dataset=checked.dataset,
                base=base,
            )
    except SlotRefused as busy:
        waited = isinstance(busy.__cause__, TimeoutError)
        reason = (
            Reason("sparql_waited", seconds=f"{request.app[QUERY_SLOTS].wait:g}") if waited else Reason("sparql_busy")
        )
        raise _refused(429, reason, **{"Retry-After": "2"}) from busy
    except QueryTimeout as error:
        raise _refused(
            503, Reason("sparql_timeout", limit=f"{config.query_timeout:g}"), **{"Retry-After": "10"}
        ) from error
    except GraphError as error:
        if error.kind == "syntax":
            raise _refused(400, engine_syntax_reason(str(error))) from error
        if error.kind == "unavailable":  # an external store that is down or restarting
            raise _refused(503, Reason("sparql_store_unavailable"), **{"Retry-After": "30"}) from error
        log.error("SPARQL query from %s failed in the graph process: %s", client, error)
        raise ApiError(500, "internal_error", headers=_CORS) from error
    response = web.Response(body=result.body, headers=_CORS)
    response.headers["Content-Type"] = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    response.headers["X-SPARQL-Result-Cap"] = str(config.result_cap)
    response.headers["Server-Timing"] = f"query;dur={result.seconds * 1000:.1f}"
    if result.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
    return response


async def _describe_service(request: web.Request) -> web.Response:
    media_type = negotiate_or_406(request, ["text/html", "text/turtle", "application/ld+json"])
    base = request.app[CONFIG].base_url
    if media_type == "text/html":
        language = request_language(request)
        body = render_page(
            request.app[TEMPLATES], "sparql.html", language, examples=EXAMPLES[language], endpoint=f"{base}/sparql"
        )
        return web.Response(body=body, content_type="text/html", charset="utf-8")
    description = {
        "@context": {
            "sd": "http://www.w3.org/ns/sparql-service-description#",
            "void": "http://rdfs.org/ns/void#",
            "dcterms": "http://purl.org/dc/terms/",
        },
        "@id": f"{base}/sparql#service",
        "@type": "sd:Service",
        "sd:endpoint": {"@id": f"{base}/sparql"},
        "sd:supportedLanguage": {"@id": "sd:SPARQL11Query"},
        "sd:feature": {"@id": "sd:UnionDefaultGraph"},
        "sd:resultFormat": [
            {"@id": f"http://www.w3.org/ns/formats/{name}"}
            for name in (
                "SPARQL_Results_JSON",
                "SPARQL_Results_XML",
                "SPARQL_Results_CSV",
                "SPARQL_Results_TSV",
                "Turtle",
                "N-Triples",
                "JSON-LD",
                "RDF_XML",
            )
        ],
        "sd:defaultDataset": {
            "@id": f"{base}/graph",
            "@type": "sd:Dataset",
            "void:sparqlEndpoint": {"@id": f"{base}/sparql"},
        },
        "dcterms:description": (
            "Read-only; SERVICE refused; the default graph is the union of all named graphs, unless the request "
            "gives default-graph-uri or named-graph-uri."
        ),
    }
    if media_type == "application/ld+json":
        return json_response(description, content_type="application/ld+json", headers=_CORS)
    from vocab.rdf import jsonld_to_graph

    turtle = jsonld_to_graph(description).serialize(format="turtle")
    return web.Response(text=turtle, content_type="text/turtle", headers=_CORS)


@routes.get("/graph")
async def download(request: web.Request) -> web.StreamResponse:
    """The whole dataset, as N-Quads (default) or TriG, streamed from a file (``dsi4bcn.web.graphdumps``)."""
    media_type = negotiate_or_406(request, ["application/n-quads", "application/trig", "text/plain"])
    media_type = "application/n-quads" if media_type == "text/plain" else media_type
    name = "graph.nq" if media_type == "application/n-quads" else "graph.trig"
    service = request.app[GRAPH_SERVICE]
    try:
        dump = request.app[GRAPH_DUMPS].open(media_type, await request.app[GRAPH_SYNC].latest_batch(), service.dump)
        async with dump as handle:
            response = web.StreamResponse(headers=_CORS)
            response.headers["Content-Type"] = media_type
            response.headers["Content-Disposition"] = f'attachment; filename="dsi4bcn-{name}"'
            response.content_length = os.fstat(handle.fileno()).st_size
            await response.prepare(request)
            while chunk := await asyncio.to_thread(handle.read, _CHUNK):
                await response.write(chunk)
            await response.write_eof()
            return response
    except DumpsBusy as busy:
        raise _refused(503, Reason("graph_dumps_busy"), **{"Retry-After": "60"}) from busy
    except GraphError as error:
        if error.kind != "unavailable":
            raise
        raise _refused(503, Reason("sparql_store_unavailable"), **{"Retry-After": "30"}) from error


@routes.get("/graph/void")
async def void_description(request: web.Request) -> web.Response:
    """A VoID and DCAT description of the dataset: size, graphs, peers, licence, last update."""
    media_type = negotiate_or_406(request, ["text/turtle", "application/ld+json", "application/json"])
    document = await _unless_unavailable(request.app[GRAPH].void(request.app[CONFIG]))
    if media_type == "text/turtle":
        from vocab.rdf import jsonld_to_graph

        return web.Response(
            text=jsonld_to_graph(document).serialize(format="turtle"), content_type="text/turtle", headers=_CORS
        )
    return json_response(document, content_type=media_type, headers=_CORS)
