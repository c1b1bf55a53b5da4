"""The terminals of SPARQL 1.1 (https://www.w3.org/TR/sparql11-query/#grammar, §19.8), read as Oxigraph reads them.

A comment ends at CR or LF; ``\\u`` escapes are read only inside strings and IRIs; ``\\#`` in a prefixed name is
part of the name. Each character is read once, so the time is linear in the length of the query. The grammar
that reads these tokens is ``dsi4bcn.sparql.syntax``.
"""

import re
from dataclasses import dataclass

__all__ = ["SyntaxRefused", "Token", "line_column", "refusal", "tokenize", "unescape_iri", "where"]


# Terminals (§19.8), written as Oxigraph reads them.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\\\"']"
_EXPONENT = r"[eE][+-]?[0-9]+"
_TOKEN = re.compile(
    r"(?P<space>[ \t\r\n]+|#[^\r\n]*)"
    rf"|(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)"
    rf"|(?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"
    rf"|\"\"\"(?:(?:\"\"|\")?(?:[^\"\\]|{_ECHAR}|{_UCHAR}))*\"\"\""
    rf"|'(?:[^'\\\r\n]|{_ECHAR}|{_UCHAR})*'|\"(?:[^\"\\\r\n]|{_ECHAR}|{_UCHAR})*\")"
    rf"|(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)"
    rf"|(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
    rf"|(?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/^|?])"
)
# Prefixed names are lexed apart: a name run without a colon is scanned once, not once per dot in it.
_PNAME = re.compile(f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?")
_NAME_RUN = re.compile(f"[{_PN_CHARS_BASE}][{_PN_CHARS}.]*")
_ESCAPE = re.compile(_UCHAR)


class SyntaxRefused(Exception):
    """The text is not a SPARQL 1.1 query this reader accepts; ``reason`` says where and why (in English).

    ``code`` and ``params`` say the same for a message table (``dsi4bcn.i18n``): ``sparql_expected``
    (``expected``, ``found``: English phrases; ``line``, ``column``), ``sparql_unexpected_character``,
    ``sparql_too_deep``, ``sparql_update``, ``sparql_relative_iri`` or ``sparql_undeclared_prefix``.
    """

    def __init__(self, reason: str, code: str, *, update: bool = False, **params: str | int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.update = update
        self.code = code
        self.params = params


@dataclass(slots=True)
class Token:
    """One terminal of the query: its kind, its text as written, and where it starts."""

    kind: str  # iri, string, pname, bnode, var, langtag, number, word, punct, end
    text: str
    start: int

    @property
    def word(self) -> str:
        """The keyword in upper case if the token is a word, else the empty string."""
        return self.text.upper() if self.kind == "word" else ""


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` without spaces and comments, ended by an ``end`` token; raise on a stray character."""
    tokens: list[Token] = []
    position, end = 0, len(text)
    no_pname_before = 0  # no prefixed name starts inside a name run already found to have no colon
    while position < end:
        if position >= no_pname_before:
            pname = _PNAME.match(text, position)
            if pname is not None:
                tokens.append(Token("pname", pname.group(), position))
                position = pname.end()
                continue
            run = _NAME_RUN.match(text, position)
            no_pname_before = run.end() if run is not None else position
        match = _TOKEN.match(text, position)
        if match is None:
            raise refusal(
                text,
                position,
                "unexpected character {character} at {at}",
                "sparql_unexpected_character",
                character=repr(text[position]),
            )
        kind = match.lastgroup or "punct"
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", end))
    return tokens


def line_column(text: str, position: int) -> tuple[int, int]:
    """The line and column (both from 1) of ``position`` in ``text``."""
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1


def where(text: str, position: int) -> str:
    """``position`` in ``text`` as "line L, column C"."""
    line, column = line_column(text, position)
    return f"line {line}, column {column}"


def refusal(text: str, position: int, reason: str, code: str, **params: str | int) -> SyntaxRefused:
    """A ``SyntaxRefused`` at ``position`` of ``text``, with its line and column added to ``params``.

    ``reason`` is a template of the English reason: ``{at}`` stands for "line L, column C", and each of
    ``params`` for its value.
    """
    line, column = line_column(text, position)
    refused = SyntaxRefused(reason.format(at=f"line {line}, column {column}", **params), code)
    refused.params = {**params, "line": line, "column": column}
    return refused


def unescape_iri(text: str) -> str:
    """The IRI of an ``<…>`` token, with its ``\\u`` and ``\\U`` escapes read."""
    return _ESCAPE.sub(lambda match: chr(int(match.group()[2:], 16)), text[1:-1])
