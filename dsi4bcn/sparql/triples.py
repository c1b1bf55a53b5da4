"""The triples of a SPARQL 1.1 query and their property paths, grammar [52], [74]-[104], by recursive descent.

The same productions read a CONSTRUCT template (no paths) and the triples of a graph pattern (with paths);
``path`` says which. Collections and ``[ … ]`` nest, and count toward the parser's depth limit.
"""

from dsi4bcn.sparql.terms import TermReader

__all__ = ["TriplesReader"]


class TriplesReader(TermReader):
    """Reads triples, property lists and property paths."""

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
