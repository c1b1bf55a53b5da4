"""Check a SPARQL request before anything runs: size, read-only, nothing that could fetch, result format.

Hardened as public endpoints are: an update (INSERT, DELETE, LOAD, CLEAR…) is refused, ``SERVICE`` is
refused (this endpoint never fetches anything), and ``FROM``/``FROM NAMED`` may name only graphs the node
holds. The query is parsed with rdflib's SPARQL parser for these checks and executed by Oxigraph.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

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
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


class QueryRefused(Exception):
    """A query that is not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class CheckedQuery:
    """A query that may run: its text and form (SELECT, ASK, CONSTRUCT or DESCRIBE)."""

    text: str
    form: str


def _names(value: Any) -> Iterator[CompValue]:
    if isinstance(value, CompValue):
        yield value
        for item in value.values():
            yield from _names(item)
    elif isinstance(value, list | tuple) or hasattr(value, "asList"):
        for item in value:
            yield from _names(item)


def check_query(text: str, known_graphs: frozenset[str] | set[str]) -> CheckedQuery:
    """Parse and check ``text``; raise ``QueryRefused`` (400 or 413) with the reason."""
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise QueryRefused(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
    if not text.strip():
        raise QueryRefused(400, "the query is empty")
    try:
        parsed = parseQuery(text)
    except ParseException as error:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryRefused(400, f"the query is not valid SPARQL 1.1: {error}") from error
        raise QueryRefused(
            400, "updates (INSERT, DELETE, LOAD, CLEAR…) are not allowed: this endpoint is read-only"
        ) from error
    except RecursionError as error:
        raise QueryRefused(400, "the query is nested too deeply") from error
    query = parsed[1]
    form = _FORMS.get(query.name)
    if form is None:
        raise QueryRefused(400, f"unsupported query form {query.name}")
    for node in _names(query):
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(400, "SERVICE is not allowed: this endpoint never fetches anything")
    # CompValue.get returns the key itself when it is missing, hence no .get here.
    clauses = query["datasetClause"] if "datasetClause" in query else []  # noqa: SIM401
    for clause in clauses:
        graph = str(clause.get("default") or clause.get("named"))
        if graph not in known_graphs:
            raise QueryRefused(400, f"FROM names {graph}, which is not a graph of this node (nothing is ever fetched)")
    return CheckedQuery(text=text, form=form)


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
