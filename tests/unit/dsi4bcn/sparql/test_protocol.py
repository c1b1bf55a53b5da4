"""Reading SPARQL 1.1 Protocol requests (``dsi4bcn.sparql.protocol``) and the protocol dataset in the checks."""

import pytest

from dsi4bcn.sparql.checks import QueryRefused, check_query
from dsi4bcn.sparql.protocol import ProtocolRequest, read_request

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
G1, G2 = "http://node.example/actors/one", "http://node.example/actors/two"


def _refused(*args: object, **kwargs: object) -> QueryRefused:
    with pytest.raises(QueryRefused) as raised:
        read_request(*args, **kwargs)  # type: ignore[arg-type]
    return raised.value


def test_get_reads_the_query_the_dataset_and_the_format() -> None:
    asked = read_request(
        "GET",
        [
            ("query", "ASK {}"),
            ("default-graph-uri", G1),
            ("default-graph-uri", G2),
            ("named-graph-uri", G2),
            ("format", "xml"),
        ],
    )
    assert asked == ProtocolRequest("ASK {}", (G1, G2), (G2,), "xml")


def test_a_form_body_carries_the_dataset_beside_the_url() -> None:
    body = f"query=ASK%20%7B%7D&default-graph-uri={G1}".encode()
    asked = read_request("POST", [("named-graph-uri", G2)], FORM, None, body)
    assert asked == ProtocolRequest("ASK {}", (G1,), (G2,))


def test_a_direct_post_takes_the_dataset_from_the_url() -> None:
    asked = read_request("POST", [("default-graph-uri", G1)], DIRECT, "UTF-8", b"ASK {}")
    assert asked == ProtocolRequest("ASK {}", (G1,), ())


def test_without_a_query_a_get_describes_the_service() -> None:
    assert read_request("GET", []).query is None


@pytest.mark.parametrize(
    ("method", "url", "media_type", "body"),
    [
        ("GET", [("update", "CLEAR ALL")], "", b""),
        ("GET", [("query", "ASK {}"), ("using-graph-uri", G1)], "", b""),
        ("POST", [], FORM, b"update=CLEAR%20ALL"),
        ("POST", [], FORM, b"query=ASK%20%7B%7D&update=CLEAR%20ALL"),
        ("POST", [], FORM, b"using-named-graph-uri=x&query=ASK%20%7B%7D"),
        ("POST", [], "application/sparql-update", b"CLEAR ALL"),
        ("POST", [("update", "CLEAR ALL")], DIRECT, b"ASK {}"),
    ],
)
def test_every_update_is_refused_as_read_only(
    method: str, url: list[tuple[str, str]], media_type: str, body: bytes
) -> None:
    refused = _refused(method, url, media_type, None, body)
    assert refused.status == 400 and "read-only" in refused.reason


@pytest.mark.parametrize(
    ("method", "url", "media_type", "body", "words"),
    [
        ("GET", [("query", "ASK {}"), ("query", "SELECT * {}")], "", b"", "2 query parameters"),
        ("POST", [], FORM, b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", "2 query parameters"),
        ("POST", [("query", "ASK {}")], FORM, b"query=ASK%20%7B%7D", "2 query parameters"),
        ("POST", [("query", "ASK {}")], DIRECT, b"ASK {}", "both in the URL and in the body"),
        ("POST", [], FORM, b"default-graph-uri=x", "no field named query"),
        ("POST", [], FORM, b"query=%FF", "not valid UTF-8"),
        ("POST", [], DIRECT, b"ASK { \xff }", "not valid UTF-8"),
    ],
)
def test_malformed_requests_get_400(
    method: str, url: list[tuple[str, str]], media_type: str, body: bytes, words: str
) -> None:
    refused = _refused(method, url, media_type, None, body)
    assert refused.status == 400 and words in refused.reason


@pytest.mark.parametrize(
    ("media_type", "charset"), [("", None), ("text/plain", None), (DIRECT, "UTF-16"), (FORM, "iso-8859-1")]
)
def test_other_media_types_and_charsets_get_415(media_type: str, charset: str | None) -> None:
    assert _refused("POST", [], media_type, charset, b"ASK {}").status == 415


def test_the_protocol_dataset_replaces_from_and_is_held_to_the_graphs_of_the_node() -> None:
    known = {G1, G2}
    checked = check_query("ASK FROM <http://elsewhere.example/g> { ?s ?p ?o }", known, (G1,), ())
    assert checked.dataset == ((G1,), ())
    assert check_query("ASK {}", known, (), (G2,)).dataset == ((), (G2,))
    assert check_query(f"ASK FROM <{G1}> {{}}", known).dataset is None
    for default, named in (((("http://elsewhere.example/g",)), ()), ((), ("http://elsewhere.example/g",))):
        with pytest.raises(QueryRefused, match="not a graph of this node"):
            check_query("ASK {}", known, default, named)


def test_relative_iris_resolve_against_the_endpoint() -> None:
    with pytest.raises(QueryRefused, match="relative IRI"):
        check_query("CONSTRUCT { <s> <p> 1 } WHERE {}", set())
    assert check_query("CONSTRUCT { <s> <p> 1 } WHERE {}", set(), base="http://node.example/sparql").form == "CONSTRUCT"
    checked = check_query("ASK FROM <one> {}", {"http://node.example/one"}, base="http://node.example/sparql")
    assert checked.form == "ASK"
