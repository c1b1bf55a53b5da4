r"""The SPARQL request checks: forms, updates, SERVICE and FROM, decided on the parsed query.

The text is read as Oxigraph reads it (a comment ends at CR or LF, ``\#`` belongs to a prefixed name,
``\u`` escapes count only in strings and IRIs), so nothing can hide a SERVICE from the check that Oxigraph
would then run. A corpus of supported queries must pass, and Oxigraph must parse each of them too.
"""

import pyoxigraph as ox
import pytest

from dsi4bcn.sparql.checks import QueryRefused, check_query, choose_format
from dsi4bcn.sparql.examples import EXAMPLES
from dsi4bcn.sparql.syntax import MAX_DEPTH, SyntaxRefused, read_query

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
        ("BASE <https://n.example/projects/> SELECT * FROM <a> WHERE { ?s ?p ?o }", "SELECT"),
        (r"SELECT * FROM <https://n.example/projects/\u0061> WHERE { ?s ?p ?o }", "SELECT"),
        (r"PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:a\#SERVICE ?o }", "SELECT"),
        (r"SELECT * WHERE { ?s ?p 'it\'s # SERVICE <http://x/> {}' }", "SELECT"),
        ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { ?a ?b ?c }", "SELECT"),
        (r"SELECT * WHERE { ?s ?p '\u0027 } SERVICE <http://x/> { } \u0027' }", "SELECT"),
        ("SELECT * WHERE { ?service ?p ?o . BIND(<http://x/service> AS ?SERVICE) }", "SELECT"),
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
        # The reported attack: the old tokenizer took \# for a comment and missed the SERVICE after it.
        (
            "PREFIX ex: <http://example.org/>\nSELECT * WHERE { BIND(ex:a\\#b AS ?q) "
            "SERVICE <http://127.0.0.1:1/internal> { ?x ?y ?z } }",
            r"SERVICE is not allowed \(line 2, column 38\)",
        ),
        # Oxigraph ends a comment at a lone CR: what follows it is query text again.
        ("SELECT * WHERE { ?s ?p ?o # hidden?\r SERVICE <http://x/> { ?a ?b ?c } }", "SERVICE"),
        ("SELECT * WHERE { { SELECT * WHERE { SERVICE <http://x/> { ?a ?b ?c } } } }", "SERVICE"),
        ("ASK { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }", "SERVICE"),
        ("ASK { ?s ?p ?o FILTER (NOT EXISTS { OPTIONAL { SERVICE <http://x/> { } } }) }", "SERVICE"),
        ("SELECT * WHERE { OPTIONAL { MINUS { GRAPH ?g { SERVICE <http://x/> { } } } } }", "SERVICE"),
        ("SELECT * WHERE { BIND(<http://x/> AS ?u) SERVICE ?u { ?a ?b ?c } }", "SERVICE"),
        ("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { SERVICE <http://x/> {} } }", "SERVICE"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("DESCRIBE ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p 'a' SERVICE <http://x/> { } }", "SERVICE"),
        # Oxigraph reads \u escapes only in strings and IRIs: elsewhere they are not SPARQL.
        (r"SELECT * WHERE { \u0053ERVICE <http://x/> { ?a ?b ?c } }", "not valid"),
        (r"SELECT * WHERE { BIND('a\u0027 AS ?x) SERVICE <http://x/> {} BIND('b' AS ?y) }", "not valid"),
        ("SELECT * WHERE { ?s ?p ?o SERVICEX <http://x/> {} }", "not valid"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", "FROM"),
        ("PREFIX e: <http://evil/> SELECT * FROM e:g WHERE { ?s ?p ?o }", "FROM"),
        ("BASE <http://evil/> SELECT * FROM <g> WHERE { ?s ?p ?o }", "FROM names http://evil/g"),
        ("SELECT * FROM <relative> WHERE { ?s ?p ?o }", "relative IRI"),
        ("SELECT * WHERE { ?s e:p ?o }", "prefix e: is not declared"),
        ("SELECT * WHERE { << ?s ?p ?o >> ?q ?r }", "not valid"),
        ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }", "not valid"),
        ("nonsense", "not valid"),
        ("", "empty"),
    ],
)
def test_refused_queries(query: str, reason: str) -> None:
    with pytest.raises(QueryRefused, match=reason) as refused:
        check_query(query, GRAPHS)
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("before", "opening", "middle", "closing", "after"),
    [
        ("SELECT * WHERE { ", "{ ", "?s ?p ?o", " }", " }"),
        ("SELECT * WHERE { ", "OPTIONAL { ", "?s ?p ?o", " }", " }"),
        ("SELECT * WHERE { ", "{ SELECT * WHERE { ", "?s ?p ?o", " } }", " }"),
        ("SELECT * WHERE { ?s ?p ?o FILTER", "(", "1", ")", " }"),
        ("SELECT * WHERE { ?s ?p ", "[ ?p ", "?x", " ]", " }"),
        ("SELECT * WHERE { ?s ?p ", "( ", "?x", " )", " }"),
        ("SELECT * WHERE { ?s ", "(", "<http://p>", ")", " ?o }"),
    ],
)
def test_nesting_is_bounded(before: str, opening: str, middle: str, closing: str, after: str) -> None:
    deep = before + opening * 200 + middle + closing * 200 + after
    with pytest.raises(QueryRefused, match=f"nested more than {MAX_DEPTH} levels"):
        check_query(deep, GRAPHS)
    fine = before + opening * 20 + middle + closing * 20 + after
    assert check_query(fine, GRAPHS).form == "SELECT"
    ox.Store().query(fine)  # and Oxigraph reads that depth too


