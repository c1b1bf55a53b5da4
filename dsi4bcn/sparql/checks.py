"""Check a SPARQL request before anything runs: size, read-only, nothing that could fetch, result format.

Hardened as public endpoints are: an update (INSERT, DELETE, LOAD, CLEAR…) is refused, ``SERVICE`` is
refused wherever it is nested (this endpoint never fetches anything), and ``FROM``/``FROM NAMED`` may name
only graphs the node holds. These decisions are taken on the parsed query (``dsi4bcn.sparql.syntax``, which
reads the text as Oxigraph does), never on words found in the text; Oxigraph then runs that same text in a
graph process that cannot open a network socket at all (``dsi4bcn.graph.sandbox``).
"""

from dataclasses import dataclass

from dsi4bcn.i18n import Phrase, Reason
from dsi4bcn.sparql.syntax import SyntaxRefused, read_query
from federation.conneg import negotiate

__all__ = [
    "GRAPH_OFFERS",
    "MAX_QUERY_BYTES",
    "SELECT_OFFERS",
    "CheckedQuery",
    "QueryRefused",
    "check_query",
    "choose_format",
    "engine_syntax_reason",
]

MAX_QUERY_BYTES = 64 * 1024
SELECT_OFFERS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
]
GRAPH_OFFERS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


class QueryRefused(Exception):
    """A query that is not run: the HTTP ``status`` to answer with, and why (``detail``, put into words in the
    requester's language; ``reason``, the same in English)."""

    def __init__(self, status: int, detail: Reason) -> None:
        self.reason = str(detail)
        super().__init__(self.reason)
        self.status = status
        self.detail = detail


def _syntax(refused: SyntaxRefused) -> Reason:
    words = {
        name: Phrase(str(value)) if name in ("expected", "found") else value for name, value in refused.params.items()
    }
    return Reason("sparql_syntax", detail=Reason(refused.code, **words))


@dataclass(frozen=True)
class CheckedQuery:
    """A query that may run: its text, form (SELECT, ASK, CONSTRUCT or DESCRIBE) and protocol dataset.

    ``dataset`` is None when the request named no graphs (the query's own ``FROM``, or else the union of all
    graphs, applies); otherwise the default and named graphs it named, which replace the query's ``FROM``.
    """

    text: str
    form: str
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None


def check_query(
    text: str,
    known_graphs: frozenset[str] | set[str],
    default_graphs: tuple[str, ...] = (),
    named_graphs: tuple[str, ...] = (),
    base: str | None = None,
) -> CheckedQuery:
    """Check ``text`` without running it; raise ``QueryRefused`` (400 or 413) with the reason.

    The query is parsed (in time linear in its length) and refused if it is an update, calls ``SERVICE``
    anywhere, or names in ``FROM``/``FROM NAMED`` a graph that is not in ``known_graphs``. The protocol's
    ``default-graph-uri``/``named-graph-uri`` (``default_graphs``, ``named_graphs``) are held to the same
    rule and, when given, replace the query's ``FROM``/``FROM NAMED``, which are then not used at all
    (SPARQL 1.1 Protocol §2.1.4, https://www.w3.org/TR/sparql11-protocol/#dataset). Relative IRIs resolve
    against ``base`` (the endpoint's IRI) when the query has no ``BASE``; Oxigraph must run it with the same.
    """
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise QueryRefused(413, Reason("sparql_query_too_long", limit=MAX_QUERY_BYTES))
    if not text.strip():
        raise QueryRefused(400, Reason("sparql_empty"))
    try:
        syntax = read_query(text, base)
    except SyntaxRefused as refused:
        raise QueryRefused(400, Reason("sparql_update") if refused.update else _syntax(refused)) from refused
    if syntax.services:
        line, _, column = syntax.services[0].removeprefix("line ").partition(", column ")  # the first one
        raise QueryRefused(400, Reason("sparql_service", where=Reason("sparql_at", line=line, column=column)))
    if default_graphs or named_graphs:
        for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
            for graph in graphs:
                if graph not in known_graphs:
                    raise QueryRefused(400, Reason("sparql_dataset_graph", name=name, graph=graph))
        return CheckedQuery(text=text, form=syntax.form, dataset=(default_graphs, named_graphs))
    for graph in syntax.default_graphs + syntax.named_graphs:
        if graph not in known_graphs:
            raise QueryRefused(400, Reason("sparql_unknown_graph", graph=graph))
    return CheckedQuery(text=text, form=syntax.form)


def engine_syntax_reason(text: str) -> Reason:
    """Why Oxigraph refused a query's text (``error at 2:26: expected one of ABS, AVG, …``), as a reason
    that says where in words; its raw expectation set is not shown."""
    place = text.removeprefix("error at ").split(":", 2)
    line, column = (place[0], place[1]) if len(place) == 3 and place[0].isdigit() and place[1].isdigit() else ("1", "1")
    return Reason("sparql_syntax", detail=Reason("sparql_engine_syntax", line=line, column=column))


def choose_format(form: str, accept: str | None, requested: str | None = None) -> str | None:
    """The media type to answer ``form`` with (``format=`` parameter first, then Accept); None if none fits."""
    offers = SELECT_OFFERS if form in ("SELECT", "ASK") else GRAPH_OFFERS
    aliases = {
        "json": offers[0],
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
        "turtle": "text/turtle",
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "ntriples": "application/n-triples",
        "jsonld": "application/ld+json",
    }
    if requested:
        chosen = aliases.get(requested.lower(), requested.lower())
        return chosen if chosen in offers else None
    if form == "ASK":
        offers = offers[:2] + offers[4:]  # CSV/TSV have no boolean form worth offering first
    return negotiate(accept, offers)
