"""A fast SHACL validator compiled from ``shapes.ttl``: the same verdicts as ``vocab.shapes`` in microseconds.

``shapes.ttl`` stays the source of truth: at first use it is read with rdflib and compiled into Python
checks for exactly the SHACL Core subset it uses (https://www.w3.org/TR/shacl/): node and property shapes,
``sh:targetClass``, ``sh:property`` with a single-IRI ``sh:path``, ``sh:node``, ``sh:or``, ``sh:minCount``,
``sh:maxCount``, ``sh:nodeKind``, ``sh:datatype``, ``sh:pattern``, ``sh:hasValue``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:class`` and ``sh:message``. Compilation refuses (``UnsupportedShapes``) any triple
of the shapes graph it does not turn into a check, so a constraint added later cannot be silently skipped.
The data graph is the given triples plus the concept schemes (indexed once, never copied), as in
``vocab.shapes``. Results are reported like ``vocab.shapes.validate`` reports pyshacl's: a failed
``sh:node`` gives one result for the value plus the nested results, a failed ``sh:or`` one result. Where
pyshacl strays from the specification this module does not: ``sh:pattern`` is an XPath regex (``$`` ends
the string, ``\\s`` is XML whitespace), ``sh:datatype`` checks XSD 1.1 lexical spaces rather than what
rdflib happens to parse, and each ``sh:node`` value of a shape is reported on its own.
"""

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from vocab.graph import read_text, schemes_graph
from vocab.shapes import ValidationResult, Violation

__all__ = [
    "CompiledShapes",
    "Term",
    "Triple",
    "UnsupportedShapes",
    "compile_shapes",
    "to_term",
    "validate_graph",
    "validate_triples",
]

Term = tuple[str, ...]
Triple = tuple[Term, Term, Term]
Number = int | Decimal | float

_RDF_TYPE = str(RDF.type)
_SUBCLASS_OF = str(RDFS.subClassOf)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = str(RDF.langString)
_SH_CLASS = URIRef(str(SH) + "class")
_SH_OR = URIRef(str(SH) + "or")
_ANNOTATIONS = frozenset({RDFS.label, RDFS.comment, SH.name, SH.description})
_NODE_KINDS: dict[Node, tuple[str, frozenset[str]]] = {
    SH.IRI: ("an IRI", frozenset({"iri"})),
    SH.BlankNode: ("a blank node", frozenset({"blank"})),
    SH.Literal: ("a literal", frozenset({"literal"})),
    SH.BlankNodeOrIRI: ("a blank node or an IRI", frozenset({"blank", "iri"})),
    SH.BlankNodeOrLiteral: ("a blank node or a literal", frozenset({"blank", "literal"})),
    SH.IRIOrLiteral: ("an IRI or a literal", frozenset({"iri", "literal"})),
}


class UnsupportedShapes(ValueError):
    """The shapes graph uses a SHACL feature, or a form of one, that this compiler does not implement."""


