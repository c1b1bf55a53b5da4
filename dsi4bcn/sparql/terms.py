"""The footing of the SPARQL parser: a cursor over the tokens, the prologue's prefixes and base, and the terms.

``TermReader`` holds what every production needs (the token at hand, one or two tokens of look-ahead, the
nesting depth, the error that says what was expected) and reads the RDF terms, grammar [106]-[109]; the
expressions (``dsi4bcn.sparql.expressions``), triples (``dsi4bcn.sparql.triples``) and the query itself
(``dsi4bcn.sparql.syntax``) are read by its subclasses.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from dsi4bcn.sparql.lexer import SyntaxRefused, Token, refusal, tokenize, unescape_iri

__all__ = ["MAX_DEPTH", "TermReader"]

MAX_DEPTH = 48


@dataclass
class _State:
    services: list[int] = field(default_factory=list)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None


class TermReader:
    """A cursor over the tokens of one query, and the term productions; the numbers in comments are the spec's."""

    def __init__(self, text: str, base: str | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0
        self.depth = 0
        self.state = _State(base=base)

    # -- helpers -----------------------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def ahead(self, offset: int = 1) -> Token:
        return self.tokens[min(self.at + offset, len(self.tokens) - 1)]

    def fail(self, expected: str) -> SyntaxRefused:
        token = self.token
        found = "the end of the query" if token.kind == "end" else repr(token.text[:40])
        return refusal(
            self.text,
            token.start,
            "expected {expected} at {at}, found {found}",
            "sparql_expected",
            expected=expected,
            found=found,
        )

    def next(self) -> Token:
        token = self.token
        self.at += 1
        return token

    def is_punct(self, *marks: str) -> bool:
        return self.token.kind == "punct" and self.token.text in marks

    def is_word(self, *words: str) -> bool:
        return self.token.word in words

    def punct(self, mark: str) -> None:
        if not self.is_punct(mark):
            raise self.fail(repr(mark))
        self.at += 1

    def word(self, word: str) -> None:
        if not self.is_word(word):
            raise self.fail(word)
        self.at += 1

    def optional_word(self, word: str) -> bool:
        if self.is_word(word):
            self.at += 1
            return True
        return False

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SyntaxRefused(
                f"the query is nested more than {MAX_DEPTH} levels deep", "sparql_too_deep", limit=MAX_DEPTH
            )

    # -- IRIs of the prologue, and the look-ahead that tells a collection from () ---------------------------
    def iriref(self) -> str:
        if self.token.kind != "iri":
            raise self.fail("an IRI in <>")
        return unescape_iri(self.next().text)

    def resolve(self, iri: str) -> str:
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
            return iri
        if self.state.base is None:
            raise SyntaxRefused(
                f"<{iri}> is a relative IRI and the query has no BASE", "sparql_relative_iri", iri=f"<{iri}>"
            )
        return urljoin(self.state.base, iri)

    def is_triples_node(self) -> bool:
        """A collection or a blank node with properties, as opposed to the terms () and []."""
        closing = {"(": ")", "[": "]"}.get(self.token.text) if self.token.kind == "punct" else None
        return closing is not None and self.ahead().text != closing

    # -- [106]-[109] terms --------------------------------------------------------------------------------
    def var(self) -> None:
        if self.token.kind != "var":
            raise self.fail("a variable")
        self.next()

    def var_or_iri(self) -> None:
        if self.token.kind == "var":
            self.next()
        else:
            self.iri()

    def var_or_term(self) -> None:
        if self.token.kind == "var":
            self.next()
        else:
            self.graph_term()

    def graph_term(self) -> None:
        """GraphTerm [109]: IRI, literal, number, boolean, blank node, () or []."""
        token = self.token
        if token.kind in ("iri", "pname"):
            self.iri()
        elif token.kind == "string":
            self.rdf_literal()
        elif token.kind in ("number", "bnode") or token.text in ("true", "false"):
            self.next()
        elif self.is_punct("+", "-") and self.ahead().kind == "number":
            self.at += 2  # a signed number; Oxigraph also reads "- 1"
        elif self.is_punct("(", "[") and not self.is_triples_node():
            self.at += 2  # the terms () and []
        else:
            raise self.fail("an RDF term")

    def rdf_literal(self) -> None:
        self.next()
        if self.token.kind == "langtag":
            self.next()
        elif self.is_punct("^^"):
            self.next()
            self.iri()

    def iri(self) -> str:
        token = self.token
        if token.kind == "iri":
            return self.resolve(self.iriref())
        if token.kind != "pname":
            raise self.fail("an IRI")
        self.next()
        prefix, _, local = token.text.partition(":")
        if prefix not in self.state.prefixes:
            raise refusal(
                self.text,
                token.start,
                "the prefix {prefix}: is not declared ({at})",
                "sparql_undeclared_prefix",
                prefix=prefix,
            )
        return self.state.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
