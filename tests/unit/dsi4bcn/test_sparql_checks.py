"""The SPARQL request checks: forms, updates, SERVICE and FROM, without being fooled by strings or IRIs."""

import pytest

from dsi4bcn.sparql import QueryRefused, check_query, choose_format

GRAPHS = frozenset({"https://n.example/projects/a"})


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <http://ex/> ASK { ?s ex:p ?o }", "ASK"),
        ("# INSERT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://ex/service>", "DESCRIBE"),
        ("SELECT ?service WHERE { ?service <http://ex/SERVICE> 'SERVICE DELETE' }", "SELECT"),
        ('SELECT * WHERE { ?s ?p """ a long string with SERVICE and\nINSERT """ }', "SELECT"),
        ("PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:SERVICE ?o }", "SELECT"),
        ("SELECT * FROM <https://n.example/projects/a> WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX n: <https://n.example/projects/> SELECT * FROM NAMED n:a WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT"),
    ],
)
def test_allowed_queries(query: str, form: str) -> None:
    assert check_query(query, GRAPHS).form == form


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
        ("PREFIX ex: <http://ex/> DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("LOAD <http://example.org/x.ttl>", "read-only"),
        ("CLEAR ALL", "read-only"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { service   silent <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", "FROM"),
        ("PREFIX e: <http://evil/> SELECT * FROM e:g WHERE { ?s ?p ?o }", "FROM"),
        ("nonsense", "not valid"),
        ("", "empty"),
    ],
)
def test_refused_queries(query: str, reason: str) -> None:
    with pytest.raises(QueryRefused, match=reason):
        check_query(query, GRAPHS)


def test_too_long() -> None:
    with pytest.raises(QueryRefused) as refused:
        check_query("SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000, GRAPHS)
    assert refused.value.status == 413


def test_result_formats() -> None:
    assert choose_format("SELECT", "text/csv") == "text/csv"
    assert choose_format("SELECT", None) == "application/sparql-results+json"
    assert choose_format("CONSTRUCT", "application/n-triples") == "application/n-triples"
    assert choose_format("CONSTRUCT", "text/csv") is None
    assert choose_format("SELECT", "text/html", requested="tsv") == "text/tab-separated-values"
    assert choose_format("ASK", "application/sparql-results+xml") == "application/sparql-results+xml"
