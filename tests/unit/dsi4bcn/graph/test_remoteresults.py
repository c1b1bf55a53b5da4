"""Results as external engines send them (``dsi4bcn.graph.remoteresults``), Virtuoso's quirks included."""

import json

import pyoxigraph as ox
import pytest

from dsi4bcn.graph.remoteresults import ResultsUnreadable, read_boolean, read_solutions, read_triples

# What Virtuoso 7.2 sends: SPARQL 1.0's typed-literal, blank nodes named nodeID://…, escaped non-ASCII.
VIRTUOSO = b"""{ "head": { "link": [], "vars": ["s", "o", "missing"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "s": { "type": "bnode", "value": "nodeID://b10000" }, "o": { "type": "typed-literal",
      "datatype": "http://www.w3.org/2001/XMLSchema#dateTime", "value": "2026-01-01T00:00:00Z" }},
    { "s": { "type": "uri", "value": "http://ex/a" }, "o": { "type": "literal", "xml:lang": "ca",
      "value": "h\\u00E9llo" }},
    { "s": { "type": "uri", "value": "http://ex/b" }, "o": { "type": "literal", "value": "plain" }} ] } }"""


def test_virtuoso_results_become_terms() -> None:
    variables, rows = read_solutions(VIRTUOSO)
    assert variables == ["s", "o", "missing"]
    first, second, third = list(rows)
    assert isinstance(first[0], ox.BlankNode) and first[2] is None
    assert first[1] == ox.Literal(
        "2026-01-01T00:00:00Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    )
    assert second[:2] == [ox.NamedNode("http://ex/a"), ox.Literal("héllo", language="ca")]
    assert third[1] == ox.Literal("plain")


def test_the_same_blank_node_label_is_the_same_node_within_a_result() -> None:
    row = {"type": "bnode", "value": "nodeID://b7"}
    body = json.dumps({"head": {"vars": ["x", "y"]}, "results": {"bindings": [{"x": row, "y": row}]}}).encode()
    (only,) = list(read_solutions(body)[1])
    assert only[0] == only[1]


def test_ask_and_triples() -> None:
    assert read_boolean(b'{ "head": { "link": [] }, "boolean": true}') is True
    triples = read_triples(b'<http://ex/a>\t<http://ex/p>\t"\\u00E9"@ca .\n', "application/n-triples")
    assert triples == [
        ox.Triple(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"), ox.Literal("é", language="ca"))
    ]
    assert read_triples(b"@prefix ex: <http://ex/> . ex:a ex:p ex:b .", "text/turtle")[0].object == ox.NamedNode(
        "http://ex/b"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service Unavailable</html>",
        b"[]",
        b'{"head": {"vars": ["x"]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "not an iri"}}]}}',
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple", "value": "x"}}]}}',
    ],
)
def test_what_is_not_results_is_refused(body: bytes) -> None:
    with pytest.raises(ResultsUnreadable):
        list(read_solutions(body)[1])


def test_bad_booleans_and_rdf_are_refused() -> None:
    with pytest.raises(ResultsUnreadable):
        read_boolean(b'{"boolean": "yes"}')
    with pytest.raises(ResultsUnreadable):
        read_triples(b"<http://ex/a> <http://ex/p> .", "application/n-triples")
