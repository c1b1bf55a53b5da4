"""Check a SPARQL request before anything runs: size, read-only, nothing that could fetch, result format.

Hardened as public endpoints are: an update (INSERT, DELETE, LOAD, CLEAR…) is refused, ``SERVICE`` is
refused wherever it is nested (this endpoint never fetches anything), and ``FROM``/``FROM NAMED`` may name
only graphs the node holds. These decisions are taken on the parsed query (``dsi4bcn.sparqlsyntax``, which
reads the text as Oxigraph does), never on words found in the text; Oxigraph then runs that same text in a
graph process that cannot open a network socket at all (``dsi4bcn.sandbox``).
"""

from dataclasses import dataclass

from dsi4bcn.sparqlsyntax import SyntaxRefused, read_query
from federation.conneg import negotiate

__all__ = [
    "GRAPH_OFFERS",
    "MAX_QUERY_BYTES",
    "SELECT_OFFERS",
    "CheckedQuery",
    "QueryRefused",
    "check_query",
    "choose_format",
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
    """A query that is not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


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
        raise QueryRefused(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
    if not text.strip():
        raise QueryRefused(400, "the query is empty")
    try:
        syntax = read_query(text, base)
    except SyntaxRefused as refused:
        if refused.update:
            raise QueryRefused(
                400, "updates (INSERT, DELETE, LOAD, CLEAR…) are not allowed: this endpoint is read-only"
            ) from refused
        raise QueryRefused(400, f"the query is not valid SPARQL 1.1: {refused.reason}") from refused
    if syntax.services:
        where = "; ".join(syntax.services)
        raise QueryRefused(400, f"SERVICE is not allowed ({where}): this endpoint never fetches anything")
    if default_graphs or named_graphs:
        for name, graphs in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
            for graph in graphs:
                if graph not in known_graphs:
                    raise QueryRefused(400, f"{name} names {graph}, which is not a graph of this node")
        return CheckedQuery(text=text, form=syntax.form, dataset=(default_graphs, named_graphs))
    for graph in syntax.default_graphs + syntax.named_graphs:
        if graph not in known_graphs:
            raise QueryRefused(400, f"FROM names {graph}, which is not a graph of this node (nothing is ever fetched)")
    return CheckedQuery(text=text, form=syntax.form)


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
