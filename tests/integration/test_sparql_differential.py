"""No parser differential: what the check reads as free of SERVICE never makes Oxigraph call anything.

Supported queries are mutated at random (fixed seed) with the pieces that make lexers disagree (comment
marks, CR, quotes, backslashes, escapes, IRI brackets) and with SERVICE calls to a listener on 127.0.0.1.
Every mutant the check accepts without a SERVICE is then run by pyoxigraph itself, outside any sandbox:
the listener must receive nothing.
"""

import random

import pyoxigraph as ox

from dsi4bcn.sparql.syntax import SyntaxRefused, read_query
from tests.support.listener import listening

SEEDS = [
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:p ?o . OPTIONAL { ?o ex:q 'a' } FILTER(?o != 1) }",
    'PREFIX ex: <http://example.org/> ASK { ?s ex:a\\#b "x" ; ex:c ( 1 2 ) . BIND(STR(?s) AS ?t) }',
    "SELECT ?s (COUNT(*) AS ?n) WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } GROUP BY ?s HAVING (COUNT(*) > 0)",
    "PREFIX ex: <http://example.org/> CONSTRUCT { ?s ex:p ?o } WHERE { ?s ex:p/ex:q* ?o FILTER EXISTS { ?o ?p ?s } }",
    "SELECT * WHERE { ?s ?p '''long ' string''' . ?s ?p \"\\\"\" . VALUES ?v { <http://a> 'b' } } # done",
]


def _fragments(url: str) -> list[str]:
    service = f" SERVICE <{url}> {{ ?a ?b ?c }} "
    return [
        "#",
        "\r",
        "\n",
        "'",
        '"',
        "'''",
        '"""',
        "\\",
        "\\#",
        "\\'",
        '\\"',
        "<",
        ">",
        "\\u0027",
        "\\u0022",
        "\\u000A",
        "\\u0053",
        " ex:a\\#b ",
        "%23",
        "{",
        "}",
        ".",
        ";",
        "(",
        ")",
        service,
        f"}}{service}{{",
        f"#{service}",
        f"'{service}'",
        f"\\#{service}",
    ]


def test_mutants_the_check_accepts_never_reach_the_network() -> None:
    generator = random.Random(20261130)
    store = ox.Store()
    accepted = 0
    with listening() as listener:
        fragments = _fragments(listener.url)
        for _ in range(20_000):
            text = generator.choice(SEEDS)
            for _ in range(generator.randint(1, 3)):
                at = generator.randrange(len(text) + 1)
                text = text[:at] + generator.choice(fragments) + text[at:]
            try:
                syntax = read_query(text)
            except SyntaxRefused:
                continue
            if syntax.services:
                continue
            accepted += 1
            try:
                result = store.query(text)
                if not isinstance(result, ox.QueryBoolean):
                    list(result)
            except (SyntaxError, OSError, RuntimeError, ValueError):
                pass
            assert listener.requests == [], f"Oxigraph called SERVICE in a query the check read without: {text!r}"
    assert accepted > 1000  # enough mutants got through the check for the comparison to mean something
