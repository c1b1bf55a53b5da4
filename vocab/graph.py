"""The vocabulary as RDF: the ontology and every concept scheme, parsed from the bundled Turtle files."""

import hashlib
from functools import cache
from importlib import resources

import pyoxigraph
from rdflib import Graph

__all__ = [
    "ontology_graph",
    "read_text",
    "scheme_triples",
    "schemes_graph",
    "vocabulary_fingerprint",
    "vocabulary_graph",
    "vocabulary_ntriples",
]


def read_text(name: str) -> str:
    """The text of a bundled data file, e.g. ``ontology.ttl`` or ``schemes/area.ttl``."""
    return resources.files("vocab").joinpath(name).read_text(encoding="utf-8")


def _scheme_files() -> list[str]:
    folder = resources.files("vocab").joinpath("schemes")
    return sorted(f"schemes/{entry.name}" for entry in folder.iterdir() if entry.name.endswith(".ttl"))


@cache
def _parsed(name: str) -> Graph:
    graph = Graph()
    graph.parse(data=read_text(name), format="turtle")
    return graph


def scheme_triples() -> list[pyoxigraph.Triple]:
    """Every triple of the SKOS concept schemes, read by Oxigraph's parser (an rdflib ``Graph`` of them
    costs most of a second of every node's start)."""
    triples: list[pyoxigraph.Triple] = []
    for name in _scheme_files():
        triples.extend(pyoxigraph.parse(read_text(name), format=pyoxigraph.RdfFormat.TURTLE))
    return triples


def ontology_graph() -> Graph:
    """A fresh graph holding the ontology (classes and properties)."""
    graph = Graph()
    graph += _parsed("ontology.ttl")
    return graph


def schemes_graph() -> Graph:
    """A fresh graph holding every SKOS concept scheme."""
    graph = Graph()
    for name in _scheme_files():
        graph += _parsed(name)
    return graph


def vocabulary_graph() -> Graph:
    """A fresh graph with the whole vocabulary: ontology plus concept schemes."""
    graph = ontology_graph()
    graph += schemes_graph()
    _bind_prefixes(graph)
    return graph


def _bind_prefixes(graph: Graph) -> None:
    source = _parsed("ontology.ttl")
    for prefix, namespace in source.namespaces():
        graph.bind(prefix, namespace, override=True)
    for scheme in ("area", "sector", "district", "neighbourhood", "skill", "sdg", "status"):
        graph.bind(scheme, f"https://w3id.org/dsi4bcn/{scheme}/", override=True)


def _vocabulary_files() -> list[str]:
    return ["ontology.ttl", *_scheme_files()]


def vocabulary_fingerprint() -> str:
    """A SHA-256 of the bundled vocabulary files: it changes when, and only when, the vocabulary does."""
    digest = hashlib.sha256()
    for name in _vocabulary_files():
        digest.update(name.encode() + b"\0" + read_text(name).encode("utf-8") + b"\0")
    return digest.hexdigest()


@cache
def vocabulary_ntriples() -> str:
    """The whole vocabulary (the triples of ``vocabulary_graph()``) as N-Triples.

    Parsed with Oxigraph's Rust parser rather than rdflib: a node writes this at its first start, and
    rdflib takes seconds of a small machine's start-up for what Oxigraph does in milliseconds."""
    lines: list[str] = []
    for name in _vocabulary_files():
        for triple in pyoxigraph.parse(read_text(name), format=pyoxigraph.RdfFormat.TURTLE):
            lines.append(f"{triple} .\n")
    return "".join(lines)