def test_every_service_is_found_wherever_it_is_nested() -> None:
    query = (
        "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://a/> {} } } FILTER EXISTS { SERVICE SILENT <http://b/> {} }"
        " OPTIONAL { SERVICE ?c {} } MINUS { SERVICE <http://d/> {} } }"
    )
    columns = [query.index("SERVICE", query.index(marker)) + 1 for marker in ("<http://a/>", "EXISTS", "OPTIONAL")]
    columns[0] = query.index("SERVICE") + 1
    assert read_query(query).services == (*(f"line 1, column {column}" for column in columns), "…")
    assert read_query("SELECT * WHERE { ?s ?p ?o }").services == ()


def test_dataset_graphs_are_resolved_against_the_prologue() -> None:
    syntax = read_query(
        "BASE <http://b.example/dir/> PREFIX n: <sub/> "
        r"SELECT * FROM <../g1> FROM n:g\.2 FROM NAMED <http://c.example/g3> WHERE { ?s ?p ?o }"
    )
    assert syntax.default_graphs == ("http://b.example/g1", "http://b.example/dir/sub/g.2")
    assert syntax.named_graphs == ("http://c.example/g3",)


_PREFIXES = """PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX as: <https://www.w3.org/ns/activitystreams#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
_SUPPORTED = [
    "SELECT ?p ?name ?start WHERE { ?p a dsi:Project ; as:name ?name . OPTIONAL { ?p dsi:start ?start } "
    "FILTER(lang(?name) = 'ca' && CONTAINS(LCASE(?name), 'a')) }",
    "SELECT ?area (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dsi:Project ; dsi:area ?area } "
    "GROUP BY ?area HAVING (COUNT(DISTINCT ?p) > 1) ORDER BY DESC(?n) ?area LIMIT 5 OFFSET 1",
    "SELECT ?p WHERE { ?p dsi:basedIn/skos:broader* ?d . ?d ^skos:narrower|skos:related+ ?e . "
    "?e !(a|^skos:broader) ?f . ?f (skos:broader/skos:broader)? ?g }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "CONSTRUCT { ?p dsi:area ?a ; skos:related [ a skos:Concept ] } WHERE { ?p a dsi:Project ; dsi:area ?a }",
    "CONSTRUCT WHERE { ?s a dsi:Project }",
    "DESCRIBE <https://w3id.org/dsi4bcn/area/maker>",
    "DESCRIBE ?p WHERE { ?p a dsi:Project } LIMIT 2",
    "ASK { ?p a dsi:Project }",
    "SELECT * WHERE { VALUES (?a ?b) { (1 'x') (UNDEF -2.5e3) } VALUES ?c { <http://a> true } }",
    "SELECT ?p WHERE { { SELECT ?p WHERE { ?p a dsi:Project } LIMIT 3 } UNION { ?p a skos:Concept } "
    "MINUS { ?p dsi:area ?x } } VALUES ?p { <http://a> }",
    "SELECT ?x (STRLEN(?x) * 2 AS ?y) WHERE { ?s ?p ?x BIND(IF(BOUND(?x), xsd:integer('1'), -1) AS ?z) "
    "FILTER(?x IN (1, 2) || ?x NOT IN ('a') || REGEX(STR(?x), '^a', 'i') || !isIRI(?s) || ?z >= +1) "
    "FILTER NOT EXISTS { ?s ?p 'x'@en-GB } FILTER(?z != 'y'^^xsd:string && -?z < 3) }",
    "SELECT (GROUP_CONCAT(DISTINCT ?o; SEPARATOR=', ') AS ?all) (SAMPLE(?o) AS ?one) WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ( 1 ( 2 ) [ ?q 'r' ] ) . [ ?a ?b ] ?c () . _:b0 ?d [] }",
    "SELECT * WHERE { ?s ?p ?o ; ; ?q ?r , ?t . FILTER(?o) . BIND(NOW() AS ?now) . ?s ?p ?z }",
    'SELECT $x WHERE { $x ?p \'\'\'long\n"string"\'\'\' . ?x ?p """other""" . ?x ?p .5 . ?x ?p 1. }',
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < ?s) FILTER(?o <= 1) FILTER(?o >= 1) FILTER(?o - 1 > 0) }",
    "SELECT * WHERE { ?s ?p 'caf\\u00e9', <http://a\\u0062> }",
]


@pytest.mark.parametrize("query", [_PREFIXES + query for query in _SUPPORTED] + [e["query"] for e in EXAMPLES["en"]])
def test_supported_queries_pass_and_oxigraph_parses_them_too(query: str) -> None:
    checked = check_query(query, GRAPHS)
    ox.Store().query(checked.text)  # no SyntaxError: both read it as a query


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(TRUE) }",
        "SELECT * WHERE { ?s A ?o }",
        "SELECT * WHERE { ?s ?p ?o\u00a0}",
        "SELECT * WHERE { ?s ?p ?o , }",
        r"SELECT * WHERE { BIND(<http://a\u003E AS ?x) }",
        "SELECT * WHERE { ?s ?p ?o } ;",
    ],
)
def test_what_oxigraph_cannot_parse_is_refused_too(text: str) -> None:
    with pytest.raises(SyntaxError):
        ox.Store().query(text)
    with pytest.raises(SyntaxRefused):
        read_query(text)


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
