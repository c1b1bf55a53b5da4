"""The expressions of a SPARQL 1.1 query, grammar [69]-[71] and [110]-[129], read by recursive descent.

Operators are read by precedence (``||``, ``&&``, relational and ``IN``, additive, multiplicative, unary);
built-in calls are told apart from other words by name (§17.4, grammar [121]). ``EXISTS`` opens a graph
pattern, which the query reader (``dsi4bcn.sparql.syntax``) reads.
"""

from dsi4bcn.sparql.terms import TermReader

__all__ = ["ExpressionReader"]

# Built-in calls (§17.4, grammar [121]) by how their arguments are read; all other words are not functions.
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_FUNCTION_NAMES = """STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT SUBSTR
STRLEN REPLACE UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS
MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM
ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX"""
_FUNCTIONS = frozenset(_FUNCTION_NAMES.split())
_RELATIONAL = frozenset({"=", "!=", "<", ">", "<=", ">="})


class ExpressionReader(TermReader):
    """Reads expressions, constraints and calls; ``group_graph_pattern`` is the query reader's."""

    def group_graph_pattern(self) -> None:
        """GroupGraphPattern [53], read by ``dsi4bcn.sparql.syntax`` (an ``EXISTS`` holds one)."""
        raise NotImplementedError

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
        self.expression_list(distinct=True)

    def expression_list(self, *, distinct: bool = False) -> None:
        """ExpressionList [72]: () or ( Expression, … ); with ``distinct``, DISTINCT may come first."""
        self.punct("(")
        if not self.is_punct(")"):
            if distinct:
                self.optional_word("DISTINCT")
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
