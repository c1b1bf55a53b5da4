"""A strict reader of SPARQL 1.1 queries: what a query is (its form), what it names, whether it federates.

The endpoint decides what a query may do on the query as parsed, not on words found in its text: this module
lexes the text with the terminals of the SPARQL 1.1 grammar (https://www.w3.org/TR/sparql11-query/#grammar,
§19.8) exactly as Oxigraph reads them (a comment ends at CR or LF; ``\\u`` escapes are read only inside
strings and IRIs; ``\\#`` in a prefixed name is part of the name), parses it with the grammar's productions by
recursive descent, and reports the query form, every ``SERVICE`` (wherever it is nested: subqueries,
OPTIONAL, EXISTS, MINUS, GRAPH…) and the ``FROM``/``FROM NAMED`` IRIs resolved against the prologue.
Anything outside SPARQL 1.1 queries (updates, SPARQL 1.2 syntax, Oxigraph's extensions) is refused.

Each token is read once and the parser looks at most two tokens ahead, so the time is linear in the length
of the query; nesting deeper than ``MAX_DEPTH`` is refused (it also keeps Python's and Oxigraph's stacks
safe). rdflib's parser was measured for this job and rejected (docs/architecture.md): 25 s for a 64 KiB
filter, a recursion error at about 120 triple patterns, and ``\\u`` escapes expanded everywhere.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

__all__ = ["MAX_DEPTH", "QuerySyntax", "SyntaxRefused", "read_query"]

MAX_DEPTH = 48

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
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
# Built-in calls (§17.4, grammar [121]) by how their arguments are read; all other words are not functions.
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_FUNCTION_NAMES = """STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT SUBSTR
STRLEN REPLACE UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS
MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM
ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX"""
_FUNCTIONS = frozenset(_FUNCTION_NAMES.split())
_RELATIONAL = frozenset({"=", "!=", "<", ">", "<=", ">="})


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


@dataclass(frozen=True)
class QuerySyntax:
    """What a parsed query is: its form, where it calls ``SERVICE``, and the graphs its dataset names."""

    form: str
    services: tuple[str, ...] = ()  # "line L, column C" of each SERVICE
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(slots=True)
class _Token:
    kind: str  # iri, string, pname, bnode, var, langtag, number, word, punct, end
    text: str
    start: int

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@dataclass
class _State:
    services: list[int] = field(default_factory=list)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, end = 0, len(text)
    no_pname_before = 0  # no prefixed name starts inside a name run already found to have no colon
    while position < end:
        if position >= no_pname_before:
            pname = _PNAME.match(text, position)
            if pname is not None:
                tokens.append(_Token("pname", pname.group(), position))
                position = pname.end()
                continue
            run = _NAME_RUN.match(text, position)
            no_pname_before = run.end() if run is not None else position
        match = _TOKEN.match(text, position)
        if match is None:
            line, column = _line_column(text, position)
            raise SyntaxRefused(
                f"unexpected character {text[position]!r} at {_where(text, position)}",
                "sparql_unexpected_character",
                character=repr(text[position]),
                line=line,
                column=column,
            )
        kind = match.lastgroup or "punct"
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", end))
    return tokens


def _line_column(text: str, position: int) -> tuple[int, int]:
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1


def _where(text: str, position: int) -> str:
    line, column = _line_column(text, position)
    return f"line {line}, column {column}"


def _unescape_iri(text: str) -> str:
    return _ESCAPE.sub(lambda match: chr(int(match.group()[2:], 16)), text[1:-1])


class _Parser:
    """Recursive descent over the grammar's productions; the numbers in comments are the spec's."""

    def __init__(self, text: str, base: str | None = None) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0
        self.state = _State(base=base)

    # -- helpers -----------------------------------------------------------------------------------------
    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def ahead(self, offset: int = 1) -> _Token:
        return self.tokens[min(self.at + offset, len(self.tokens) - 1)]

    def fail(self, expected: str) -> SyntaxRefused:
        token = self.token
        found = "the end of the query" if token.kind == "end" else repr(token.text[:40])
        line, column = _line_column(self.text, token.start)
        return SyntaxRefused(
            f"expected {expected} at {_where(self.text, token.start)}, found {found}",
            "sparql_expected",
            expected=expected,
            found=found,
            line=line,
            column=column,
        )

    def next(self) -> _Token:
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

    # -- [1]-[4] query unit, prologue ---------------------------------------------------------------------
    def query_unit(self) -> QuerySyntax:
        while self.is_word("BASE", "PREFIX"):
            if self.next().word == "BASE":
                self.state.base = self.resolve(self.iriref())
            else:
                if self.token.kind != "pname" or not self.token.text.endswith(":"):
                    raise self.fail("a prefix name such as ex:")
                name = self.next().text[:-1]
                self.state.prefixes[name] = self.resolve(self.iriref())
        form = self.token.word
        if form in _UPDATE_WORDS:
            raise SyntaxRefused(f"{form} is an update", "sparql_update", update=True)
        if form == "SELECT":
            self.select_query()
        elif form == "CONSTRUCT":
            self.construct_query()
        elif form == "DESCRIBE":
            self.describe_query()
        elif form == "ASK":
            self.next()
            self.dataset_clauses()
            self.where_clause()
            self.solution_modifier()
        else:
            raise self.fail("SELECT, ASK, CONSTRUCT or DESCRIBE")
        self.values_clause()
        if self.token.kind != "end":
            raise self.fail("the end of the query")
        state = self.state
        # Only the first few positions are spelled out: each costs a scan of the text.
        services = tuple(_where(self.text, start) for start in state.services[:3])
        services += ("…",) * min(len(state.services) - len(services), 1)
        return QuerySyntax(form, services, tuple(state.default_graphs), tuple(state.named_graphs))

    def iriref(self) -> str:
        if self.token.kind != "iri":
            raise self.fail("an IRI in <>")
        return _unescape_iri(self.next().text)

    def resolve(self, iri: str) -> str:
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
            return iri
        if self.state.base is None:
            raise SyntaxRefused(
                f"<{iri}> is a relative IRI and the query has no BASE", "sparql_relative_iri", iri=f"<{iri}>"
            )
        return urljoin(self.state.base, iri)

    # -- [7]-[18] query forms, dataset, modifiers ---------------------------------------------------------
    def select_clause(self) -> None:
        self.word("SELECT")
        if not self.optional_word("DISTINCT"):
            self.optional_word("REDUCED")
        if self.is_punct("*"):
            self.next()
            return
        count = 0
        while self.token.kind == "var" or self.is_punct("("):
            if self.next().kind != "var":
                self.expression()
                self.word("AS")
                self.var()
                self.punct(")")
            count += 1
        if not count:
            raise self.fail("* or the variables to select")

    def select_query(self) -> None:
        self.select_clause()
        self.dataset_clauses()
        self.where_clause()
        self.solution_modifier()

    def construct_query(self) -> None:
        self.word("CONSTRUCT")
        if self.is_punct("{"):
            self.next()
            self.triples_template("}")
            self.punct("}")
            self.dataset_clauses()
            self.where_clause()
        else:
            self.dataset_clauses()
            self.word("WHERE")
            self.punct("{")
            self.triples_template("}")
            self.punct("}")
        self.solution_modifier()

    def describe_query(self) -> None:
        self.word("DESCRIBE")
        if self.is_punct("*"):
            self.next()
        else:
            self.var_or_iri()
            while self.token.kind in ("var", "iri", "pname"):
                self.var_or_iri()
        self.dataset_clauses()
        if self.is_word("WHERE") or self.is_punct("{"):
            self.where_clause()
        self.solution_modifier()

    def dataset_clauses(self) -> None:
        while self.optional_word("FROM"):
            named = self.optional_word("NAMED")
            graph = self.iri()
            (self.state.named_graphs if named else self.state.default_graphs).append(graph)

    def where_clause(self) -> None:
        self.optional_word("WHERE")
        self.group_graph_pattern()

    def solution_modifier(self) -> None:
        if self.is_word("GROUP"):
            self.next()
            self.word("BY")
            self.condition(with_as=True)
            while self.token.kind in ("var", "iri", "pname") or self.is_punct("(") or self.is_function():
                self.condition(with_as=True)
        if self.optional_word("HAVING"):
            self.constraint()
            while self.token.kind in ("iri", "pname") or self.is_punct("(") or self.is_function():
                self.constraint()
        if self.is_word("ORDER"):
            self.next()
            self.word("BY")
            self.order_condition()
            while (
                self.token.kind in ("var", "iri", "pname")
                or self.is_punct("(")
                or self.is_function()
                or self.is_word("ASC", "DESC")
            ):
                self.order_condition()
        for first, second in (("LIMIT", "OFFSET"), ("OFFSET", "LIMIT")):
            if self.optional_word(first):
                self.integer()
                if self.optional_word(second):
                    self.integer()
                break

    def condition(self, *, with_as: bool) -> None:
        """GroupCondition [20]: a built-in or function call, a variable, or ( Expression AS? Var? )."""
        if self.token.kind == "var":
            self.next()
        elif self.is_punct("("):
            self.next()
            self.expression()
            if with_as and self.optional_word("AS"):
                self.var()
            self.punct(")")
        else:
            self.constraint()

    def order_condition(self) -> None:
        if self.is_word("ASC", "DESC"):
            self.next()
            self.bracketted_expression()
        else:
            self.condition(with_as=False)

    def integer(self) -> None:
        if self.token.kind != "number" or not self.token.text.isdigit():
            raise self.fail("an integer")
        self.next()

    def values_clause(self) -> None:
        if self.optional_word("VALUES"):
            self.data_block()

    # -- [52]-[67] graph patterns -------------------------------------------------------------------------
    def group_graph_pattern(self) -> None:
        self.enter()
        self.punct("{")
        if self.is_word("SELECT"):
            self.select_clause()
            self.where_clause()
            self.solution_modifier()
            self.values_clause()
        else:
            self.group_graph_pattern_sub()
        self.punct("}")
        self.depth -= 1

    def group_graph_pattern_sub(self) -> None:
        while not self.is_punct("}"):
            if self.is_pattern_keyword():
                self.graph_pattern_not_triples()
                if self.is_punct("."):
                    self.next()
            else:
                self.triples_same_subject(path=True)
                if not self.is_punct("."):
                    if not self.is_punct("}") and not self.is_pattern_keyword():
                        raise self.fail("'.', '}' or a graph pattern")
                    continue
                self.next()

    def is_pattern_keyword(self) -> bool:
        return self.is_punct("{") or self.is_word("OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES")

    def graph_pattern_not_triples(self) -> None:
        token = self.token
        if self.is_punct("{"):
            self.group_graph_pattern()
            while self.optional_word("UNION"):
                self.group_graph_pattern()
            return
        keyword = self.next().word
        if keyword in ("OPTIONAL", "MINUS"):
            self.group_graph_pattern()
        elif keyword == "GRAPH":
            self.var_or_iri()
            self.group_graph_pattern()
        elif keyword == "SERVICE":
            self.state.services.append(token.start)
            self.optional_word("SILENT")
            self.var_or_iri()
            self.group_graph_pattern()
        elif keyword == "FILTER":
            self.constraint()
        elif keyword == "BIND":
            self.punct("(")
            self.expression()
            self.word("AS")
            self.var()
            self.punct(")")
        else:
            self.data_block()

    def data_block(self) -> None:
        """DataBlock [62]: ``?x { values }`` or ``(?x ?y) { (values) … }``."""
        if self.token.kind == "var":
            self.next()
            self.punct("{")
            while not self.is_punct("}"):
                self.data_block_value()
            self.next()
            return
        self.punct("(")
        while self.token.kind == "var":
            self.next()
        self.punct(")")
        self.punct("{")
        while self.is_punct("("):
            self.next()
            while not self.is_punct(")"):
                self.data_block_value()
            self.next()
        self.punct("}")

    def data_block_value(self) -> None:
        if not self.optional_word("UNDEF"):
            if self.token.kind == "bnode" or self.is_punct("[", "(") or self.token.kind == "var":
                raise self.fail("an IRI, a literal or UNDEF")
            self.graph_term()

    # -- [75]-[104] triples and property paths ------------------------------------------------------------
    def triples_template(self, closing: str) -> None:
        """TriplesTemplate / ConstructTriples [52], [74]: triples separated by '.'."""
        while not self.is_punct(closing):
            self.triples_same_subject(path=False)
            if not self.is_punct("."):
                return
            self.next()

    def triples_same_subject(self, *, path: bool) -> None:
        """TriplesSameSubject(Path) [75], [81]: a term and its properties, or a list or [ … ] and maybe some."""
        if self.is_triples_node():
            self.triples_node(path=path)
            self.property_list(path=path)
        else:
            self.var_or_term()
            self.property_list(path=path, required=True)

    def is_triples_node(self) -> bool:
        """A collection or a blank node with properties, as opposed to the terms () and []."""
        closing = {"(": ")", "[": "]"}.get(self.token.text) if self.token.kind == "punct" else None
        return closing is not None and self.ahead().text != closing

    def is_verb(self, *, path: bool) -> bool:
        token = self.token
        if token.kind in ("var", "iri", "pname") or token.text == "a":
            return True
        return path and self.is_punct("^", "!", "(")

    def property_list(self, *, path: bool, required: bool = False) -> None:
        if not self.is_verb(path=path):
            if required:
                raise self.fail("a predicate")
            return
        self.verb(path=path)
        self.object_list(path=path)
        while self.is_punct(";"):
            self.next()
            if self.is_verb(path=path):
                self.verb(path=path)
                self.object_list(path=path)

    def verb(self, *, path: bool) -> None:
        if self.token.kind == "var" or not path:
            if self.token.text == "a" and self.token.kind == "word":
                self.next()
            else:
                self.var_or_iri()
        else:
            self.path()

    def object_list(self, *, path: bool) -> None:
        self.graph_node(path=path)
        while self.is_punct(","):
            self.next()
            self.graph_node(path=path)

    def graph_node(self, *, path: bool) -> None:
        if self.is_triples_node():
            self.triples_node(path=path)
        else:
            self.var_or_term()

    def triples_node(self, *, path: bool) -> None:
        """Collection [102] or BlankNodePropertyList [99] (and their Path forms)."""
        self.enter()
        if self.next().text == "(":
            self.graph_node(path=path)
            while not self.is_punct(")"):
                self.graph_node(path=path)
            self.next()
        else:
            self.property_list(path=path, required=True)
            self.punct("]")
        self.depth -= 1

    def path(self) -> None:
        """Path [88]: alternatives of sequences of (inverse) elements with modifiers."""
        self.enter()
        self.path_sequence()
        while self.is_punct("|"):
            self.next()
            self.path_sequence()
        self.depth -= 1

    def path_sequence(self) -> None:
        self.path_element()
        while self.is_punct("/"):
            self.next()
            self.path_element()

    def path_element(self) -> None:
        if self.is_punct("^"):
            self.next()
        if self.is_punct("("):
            self.next()
            self.path()
            self.punct(")")
        elif self.is_punct("!"):
            self.next()
            if self.is_punct("("):
                self.next()
                if not self.is_punct(")"):
                    self.path_one_in_property_set()
                    while self.is_punct("|"):
                        self.next()
                        self.path_one_in_property_set()
                self.punct(")")
            else:
                self.path_one_in_property_set()
        else:
            self.path_one_in_property_set(inverse=False)
        if self.is_punct("?", "*", "+"):
            self.next()

    def path_one_in_property_set(self, *, inverse: bool = True) -> None:
        if inverse and self.is_punct("^"):
            self.next()
        if self.token.kind == "word" and self.token.text == "a":
            self.next()
        else:
            self.iri()

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
            line, column = _line_column(self.text, token.start)
            raise SyntaxRefused(
                f"the prefix {prefix}: is not declared ({_where(self.text, token.start)})",
                "sparql_undeclared_prefix",
                prefix=prefix,
                line=line,
                column=column,
            )
        return self.state.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)

    # -- [110]-[129] expressions --------------------------------------------------------------------------
    def constraint(self) -> None:
        """Constraint [69]: a bracketted expression, a built-in call or a function call."""
        if self.is_punct("("):
            self.bracketted_expression()
        elif self.is_function():
            self.builtin_call()
        else:
            self.iri()
            self.arguments()

    def is_function(self) -> bool:
        word = self.token.word
        return word in _FUNCTIONS or word in _AGGREGATES or word in ("EXISTS", "NOT")

    def bracketted_expression(self) -> None:
        self.punct("(")
        self.expression()
        self.punct(")")

    def expression(self) -> None:
        """Expression [110]: || over && over relational, additive and multiplicative expressions."""
        self.enter()
        self.binary(0)
        self.depth -= 1

    def binary(self, level: int) -> None:
        if level == 2:
            self.binary(3)
            if self.token.kind == "punct" and self.token.text in _RELATIONAL:
                self.next()
                self.binary(3)
            elif self.is_word("IN") or (self.is_word("NOT") and self.ahead().word == "IN"):
                self.at += 1 if self.is_word("IN") else 2
                self.expression_list()
            return
        if level == 5:
            self.unary()
            return
        operators = {0: ("||",), 1: ("&&",), 3: ("+", "-"), 4: ("*", "/")}[level]
        self.binary(level + 1)
        while self.is_punct(*operators):
            self.next()
            self.binary(level + 1)

    def unary(self) -> None:
        if self.is_punct("!", "+", "-"):
            self.next()
        self.primary()

    def primary(self) -> None:
        token = self.token
        if self.is_punct("("):
            self.bracketted_expression()
        elif token.kind == "var" or token.kind == "number" or token.text in ("true", "false"):
            self.next()
        elif token.kind == "string":
            self.rdf_literal()
        elif token.kind in ("iri", "pname"):
            self.iri()
            if self.is_punct("("):
                self.arguments()
        elif self.is_function():
            self.builtin_call()
        else:
            raise self.fail("an expression")

    def arguments(self) -> None:
        """ArgList [71]: () or ( DISTINCT? Expression, … )."""
        self.punct("(")
        if self.is_punct(")"):
            self.next()
            return
        self.optional_word("DISTINCT")
        self.expression()
        while self.is_punct(","):
            self.next()
            self.expression()
        self.punct(")")

    def expression_list(self) -> None:
        self.punct("(")
        if not self.is_punct(")"):
            self.expression()
            while self.is_punct(","):
                self.next()
                self.expression()
        self.punct(")")

    def builtin_call(self) -> None:
        word = self.next().word
        if word == "NOT":
            self.word("EXISTS")
            word = "EXISTS"
        if word == "EXISTS":
            self.group_graph_pattern()
        elif word in _AGGREGATES:
            self.punct("(")
            self.optional_word("DISTINCT")
            if word == "COUNT" and self.is_punct("*"):
                self.next()
            else:
                self.expression()
            if word == "GROUP_CONCAT" and self.is_punct(";"):
                self.next()
                self.word("SEPARATOR")
                self.punct("=")
                if self.token.kind != "string":
                    raise self.fail("a string")
                self.next()
            self.punct(")")
        else:
            self.expression_list()


def read_query(text: str, base: str | None = None) -> QuerySyntax:
    """Parse ``text`` as a SPARQL 1.1 query; raise ``SyntaxRefused`` with the reason if it is not one.

    ``base`` is the base IRI before any ``BASE`` of the query (the endpoint's; SPARQL 1.1 Protocol: the base
    is defined by the service); without one, a relative IRI is refused.
    """
    try:
        return _Parser(text, base).query_unit()
    except RecursionError:
        raise SyntaxRefused(
            f"the query is nested more than {MAX_DEPTH} levels deep", "sparql_too_deep", limit=MAX_DEPTH
        ) from None