# --- Literals: XSD 1.1 lexical spaces (https://www.w3.org/TR/xmlschema11-2/) ------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = r"(-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_DATE_RE = re.compile(_DATE + _TZ)
_DATE_TIME_RE = re.compile(_DATE + _TIME + _TZ)
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN")
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _calendar_checker(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    def check(lexical: str) -> bool:
        match = pattern.fullmatch(lexical)
        if match is None:
            return False
        digits = match[1].lstrip("-")
        year = int(digits[-4:]) * (-1 if match[1].startswith("-") else 1)  # the last 4 digits settle leap years
        return int(match[3]) <= _days_in_month(year, int(match[2]))

    return check


def _integer_value(lexical: str, low: int | None, high: int | None) -> int | Decimal | None:
    if _INTEGER_RE.fullmatch(lexical) is None:
        return None
    value = int(lexical) if len(lexical) < 4000 else Decimal(lexical)  # int() refuses over 4300 digits
    return None if (low is not None and value < low) or (high is not None and value > high) else value


def _float_value(lexical: str) -> float | None:
    return float(lexical) if _FLOAT_RE.fullmatch(lexical) else None


def _decimal_value(lexical: str) -> Decimal | None:
    return Decimal(lexical) if _DECIMAL_RE.fullmatch(lexical) else None


def _integer_parser(low: int | None, high: int | None) -> Callable[[str], int | Decimal | None]:
    return lambda lexical: _integer_value(lexical, low, high)


def _parses(parse: Callable[[str], Number | None]) -> Callable[[str], bool]:
    return lambda lexical: parse(lexical) is not None


_NUMBERS: dict[str, Callable[[str], Number | None]] = {
    _XSD + "decimal": _decimal_value,
    _XSD + "float": _float_value,
    _XSD + "double": _float_value,
    **{_XSD + name: _integer_parser(low, high) for name, (low, high) in _INTEGER_RANGES.items()},
}
_LEXICAL: dict[str, Callable[[str], bool]] = {
    _XSD_STRING: lambda _lexical: True,
    _XSD + "boolean": lambda lexical: lexical in ("true", "false", "1", "0"),
    _XSD + "date": _calendar_checker(_DATE_RE),
    _XSD + "dateTime": _calendar_checker(_DATE_TIME_RE),
    **{iri: _parses(parse) for iri, parse in _NUMBERS.items()},
}


def _number(term: Term) -> Number | None:
    """The value of a well-typed numeric literal, else None (SPARQL cannot compare it with a number)."""
    if term[0] != "literal":
        return None
    parse = _NUMBERS.get(term[2])
    return parse(term[1]) if parse is not None else None


def _datatype_test(datatype: str) -> Callable[[Term, "_Context"], bool]:
    """A literal matches a datatype if it has that datatype and is not ill-typed (SHACL 4.2.2)."""
    if datatype == _RDF_LANG_STRING:
        return lambda v, _ctx: v[0] == "literal" and v[2] == datatype and bool(v[3])
    lexical_ok = _LEXICAL.get(datatype)
    if lexical_ok is None:
        raise UnsupportedShapes(f"sh:datatype <{datatype}>: no check of its lexical space is implemented")
    return lambda v, _ctx: v[0] == "literal" and v[2] == datatype and lexical_ok(v[1])


def _bound_test(bound: Number, minimum: bool) -> Callable[[Term, "_Context"], bool]:
    """sh:minInclusive/sh:maxInclusive: only numeric literals compare; NaN compares with nothing."""

    def test(v: Term, _ctx: "_Context") -> bool:
        value = _number(v)
        if value is None or value != value:
            return False
        return value >= bound if minimum else value <= bound

    return test


# --- Patterns: XPath regular expressions (https://www.w3.org/TR/xpath-functions/#regex-syntax) -------

_XML_SPACE = " \\t\\n\\r"
_QUANTIFIER_RE = re.compile(r"\{[0-9]+(?:,[0-9]*)?\}")


def _translate_pattern(pattern: str) -> re.Pattern[str]:
    """An XPath regex (no flags) as a Python regex with the same meaning, or ``UnsupportedShapes``.

    The differences that matter: ``$`` is the end of the string (Python's ``$`` also matches before a final
    newline), ``.`` excludes carriage returns, and ``\\s`` is only space, tab, newline and carriage return.
    """
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            i += 2
            if escaped and escaped in "nrt\\|.?*+(){}[]^$-":
                out.append("\\" + escaped)
            elif escaped == "s":
                out.append(_XML_SPACE if in_class else f"[{_XML_SPACE}]")
            elif escaped == "S" and not in_class:
                out.append(f"[^{_XML_SPACE}]")
            elif escaped in ("d", "D"):
                out.append("\\" + escaped)
            else:
                raise UnsupportedShapes(f"sh:pattern {pattern!r}: the escape \\{escaped} is not implemented")
            continue
        i += 1
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[" or (char == "-" and pattern[i : i + 1] in ("[", "-")):
                raise UnsupportedShapes(f"sh:pattern {pattern!r}: character class subtraction is not implemented")
            out.append(re.escape(char) if char in "&~|" else char)
        elif char == "[":
            in_class = True
            out.append("[")
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":
                raise UnsupportedShapes(f"sh:pattern {pattern!r}: an empty character class")
        elif char == ".":
            out.append("[^\\n\\r]")
        elif char == "$":
            out.append("\\Z")
        elif char == "(" and pattern[i : i + 1] == "?":
            raise UnsupportedShapes(f"sh:pattern {pattern!r}: '(?' groups are not XPath regex syntax")
        elif char == "{":
            quantifier = _QUANTIFIER_RE.match(pattern, i - 1)
            if quantifier is None:
                raise UnsupportedShapes(f"sh:pattern {pattern!r}: a '{{' that is not a quantifier")
            out.append(quantifier[0])
            i = quantifier.end()
        elif char == "}":
            raise UnsupportedShapes(f"sh:pattern {pattern!r}: an unescaped '}}'")
        else:
            out.append(char)
        if not in_class and char in "*+?{":
            if pattern[i : i + 1] == "?":
                out.append("?")
                i += 1
            if pattern[i : i + 1] and pattern[i] in "*+?{":
                raise UnsupportedShapes(f"sh:pattern {pattern!r}: a quantifier after a quantifier")
    if in_class:
        raise UnsupportedShapes(f"sh:pattern {pattern!r}: an unclosed character class")
    try:
        return re.compile("".join(out))
    except re.error as error:
        raise UnsupportedShapes(f"sh:pattern {pattern!r}: {error}") from error


def _pattern_test(regex: re.Pattern[str]) -> Callable[[Term, "_Context"], bool]:
    """sh:pattern: the lexical form of a literal or the IRI must contain a match; blank nodes fail."""
    return lambda v, _ctx: v[0] != "blank" and regex.search(v[1]) is not None


# --- The data graph: triples indexed by subject and predicate ------------------------------------------

_Objects = dict[Term, None]
_Predicates = dict[str, _Objects]
_NO_OBJECTS: _Objects = {}
_NO_PREDICATES: _Predicates = {}


class _Index:
    """Distinct triples by subject, then predicate IRI (objects as an ordered set); classes' subclasses."""

    __slots__ = ("by_subject", "subclasses")

    def __init__(self, triples: Iterable[Triple]) -> None:
        by_subject: dict[Term, _Predicates] = {}
        for s, p, o in triples:
            if o[0] == "literal" and not o[2]:
                o = ("literal", o[1], _RDF_LANG_STRING if o[3] else _XSD_STRING, o[3])
            predicates = by_subject.get(s)
            if predicates is None:
                predicates = by_subject[s] = {}
            objects = predicates.get(p[1])
            if objects is None:
                predicates[p[1]] = {o: None}
            else:
                objects[o] = None
        subclasses: dict[Term, list[Term]] = {}
        for subject, predicates in by_subject.items():
            for parent in predicates.get(_SUBCLASS_OF, ()):
                subclasses.setdefault(parent, []).append(subject)
        self.by_subject = by_subject
        self.subclasses = subclasses

    def instances(self, classes: frozenset[Term]) -> list[Term]:
        """The subjects with an ``rdf:type`` in ``classes``."""
        return [
            s for s, predicates in self.by_subject.items() if any(t in classes for t in predicates.get(_RDF_TYPE, ()))
        ]


def _closure(cls: Term, indexes: tuple[_Index, ...]) -> frozenset[Term]:
    """``cls`` and every class that is ``rdfs:subClassOf*`` it in the union of ``indexes``."""
    seen = {cls}
    todo = [cls]
    while todo:
        current = todo.pop()
        for index in indexes:
            for sub in index.subclasses.get(current, ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
    return frozenset(seen)


class _Context:
    """One validation: the data index beside the precomputed index of the mixed-in graph (the schemes)."""

    __slots__ = ("_closures", "_merged", "compiled", "data", "mixin")

    def __init__(self, data: _Index, compiled: "CompiledShapes") -> None:
        self.data = data
        self.compiled = compiled
        self.mixin = compiled.mixin
        self._closures: dict[Term, frozenset[Term]] = {}
        self._merged: dict[Term, _Predicates] = {}

    def predicates(self, node: Term) -> _Predicates:
        """What data and schemes say about ``node``: its objects by predicate."""
        mine = self.data.by_subject.get(node)
        theirs = self.mixin.by_subject.get(node)
        if theirs is None:
            return _NO_PREDICATES if mine is None else mine
        if mine is None:
            return theirs
        merged = self._merged.get(node)
        if merged is None:
            merged = {p: dict(objects) for p, objects in theirs.items()}
            for p, objects in mine.items():
                merged.setdefault(p, {}).update(objects)
            self._merged[node] = merged
        return merged

    def subclasses(self, cls: Term) -> frozenset[Term]:
        """``cls`` and its subclasses; without subclass triples in the data, the cached schemes closure."""
        if not self.data.subclasses:
            return self.compiled.scheme_closure(cls)
        closure = self._closures.get(cls)
        if closure is None:
            closure = self._closures[cls] = _closure(cls, (self.data, self.mixin))
        return closure

    def instances(self, cls: Term) -> list[Term]:
        """Every node with ``rdf:type/rdfs:subClassOf* cls`` in data plus schemes."""
        closure = self.subclasses(cls)
        found = self.data.instances(closure)
        for node in self.compiled.scheme_instances(closure):
            if node not in found:
                found.append(node)
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        """SHACL's class check: ``node rdf:type/rdfs:subClassOf* cls``; literals are instances of nothing."""
        if node[0] == "literal":
            return False
        closure = self.subclasses(cls)
        return any(t in closure for t in self.predicates(node).get(_RDF_TYPE, ()))


# --- Compiled shapes: each a tuple of steps, one per constraint it declares ----------------------------

_Out = list[Violation] | None
_Step = Callable[[Term, Collection[Term], _Context, _Out], bool]
_Test = Callable[[Term, _Context], bool]


@dataclass(eq=False)
class _Shape:
    """A node shape (``path`` None: the value node is the focus) or a property shape."""

    name: str
    path: str | None
    message: str | None = None
    targets: list[Term] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)
    properties: list[tuple[str, "_Shape"]] = field(default_factory=list)
    children: list["_Shape"] = field(default_factory=list)
    required: bool = False  # a sh:minCount above 0 or a sh:hasValue: checked even without values
    reaches_other_nodes: bool = False  # a sh:node or sh:class of its own reads triples of other nodes
    local: bool = False  # neither it nor its parts reach other nodes: only the focus node's triples matter

    def evaluate(self, focus: Term, ctx: _Context, out: _Out) -> bool:
        """Whether ``focus`` conforms; with ``out``, append every result, else stop at the first failure.

        A local shape's verdict on a node of the schemes that the data says nothing about depends on the
        schemes alone, so it is kept across validations (a bounded cache: shapes times scheme nodes).
        """
        if self.local and focus in ctx.mixin.by_subject and focus not in ctx.data.by_subject:
            cache = ctx.compiled.verdicts
            verdict = cache.get((self, focus))
            if verdict is None:
                nested: list[Violation] = []
                verdict = cache[(self, focus)] = (self.evaluate_here(focus, ctx, nested), tuple(nested))
            if out is not None:
                out.extend(verdict[1])
            return verdict[0]
        return self.evaluate_here(focus, ctx, out)

    def evaluate_here(self, focus: Term, ctx: _Context, out: _Out) -> bool:
        """``evaluate`` without the cache."""
        if self.path is not None:
            return self.check(focus, ctx.predicates(focus).get(self.path, _NO_OBJECTS), ctx, out)
        conforms = self.check(focus, (focus,), ctx, out)
        if not self.properties or (out is None and not conforms):
            return conforms
        predicates = ctx.predicates(focus)
        for path, prop in self.properties:
            values = predicates.get(path, _NO_OBJECTS)
            if (values or prop.required) and not prop.check(focus, values, ctx, out):
                if out is None:
                    return False
                conforms = False
        return conforms

    def check(self, focus: Term, values: Collection[Term], ctx: _Context, out: _Out) -> bool:
        """Run this shape's own constraints on the value nodes of ``focus``."""
        if out is None:
            for step in self.steps:  # noqa: SIM110 - a plain loop is faster than all() on this hot path
                if not step(focus, values, ctx, None):
                    return False
            return True
        conforms = True
        for step in self.steps:
            if not step(focus, values, ctx, out):
                conforms = False
        return conforms

    def violation(self, focus: Term, message: str, value: Term | None) -> Violation:
        """A result of this shape; its ``sh:message``, if any, replaces the generated one."""
        shown = "" if value is None else _show(value)
        return Violation(_show(focus), self.path or "", self.message or message, shown)


def _count_step(shape: _Shape, bound: int, minimum: bool) -> _Step:
    def step(focus: Term, values: Collection[Term], _ctx: _Context, out: _Out) -> bool:
        if (len(values) >= bound) if minimum else (len(values) <= bound):
            return True
        if out is not None:
            wanted = f"at least {bound}" if minimum else f"at most {bound}"
            out.append(shape.violation(focus, f"needs {wanted} value(s), has {len(values)}", None))
        return False

    return step


def _has_value_step(shape: _Shape, wanted: Term) -> _Step:
    def step(focus: Term, values: Collection[Term], _ctx: _Context, out: _Out) -> bool:
        if wanted in values:
            return True
        if out is not None:
            value = focus if shape.path is None else None
            out.append(shape.violation(focus, f"must have the value {_show(wanted)}", value))
        return False

    return step


def _value_step(shape: _Shape, test: _Test, message: str) -> _Step:
    """A constraint on each value node alone: nodeKind, datatype, pattern, bounds, class."""

    def step(focus: Term, values: Collection[Term], ctx: _Context, out: _Out) -> bool:
        conforms = True
        for value in values:
            if not test(value, ctx):
                if out is None:
                    return False
                conforms = False
                out.append(shape.violation(focus, message, value))
        return conforms

    return step


def _node_step(shape: _Shape, other: _Shape) -> _Step:
    """sh:node: one result per non-conforming value, followed by that value's own results (sh:detail)."""

    def step(focus: Term, values: Collection[Term], ctx: _Context, out: _Out) -> bool:
        conforms = True
        for value in values:
            if out is None:
                if not other.evaluate(value, ctx, None):
                    return False
                continue
            nested: list[Violation] = []
            if not other.evaluate(value, ctx, nested):
                conforms = False
                out.append(shape.violation(focus, f"does not conform to shape {other.name}", value))
                out.extend(nested)
        return conforms

    return step


def _or_step(shape: _Shape, alternatives: tuple[_Shape, ...]) -> _Step:
    """sh:or: one result per value that conforms to none of the alternatives (their results are dropped)."""
    return _value_step(
        shape,
        lambda value, ctx: any(s.evaluate(value, ctx, None) for s in alternatives),
        f"conforms to none of {', '.join(s.name for s in alternatives)}",
    )


class CompiledShapes:
    """A shapes graph compiled to Python checks, with the mixed-in graph (the concept schemes) indexed."""

    def __init__(self, targeted: list[_Shape], mixin: _Index) -> None:
        self._targeted = targeted
        self.mixin = mixin
        self._scheme_closures: dict[Term, frozenset[Term]] = {}
        self._scheme_instances: dict[frozenset[Term], list[Term]] = {}
        self.verdicts: dict[tuple[_Shape, Term], tuple[bool, tuple[Violation, ...]]] = {}

    def scheme_closure(self, cls: Term) -> frozenset[Term]:
        """``cls`` and its subclasses according to the mixed-in graph alone (cached)."""
        closure = self._scheme_closures.get(cls)
        if closure is None:
            closure = self._scheme_closures[cls] = _closure(cls, (self.mixin,))
        return closure

    def scheme_instances(self, classes: frozenset[Term]) -> list[Term]:
        """The mixed-in graph's nodes typed with one of ``classes`` (cached)."""
        found = self._scheme_instances.get(classes)
        if found is None:
            found = self._scheme_instances[classes] = self.mixin.instances(classes)
        return found

    def validate_triples(self, triples: Iterable[Triple]) -> ValidationResult:
        """Validate the graph made of ``triples`` plus the mixed-in graph."""
        ctx = _Context(_Index(triples), self)
        violations: list[Violation] = []
        for shape in self._targeted:
            focus_nodes: dict[Term, None] = {}
            for cls in shape.targets:
                focus_nodes.update(dict.fromkeys(ctx.instances(cls)))
            for focus in focus_nodes:
                shape.evaluate(focus, ctx, violations)
        if not violations:
            return ValidationResult(conforms=True, violations=())
        return ValidationResult(conforms=False, violations=tuple(sorted(violations, key=str)))


def _show(term: Term) -> str:
    """A term as ``vocab.shapes`` shows it: the IRI, the blank node label or the lexical form."""
    return term[1].removeprefix("_:") if term[0] == "blank" else term[1]


def to_term(node: Node) -> Term:
    """An rdflib term as a plain tuple: ``("iri", v)``, ``("blank", label)``, ``("literal", lex, dt, lang)``."""
    if isinstance(node, URIRef):
        return ("iri", str(node))
    if isinstance(node, BNode):
        return ("blank", str(node))
    if isinstance(node, Literal):
        language = node.language or ""
        if node.datatype is not None:
            return ("literal", str(node), str(node.datatype), language)
        return ("literal", str(node), _RDF_LANG_STRING if language else _XSD_STRING, language)
    raise TypeError(f"not an RDF term: {node!r}")


# --- Compiling a shapes graph ---------------------------------------------------------------------------


class _Compiler:
    """Turns every shape of a shapes graph into a ``_Shape``, recording which triples it understood."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.used: set[tuple[Node, Node, Node]] = set()
        self.compiled: dict[Node, _Shape] = {}
        self.shape_nodes: set[Node] = set()

    def name(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self.graph.namespace_manager.normalizeUri(node)
        path = self.graph.value(node, SH.path)
        return f"[property shape of {self.name(path)}]" if path is not None else f"_:{node}"

    def fail(self, node: Node, message: str) -> UnsupportedShapes:
        return UnsupportedShapes(f"shape {self.name(node)}: {message}")

    def find_shapes(self) -> set[Node]:
        """Typed shapes, subjects of SHACL parameters, and every shape a parameter points at."""
        found: set[Node] = set(self.graph.subjects(RDF.type, SH.NodeShape))
        found |= set(self.graph.subjects(RDF.type, SH.PropertyShape))
        for subject, predicate, _object in self.graph:
            if str(predicate).startswith(str(SH)) and predicate not in _ANNOTATIONS:
                found.add(subject)
        return found

    def shape(self, node: Node) -> _Shape:
        """The compiled shape ``node`` (compiled on first reference)."""
        done = self.compiled.get(node)
        if done is not None:
            return done
        paths = list(self.graph.objects(node, SH.path))
        if len(paths) > 1:
            raise self.fail(node, "more than one sh:path")
        if paths and not isinstance(paths[0], URIRef):
            raise self.fail(node, "sh:path is not a single IRI; SHACL property paths are not implemented")
        shape = self.compiled[node] = _Shape(name=self.name(node), path=str(paths[0]) if paths else None)
        for predicate, value in self.graph.predicate_objects(node):
            if self.parameter(node, shape, predicate, value):
                self.used.add((node, predicate, value))
        return shape

    def parameter(self, node: Node, shape: _Shape, predicate: Node, value: Node) -> bool:
        """Compile one ``node predicate value`` triple into ``shape``; False if it is not understood."""
        if predicate == RDF.type:
            kind = SH.PropertyShape if shape.path is not None else SH.NodeShape
            if value in (SH.NodeShape, SH.PropertyShape) and value != kind:
                raise self.fail(node, f"typed {self.name(value)} but {'has' if shape.path else 'lacks'} sh:path")
            return value == kind
        if predicate == SH.path:
            return True
        if predicate == SH.message:
            shape.message = self.message(node)
            return isinstance(value, Literal)
        if predicate == SH.targetClass:
            shape.targets.append(self.term(node, value, "sh:targetClass", (URIRef,)))
        elif predicate in (SH.minCount, SH.maxCount):
            if shape.path is None:
                raise self.fail(node, f"{self.name(predicate)} on a node shape")
            count = self.literal(node, value, predicate, int)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise self.fail(node, f"{self.name(predicate)} {value} is not a non-negative integer")
            shape.steps.append(_count_step(shape, count, minimum=predicate == SH.minCount))
            shape.required = shape.required or (predicate == SH.minCount and count > 0)
        elif predicate == SH.hasValue:
            shape.steps.append(_has_value_step(shape, self.term(node, value, "sh:hasValue", (URIRef, Literal))))
            shape.required = True
        elif predicate == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise self.fail(node, f"unknown sh:nodeKind {self.name(value)}")
            label, kinds = _NODE_KINDS[value]
            shape.steps.append(_value_step(shape, lambda v, _ctx: v[0] in kinds, f"value is not {label}"))
        elif predicate == SH.datatype:
            iri = self.term(node, value, "sh:datatype", (URIRef,))[1]
            message = f"value is not a well-formed literal of datatype {self.name(value)}"
            shape.steps.append(_value_step(shape, _datatype_test(iri), message))
        elif predicate == SH.pattern:
            if (node, SH.flags, None) in self.graph:
                raise self.fail(node, "sh:flags is not implemented")
            source = self.literal(node, value, predicate, str)
            message = f"value does not match the pattern {source!r}"
            shape.steps.append(_value_step(shape, _pattern_test(_translate_pattern(str(source))), message))
        elif predicate in (SH.minInclusive, SH.maxInclusive):
            bound = _number(to_term(value))
            if bound is None or bound != bound:
                raise self.fail(node, f"{self.name(predicate)} {value}: only numeric bounds are implemented")
            minimum = predicate == SH.minInclusive
            message = f"value is not a number {'>=' if minimum else '<='} {value}"
            shape.steps.append(_value_step(shape, _bound_test(bound, minimum), message))
        elif predicate == _SH_CLASS:
            cls = self.term(node, value, "sh:class", (URIRef,))
            message = f"value is not an instance of {self.name(value)}"
            shape.steps.append(_value_step(shape, lambda v, ctx: ctx.is_instance(v, cls), message))
            shape.reaches_other_nodes = True
        elif predicate == SH.node:
            other = self.reference(node, value, "sh:node", property_shape=False)
            shape.children.append(other)
            shape.steps.append(_node_step(shape, other))
            shape.reaches_other_nodes = True
        elif predicate == SH.property:
            if shape.path is not None:
                raise self.fail(node, "sh:property on a property shape is not implemented")
            prop = self.reference(node, value, "sh:property", property_shape=True)
            assert prop.path is not None
            shape.children.append(prop)
            shape.properties.append((prop.path, prop))
        elif predicate == _SH_OR:
            members = [self.reference(node, item, "sh:or", None) for item in self.members(node, value)]
            shape.children.extend(members)
            shape.steps.append(_or_step(shape, tuple(members)))
        else:
            return False
        return True

    def term(self, node: Node, value: Node, what: str, kinds: tuple[type, ...]) -> Term:
        if not isinstance(value, kinds):
            raise self.fail(node, f"{what} {value!r} is not {' or '.join(k.__name__ for k in kinds)}")
        return to_term(value)

    def literal(self, node: Node, value: Node, predicate: Node, kind: type) -> object:
        python = value.toPython() if isinstance(value, Literal) else None
        if not isinstance(python, kind):
            raise self.fail(node, f"{self.name(predicate)} {value!r} is not a {kind.__name__} literal")
        return python

    def message(self, node: Node) -> str:
        """The shape's sh:message; with several, the English one, else one without language, else any."""
        preference = {"en": 0, None: 1}
        return str(
            min(
                self.graph.objects(node, SH.message),
                key=lambda m: (preference.get(getattr(m, "language", None), 2), str(m)),
            )
        )

    def members(self, node: Node, head: Node) -> list[Node]:
        """The items of the RDF list ``head``, marking its cells as understood."""
        items: list[Node] = []
        cell = head
        while cell != RDF.nil:
            firsts = list(self.graph.objects(cell, RDF.first))
            rests = list(self.graph.objects(cell, RDF.rest))
            if len(firsts) != 1 or len(rests) != 1 or len(list(self.graph.predicate_objects(cell))) != 2:
                raise self.fail(node, "sh:or is not a well-formed RDF list")
            self.used.update({(cell, RDF.first, firsts[0]), (cell, RDF.rest, rests[0])})
            items.append(firsts[0])
            cell = rests[0]
            if len(items) > 10_000:
                raise self.fail(node, "sh:or list does not end")
        if not items:
            raise self.fail(node, "an empty sh:or")
        return items

    def reference(self, node: Node, target: Node, what: str, property_shape: bool | None) -> _Shape:
        if target not in self.shape_nodes:
            raise self.fail(node, f"{what} points at {self.name(target)}, which is not a shape of this graph")
        shape = self.shape(target)
        if property_shape is not None and (shape.path is not None) != property_shape:
            raise self.fail(node, f"{what} {shape.name} is not a {'property' if property_shape else 'node'} shape")
        return shape

    def compile(self) -> list[_Shape]:
        """Compile every shape; refuse leftovers and recursion; return the shapes with targets."""
        self.shape_nodes = self.find_shapes()
        for node in sorted(self.shape_nodes, key=str):
            self.shape(node)
        leftovers = sorted(
            f"{self.name(s)} {self.name(p)} {o.n3(self.graph.namespace_manager)}"
            for s, p, o in self.graph
            if (s, p, o) not in self.used and p not in _ANNOTATIONS
        )
        if leftovers:
            raise UnsupportedShapes("SHACL not implemented by vocab.fastshapes: " + "; ".join(leftovers))
        for shape in self.compiled.values():
            _refuse_recursion(shape, ())
        for shape in self.compiled.values():
            shape.local = _is_local(shape)
        return [shape for shape in self.compiled.values() if shape.targets]


def _refuse_recursion(shape: _Shape, trail: tuple[_Shape, ...]) -> None:
    if shape in trail:
        names = " -> ".join(s.name for s in (*trail, shape))
        raise UnsupportedShapes(f"recursive shapes are not implemented: {names}")
    for child in shape.children:
        _refuse_recursion(child, (*trail, shape))


def _is_local(shape: _Shape) -> bool:
    return not shape.reaches_other_nodes and all(_is_local(child) for child in shape.children)


def compile_shapes(shapes: Graph, mixin: Graph | None = None) -> CompiledShapes:
    """Compile ``shapes`` into checks; ``mixin`` (e.g. the concept schemes) joins every data graph.

    Raises ``UnsupportedShapes`` if the shapes graph holds anything this module does not check.
    """
    targeted = _Compiler(shapes).compile()
    triples = () if mixin is None else ((_mixin_term(s), to_term(p), _mixin_term(o)) for s, p, o in mixin)
    return CompiledShapes(targeted, _Index(triples))


def _mixin_term(node: Node) -> Term:
    """A term of the mixed-in graph; its blank nodes are its own, whatever labels the data uses (RDF merge)."""
    return ("blank", str(node), "mixin") if isinstance(node, BNode) else to_term(node)


@cache
def _default() -> CompiledShapes:
    shapes = Graph(bind_namespaces="core")  # so that the file's own prefixes name things in messages
    shapes.parse(data=read_text("shapes.ttl"), format="turtle")
    return compile_shapes(shapes, schemes_graph())


def validate_triples(triples: Iterable[Triple]) -> ValidationResult:
    """Validate a profile given as term tuples against ``shapes.ttl``, with the concept schemes mixed in.

    Terms are ``("iri", value)``, ``("blank", label)`` or ``("literal", lexical, datatype, language)``; a
    literal with an empty datatype is an ``xsd:string`` (or ``rdf:langString`` with a language).
    """
    return _default().validate_triples(triples)


def validate_graph(graph: Graph) -> ValidationResult:
    """Validate an rdflib graph like ``validate_triples`` (a convenience: the conversion costs more)."""
    return _default().validate_triples([(to_term(s), to_term(p), to_term(o)) for s, p, o in graph])
