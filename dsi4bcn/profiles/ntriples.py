"""Term tuples to N-Triples text, and back to pyoxigraph terms.

Terms are ``("iri", value)``, ``("blank", label)`` or ``("literal", lexical, datatype, language)`` (see
``vocab.fastld``). Blank-node labels are prefixed per graph, so that graphs written in one request can never
share a blank node.
"""

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["RDF_LANG_STRING", "XSD_STRING", "Term", "Triple", "blank_prefix", "to_ntriples"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
Term = tuple[str, ...]
Triple = tuple[Term, Term, Term]
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*")
_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def blank_prefix(graph: str) -> str:
    """A short label prefix unique to one graph."""
    return "g" + hashlib.sha256(graph.encode()).hexdigest()[:12] + "x"


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(_escape_char, text) if _NEEDS_ESCAPE.search(text) else text


@lru_cache(maxsize=65536)
def _iri(value: str) -> str:
    if _BAD_IRI.search(value):
        raise ValueError(f"not an IRI usable in N-Triples: {value[:80]!r}")
    return f"<{value}>"


def _term(term: Term, prefix: str) -> str:
    kind = term[0]
    if kind == "iri":
        return _iri(term[1])
    if kind == "blank":
        label = "".join(char if char.isalnum() else "_" for char in term[1])
        return f"_:{prefix}{label}"
    lexical, datatype, language = term[1], term[2], term[3]
    if language and not _LANGUAGE.fullmatch(language):
        raise ValueError(f"not a language tag: {language[:40]!r}")
    if language:
        return f'"{_escape(lexical)}"@{language}'
    if datatype in ("", XSD_STRING):
        return f'"{_escape(lexical)}"'
    return f'"{_escape(lexical)}"^^{_iri(datatype)}'


def to_ntriples(triples: Iterable[Triple], graph: str) -> str:
    """N-Triples text of ``triples``, blank nodes made unique to ``graph``."""
    prefix = blank_prefix(graph)
    return "\n".join(f"{_term(s, prefix)} {_term(p, prefix)} {_term(o, prefix)} ." for s, p, o in triples)
