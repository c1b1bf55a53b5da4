"""Check a SPARQL request before anything runs: size, read-only, nothing that could fetch, result format.

Hardened as public endpoints are: an update (INSERT, DELETE, LOAD, CLEAR…) is refused, ``SERVICE`` is
refused (this endpoint never fetches anything), and ``FROM``/``FROM NAMED`` may name only graphs the node
holds. A light tokenizer makes these checks; Oxigraph parses and executes the query.
"""

import re
from dataclasses import dataclass

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


# Lexical tokens of SPARQL that can hide keywords: comments, long and short strings, IRIs.
_HIDING = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\")"
    r"|(?P<short>'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
)
# A bare keyword: not part of a variable (?x, $x), a prefixed name (ex:x) or a longer word.
_WORD = re.compile(r"(?<![?$:\w-])([A-Za-z]+)(?![\w:-])")
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(?:\x00(\d+)\x00|([A-Za-z][\w.-]*)?:([\w.-]*))", re.IGNORECASE)
_PREFIX = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*\x00(\d+)\x00", re.IGNORECASE)


def _mask(text: str) -> tuple[str, list[str]]:
    """The query with comments and strings blanked, and IRIs replaced by numbered markers."""
    iris: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group("iri"):
            iris.append(match.group("iri")[1:-1])
            return f" \x00{len(iris) - 1}\x00 "
        return " " if match.group("comment") else ' "" '

    return _HIDING.sub(replace, text), iris


def check_query(text: str, known_graphs: frozenset[str] | set[str]) -> CheckedQuery:
    """Check ``text`` without running it; raise ``QueryRefused`` (400 or 413) with the reason.

    A light tokenizer (comments, strings and IRIs set aside) finds the query form, updates, ``SERVICE``
    and dataset clauses; Oxigraph then parses the query for real, and its ``query`` can never run an update.
    """
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise QueryRefused(413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
    if not text.strip():
        raise QueryRefused(400, "the query is empty")
    masked, iris = _mask(text)
    words = [match.group(1).upper() for match in _WORD.finditer(masked)]
    first = next((word for word in words if word not in ("PREFIX", "BASE")), None)
    if first in _UPDATE_WORDS:
        raise QueryRefused(400, "updates (INSERT, DELETE, LOAD, CLEAR…) are not allowed: this endpoint is read-only")
    if "SERVICE" in words:
        raise QueryRefused(400, "SERVICE is not allowed: this endpoint never fetches anything")
    form = next((word for word in words if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form is None:
        raise QueryRefused(400, "the query is not valid SPARQL 1.1: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    prefixes = {match.group(1) or "": iris[int(match.group(2))] for match in _PREFIX.finditer(masked)}
    for match in _FROM.finditer(masked):
        if match.group(1) is not None:
            graph = iris[int(match.group(1))]
        else:
            graph = prefixes.get(match.group(2) or "", "?") + (match.group(3) or "")
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
