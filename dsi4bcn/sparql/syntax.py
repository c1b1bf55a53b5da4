"""A strict reader of SPARQL 1.1 queries: what a query is (its form), what it names, whether it federates.

The endpoint decides what a query may do on the query as parsed, not on words found in its text: the text is
lexed with the terminals of the SPARQL 1.1 grammar exactly as Oxigraph reads them (``dsi4bcn.sparql.lexer``),
parsed with the grammar's productions (https://www.w3.org/TR/sparql11-query/#grammar) by recursive descent,
and this module reports the query form, every ``SERVICE`` (wherever it is nested: subqueries, OPTIONAL,
EXISTS, MINUS, GRAPH…) and the ``FROM``/``FROM NAMED`` IRIs resolved against the prologue. Anything outside
SPARQL 1.1 queries (updates, SPARQL 1.2 syntax, Oxigraph's extensions) is refused.

The productions are read by four classes, one per area of the grammar: terms (``dsi4bcn.sparql.terms``),
expressions (``dsi4bcn.sparql.expressions``), triples and paths (``dsi4bcn.sparql.triples``), and here the
query forms, solution modifiers and graph patterns. Each token is read once and the parser looks at most two
tokens ahead, so the time is linear in the length of the query; nesting deeper than ``MAX_DEPTH`` is refused
(it also keeps Python's and Oxigraph's stacks safe). rdflib's parser was measured for this job and rejected
(docs/architecture.md): 25 s for a 64 KiB filter, a recursion error at about 120 triple patterns, and ``\\u``
escapes expanded everywhere.
"""

from dataclasses import dataclass

from dsi4bcn.sparql.expressions import ExpressionReader
from dsi4bcn.sparql.lexer import SyntaxRefused, where
from dsi4bcn.sparql.terms import MAX_DEPTH
from dsi4bcn.sparql.triples import TriplesReader

__all__ = ["MAX_DEPTH", "QuerySyntax", "SyntaxRefused", "read_query"]

_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


@dataclass(frozen=True)
class QuerySyntax:
    """What a parsed query is: its form, where it calls ``SERVICE``, and the graphs its dataset names."""

    form: str
    services: tuple[str, ...] = ()  # "line L, column C" of each SERVICE
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class _Parser(TriplesReader, ExpressionReader):
    """The query unit, forms, modifiers and graph patterns, over the readers of triples and expressions."""

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
        services = tuple(where(self.text, start) for start in state.services[:3])
        services += ("…",) * min(len(state.services) - len(services), 1)
        return QuerySyntax(form, services, tuple(state.default_graphs), tuple(state.named_graphs))

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
