"""SHACL validation of organisation and project profiles against the bundled shapes.

The concept schemes are added to (a copy of) the data graph so that a shape can check
that, say, every ``dsi:area`` value is a concept of the DSI areas scheme.
"""

from dataclasses import dataclass
from functools import cache

from rdflib import Graph
from rdflib.namespace import RDF, SH

from vocab.graph import read_text, schemes_graph

__all__ = ["ValidationResult", "Violation", "shapes_graph", "validate"]


@dataclass(frozen=True)
class Violation:
    """One failed constraint: which node, which property, why."""

    focus: str
    path: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}".strip()
        value = f" (value {self.value})" if self.value else ""
        return f"{where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validating a graph: conforms, and every violation found."""

    conforms: bool
    violations: tuple[Violation, ...]


@cache
def _shapes() -> Graph:
    graph = Graph()
    graph.parse(data=read_text("shapes.ttl"), format="turtle")
    return graph


@cache
def _mixin() -> Graph:
    return schemes_graph()


def shapes_graph() -> Graph:
    """A fresh copy of the SHACL shapes graph."""
    graph = Graph()
    graph += _shapes()
    return graph


def validate(data: Graph) -> ValidationResult:
    """Validate ``data`` against the profile shapes; ``data`` itself is not modified."""
    # Imported here: pyshacl takes a second to import, and the node validates with vocab.fastshapes.
    from pyshacl import validate as shacl_validate

    combined = Graph()
    combined += data
    combined += _mixin()
    conforms, results, _text = shacl_validate(
        combined,
        shacl_graph=_shapes(),
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
    )
    assert isinstance(results, Graph)
    violations = [
        Violation(
            focus=str(results.value(result, SH.focusNode) or ""),
            path=str(results.value(result, SH.resultPath) or ""),
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
            value=str(results.value(result, SH.value) or ""),
        )
        for result in results.subjects(RDF.type, SH.ValidationResult)
    ]
    return ValidationResult(conforms=bool(conforms), violations=tuple(sorted(violations, key=str)))
