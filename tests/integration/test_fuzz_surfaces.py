"""Every public surface answers generated hostile input with a 4xx in time, and changes nothing (issue 9).

One demo node. Per surface (inboxes, admin API, SPARQL, WebFinger, host-meta, NodeInfo, actors and their
collections with ``?page=``, ``/api/match``, ``/partners``, pages with ``?lang=``, ``/tags/…``, ``/ns``),
hypothesis generates malformed, oversized, deeply nested and binary paths, query strings, headers and
bodies. Requests go over a raw socket, so that bytes no HTTP library would send arrive as sent. Each answer
must come within the surface's time limit and be below 500; the one documented 5xx is a SPARQL query stopped
at its time limit (503 ``sparql_refused``), which must still come within that limit plus a margin. After
each surface the node must be healthy and its database dump unchanged.

Reproducible: ``derandomize=True`` (examples derived from the test's source, no database), bounded
``max_examples`` (100 per surface), and the inputs that once failed as fixed ``@example``s; the module takes
about 20 s (2 cores). ``DSI4BCN_FUZZ_EXAMPLES=1500 DSI4BCN_FUZZ_RANDOM=1`` hunts further (about 2 minutes).
"""

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.support.http import database_dump, fetch
from tests.support.nodes import Node, start_node

QUERY_TIMEOUT = 2.0  # the node's SPARQL limit (DSI4BCN_QUERY_TIMEOUT), kept short so that stopped queries are cheap
LIMIT = 2.0  # seconds any other answer may take
SPARQL_LIMIT = QUERY_TIMEOUT + 3.0  # the query limit, plus stopping and restarting the graph process
# More examples and fresh randomness to hunt for bugs: DSI4BCN_FUZZ_EXAMPLES=2000 DSI4BCN_FUZZ_RANDOM=1.
SETTINGS = settings(
    max_examples=int(os.environ.get("DSI4BCN_FUZZ_EXAMPLES", "100")),
    deadline=None,
    derandomize=not os.environ.get("DSI4BCN_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
ONE_MIB = 1024 * 1024


@dataclass(frozen=True)
class Raw:
    """An answer read off the socket: status (0 if none came), seconds taken, body."""

    status: int
    seconds: float
    body: bytes


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(
        tmp_path_factory.mktemp("fuzz") / "node", demo=True, env={"DSI4BCN_QUERY_TIMEOUT": str(QUERY_TIMEOUT)}
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def slugs(node: Node) -> list[str]:
    headers = {"Authorization": f"Bearer {node.token}"}
    found = []
    for kind in ("organisations", "projects"):
        found += [item["slug"] for item in fetch(f"{node.base_url}/api/{kind}", headers=headers).json()]
    assert found, "the demo set has profiles"
    return found


def send(
    node: Node,
    method: bytes,
    target: bytes,
    headers: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
    body: bytes | None = None,
    timeout: float = 30.0,
) -> Raw:
    """One request over a fresh connection, bytes as given; the status line is all that is parsed."""
    head = [method + b" " + target + b" HTTP/1.1", b"Host: " + f"127.0.0.1:{node.port}".encode(), b"Connection: close"]
    head += [name + b": " + value for name, value in headers]
    if body is not None:
        head.append(b"Content-Length: " + str(len(body)).encode())
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", node.port), timeout=timeout) as sock:
        # The node may answer (413) and close before reading everything: then read its answer.
        with contextlib.suppress(OSError):
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + (body or b""))
        received = bytearray()
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:
            pass
    seconds = time.monotonic() - start
    status_line = bytes(received).split(b"\r\n", 1)[0].split(b" ")
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    return Raw(status, seconds, bytes(received).partition(b"\r\n\r\n")[2])


def check(answer: Raw, what: str, limit: float = LIMIT) -> None:
    """An answer came, in time, and is no server error (a stopped SPARQL query's 503 aside)."""
    assert answer.status, f"{what}: no answer"
    assert answer.seconds <= limit, f"{what}: {answer.seconds:.1f} s"
    if answer.status == 503 and limit == SPARQL_LIMIT:
        assert b"sparql_refused" in answer.body, f"{what}: {answer.body[:300]!r}"
        return
    assert answer.status < 500, f"{what}: {answer.status} {answer.body[:300]!r}"


@pytest.fixture
def unchanged(node: Node) -> Iterator[None]:
    """The node is healthy and its database unchanged after the test."""
    node.settle()
    before = database_dump(node.database)
    yield
    assert node.process is not None and node.process.poll() is None, node.log()[-3000:]
    assert fetch(f"{node.base_url}/healthz", timeout=5).status == 200
    node.settle()
    assert database_dump(node.database) == before


# ---- what is generated -------------------------------------------------------------------------------------

TEXT = st.text(max_size=300)
BYTES = st.binary(min_size=1, max_size=2000)
# Bytes for a header value: anything but the line breaks that would end the header.
HEADER_VALUE = st.binary(max_size=400).map(
    lambda value: value.replace(b"\r", b"").replace(b"\n", b"")
) | st.sampled_from(
    [b"a" * 20_000, b"(" * 8_000, b"gzip", b"deflate, br", b"chunked", b"bytes=0-1,2-3", b"\xff\xfe", b"0" * 30]
)
# Depths either side of the JSON limit (64) and the decoder's recursion limit (about 1,000), and far past both.
DEPTH = st.sampled_from([2, 64, 65, 500, 990, 1_000, 1_010, 3_000, 100_000, 300_000]) | st.integers(1, 200_000)


def _nested(depth: int, opener: str) -> bytes:
    return {"[": b"[" * depth, "{": b'{"a":' * depth, "mix": b'[{"a":' * (depth // 2)}[opener]


NESTED_JSON = st.builds(_nested, DEPTH, st.sampled_from(["[", "{", "mix"]))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=30,
).map(lambda value: json.dumps(value).encode())


def _json_object(raw: bytes) -> bool:
    """Whether ``raw`` is a JSON object (which an authorised write could accept: never sent)."""
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, RecursionError):
        return False


# Never a valid document: a truncated one, binary, nested beyond any limit, a lone surrogate, or just too big.
BAD_BODIES = st.one_of(
    BYTES,
    NESTED_JSON,
    JSON_VALUES.map(lambda raw: raw[:-1] if len(raw) > 1 else b"{"),
    st.just(b'{"nameMap": {"ca": "\\udc00"}, "type": "Create", "actor": "\\ud800"}'),
    st.just(b'{"a": "' + b"x" * (ONE_MIB + 1) + b'"}'),
    st.integers(min_value=0, max_value=0x10FFFF).map(lambda code: b'"\\u' + f"{code:04x}".encode()[:4]),
)
JSON_TYPES = (
    st.sampled_from([b"application/json", b"application/ld+json", b"application/activity+json", b"text/plain", b""])
    | HEADER_VALUE
)
ACCEPT = (
    st.sampled_from(
        [
            b"*/*",
            b"text/html",
            b"application/activity+json",
            b'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
            b"text/turtle",
            b"application/json;q=0",
            b"text/html;q=nan, */*;q=1e999",
            b"(" * 5000,
            b'application/ld+json; profile="' + b"a" * 8000,
        ]
    )
    | HEADER_VALUE
)
LANGUAGE = st.sampled_from([b"ca", b"es", b"en", b"*", b"es-ES;q=0.9, ca;q=abc", b"," * 4000]) | HEADER_VALUE
PAGE = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["", "0", "-1", "1e309", "nan", "inf", "0x10", "１", "1.5", "9" * 5000, "+1", " 1"]),
    TEXT,
)


def _percent(text: str) -> bytes:
    return quote(text, safe="").encode()


def _raw(text: str) -> bytes:
    """Text as raw bytes in a request target (no space, CR or LF, which would end the request line)."""
    return text.encode("utf-8", "surrogatepass").replace(b" ", b"").replace(b"\r", b"").replace(b"\n", b"")


QUERY_VALUE = st.one_of(TEXT.map(_percent), TEXT.map(_raw), BYTES.map(lambda raw: quote(raw).encode()))
PATH_SEGMENT = st.one_of(
    TEXT.map(_percent), TEXT.map(_raw), st.sampled_from([b"..", b"%2e%2e", b"%00", b"%ff", b"a" * 9000, b"%"])
)


def _query_string(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(name + b"=" + value for name, value in pairs)


def query_strings(names: list[str]) -> st.SearchStrategy[bytes]:
    """``name=value&…`` with names from ``names`` (or anything) and hostile values."""
    name = st.sampled_from([n.encode() for n in names]) | QUERY_VALUE
    return st.lists(st.tuples(name, QUERY_VALUE), max_size=6).map(_query_string)


HEADERS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                b"Accept",
                b"Accept-Language",
                b"Content-Type",
                b"Signature",
                b"Signature-Input",
                b"Digest",
                b"Date",
                b"Content-Encoding",
                b"Transfer-Encoding",
                b"X-Forwarded-For",
                b"Authorization",
                b"Cookie",
                b"Range",
                b"If-None-Match",
                b"Origin",
            ]
        )
        | st.binary(min_size=1, max_size=40).filter(
            lambda name: b":" not in name and b"\r" not in name and b"\n" not in name
        ),
        HEADER_VALUE,
    ),
    max_size=4,
)


# ---- the surfaces --------------------------------------------------------------------------------------------


def _run(
    node: Node,
    method: bytes,
    target: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes | None,
    limit: float = LIMIT,
) -> None:
    check(send(node, method, target, headers, body, timeout=limit + 10), f"{method!r} {target[:200]!r}", limit)


def test_inboxes(node: Node, slugs: list[str], unchanged: None) -> None:
    paths = [b"/inbox", b"/actor/inbox"] + [
        f"/{kind}/{slug}/inbox".encode() for kind in ("organisations", "projects") for slug in slugs[:3]
    ]

    @SETTINGS
    @example(b"/inbox", b"application/activity+json", [(b"Content-Encoding", b"deflate")], b"not deflate")  # was 500
    @example(b"/inbox", b"application/activity+json", [(b"Content-Encoding", b"gzip")], b"not gzip")
    @given(st.sampled_from(paths), JSON_TYPES, HEADERS, BAD_BODIES)
    def run(path: bytes, content_type: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        _run(node, b"POST", path, [(b"Content-Type", content_type), *headers], body)

    run()


def test_admin_api(node: Node, slugs: list[str], unchanged: None) -> None:
    token = (b"Authorization", f"Bearer {node.token}".encode())
    writes = [b"PUT /api/organisations/", b"PUT /api/projects/", b"POST /api/peers", b"PUT /api/blocked-domains/"]
    writes += [
        f"POST /api/projects/{slug}/{what}".encode()
        for slug in slugs[:2]
        for what in ("notes", "following", "follow-requests/accept", "follow-requests/reject")
    ]

    @SETTINGS
    @example(b"PUT /api/projects/", b"nou", b"application/json", b"[" * 300_000, True)  # was a 500
    @example(b"POST /api/peers", b"", b"application/json", b'{"url": "\\udfff', True)
    @given(st.sampled_from(writes), PATH_SEGMENT, JSON_TYPES, BAD_BODIES, st.booleans())
    def bad_writes(write: bytes, segment: bytes, content_type: bytes, body: bytes, authorised: bool) -> None:
        assume(not (authorised and _json_object(body)))
        method, _, path = write.partition(b" ")
        target = path + segment if path.endswith(b"/") else path
        headers = [(b"Content-Type", content_type)] + ([token] if authorised else [])
        _run(node, method, target, headers, body)

    @SETTINGS
    @given(
        st.sampled_from(
            [
                b"/api/organisations",
                b"/api/projects",
                b"/api/peers",
                b"/api/graph",
                b"/api/loops",
                b"/api/blocked-domains",
                b"/api/projects/" + slugs[-1].encode() + b"/following",
            ]
        ),
        PATH_SEGMENT,
        query_strings(["organisation", "peer", "page"]),
        st.sampled_from([b"GET", b"DELETE", b"PATCH", b"PUT", b"POST"]),
        HEADERS,
    )
    def reads(path: bytes, segment: bytes, query: bytes, method: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        # Writes with a valid token would change data: only reads carry it; other methods go unauthorised.
        target = path + b"/" + segment + b"?" + query
        _run(node, method, target, [*headers, token] if method == b"GET" else headers, None)

    bad_writes()
    reads()


SPARQL_WORDS = [
    "SELECT",
    "*",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    ".",
    ";",
    ",",
    "OPTIONAL",
    "UNION",
    "FILTER",
    "GRAPH",
    "SERVICE",
    "<http://a.example/>",
    "ex:a",
    "PREFIX",
    "ex:",
    "BASE",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "INSERT",
    "DATA",
    "LIMIT",
    "1",
    "ORDER",
    "BY",
    "GROUP",
    "COUNT",
    "DISTINCT",
    "BIND",
    "AS",
    "VALUES",
    '"x"',
    "'''",
    "\\",
    "#",
    "||",
    "&&",
    "REGEX",
    "a",
    "FROM",
    "NAMED",
    "MINUS",
    "EXISTS",
    "NOT",
    "+",
    "/",
    "|",
]
SPARQL = st.one_of(
    st.lists(st.sampled_from(SPARQL_WORDS), max_size=80).map(" ".join),
    st.builds(
        lambda depth, inner: "SELECT * WHERE " + "{" * depth + inner + "}" * depth,
        st.integers(min_value=1, max_value=20_000),
        st.sampled_from(["", "?s ?p ?o", "{} " * 50]),
    ),
    st.builds(
        lambda count: "SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * count + "{} }",
        st.integers(min_value=1, max_value=3000),
    ),
    st.builds(
        lambda depth: "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }",
        st.integers(min_value=1, max_value=20_000),
    ),
    TEXT,
)


# The report: about 10 KB of groups held a request for more than 20 s under a 10 s limit. Each of
# these is stopped at the limit now (a 503 within it) or refused by the nesting limit (a 400).
SLOW_QUERIES = [
    "SELECT * WHERE { " + "{ ?s ?p ?o } " * 700 + "}",
    "SELECT * WHERE " + "{ ?s ?p ?o " * 47 + "}" * 47,
    "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 46 + "}" * 46 + "}",
    "SELECT * WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(400)) + "}",
    "SELECT * WHERE " + "{ " * 5000 + "}" * 5000,
]


def test_sparql(node: Node, unchanged: None) -> None:
    @SETTINGS
    @example(SLOW_QUERIES[0], "post", b"", [])
    @example(SLOW_QUERIES[1], "get", b"", [])
    @example(SLOW_QUERIES[2], "form", b"", [])
    @example(SLOW_QUERIES[3], "post", b"", [])
    @example(SLOW_QUERIES[4], "get", b"", [])
    @given(
        SPARQL,
        st.sampled_from(["get", "post", "form"]),
        query_strings(["format", "default-graph-uri", "lang"]),
        HEADERS,
    )
    def run(query: str, how: str, extra: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        encoded = query.encode("utf-8", "surrogatepass")
        if how == "get":
            _run(node, b"GET", b"/sparql?query=" + quote(encoded).encode() + b"&" + extra, headers, None, SPARQL_LIMIT)
        elif how == "post":
            _run(
                node,
                b"POST",
                b"/sparql?" + extra,
                [(b"Content-Type", b"application/sparql-query"), *headers],
                encoded,
                SPARQL_LIMIT,
            )
        else:
            _run(
                node,
                b"POST",
                b"/sparql?" + extra,
                [(b"Content-Type", b"application/x-www-form-urlencoded"), *headers],
                b"query=" + quote(encoded).encode(),
                SPARQL_LIMIT,
            )

    run()


def test_discovery(node: Node, unchanged: None) -> None:
    paths = [
        b"/.well-known/webfinger",
        b"/.well-known/host-meta",
        b"/.well-known/host-meta.json",
        b"/.well-known/nodeinfo",
        b"/nodeinfo/2.1",
        b"/actor",
        b"/actor/profiles",
        b"/ns",
        b"/ns/context.jsonld",
        b"/graph/void",
        b"/healthz",
    ]

    @SETTINGS
    @given(st.sampled_from(paths), query_strings(["resource", "rel", "page", "lang"]), ACCEPT, HEADERS)
    def run(path: bytes, query: bytes, accept: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        _run(node, b"GET", path + b"?" + query, [(b"Accept", accept), *headers], None)

    run()


def test_actors_and_collections(node: Node, slugs: list[str], unchanged: None) -> None:
    @SETTINGS
    @given(
        st.sampled_from([b"/organisations/", b"/projects/", b"/@"]),
        st.sampled_from([slug.encode() for slug in slugs]) | PATH_SEGMENT,
        st.sampled_from([b"", b"/outbox", b"/followers", b"/following", b"/notes/1", b"/activities/x", b"/inbox"]),
        PAGE,
        ACCEPT,
        LANGUAGE,
    )
    def run(prefix: bytes, slug: bytes, tail: bytes, page: str, accept: bytes, language: bytes) -> None:
        target = prefix + slug + tail + b"?page=" + _percent(page) + b"&lang=" + _percent(page[:5])
        _run(node, b"GET", target, [(b"Accept", accept), (b"Accept-Language", language)], None)

    @SETTINGS
    @given(
        st.sampled_from([b"/actor/outbox", b"/actor/followers", b"/actor/following", b"/actor/profiles"]), PAGE, ACCEPT
    )
    def instance(path: bytes, page: str, accept: bytes) -> None:
        _run(node, b"GET", path + b"?page=" + _raw(page), [(b"Accept", accept)], None)

    run()
    instance()


def test_matching(node: Node, slugs: list[str], unchanged: None) -> None:
    iris = [f"{node.base_url}/projects/{slug}" for slug in slugs] + ["http://[::1", "https://x" + "/a" * 2000]
    names = [
        "project",
        "organisation",
        "profile",
        "limit",
        "include_own",
        "lang",
        "weight_needs",
        "weight_text",
        "weight_bogus",
    ]

    @SETTINGS
    @given(
        st.sampled_from([b"/api/match", b"/partners"]),
        st.lists(st.tuples(st.sampled_from(names), st.sampled_from(iris) | PAGE), max_size=6),
        LANGUAGE,
    )
    def run(path: bytes, pairs: list[tuple[str, str]], language: bytes) -> None:
        query = _query_string([(name.encode(), _percent(value)) for name, value in pairs])
        _run(node, b"GET", path + b"?" + query, [(b"Accept-Language", language)], None)

    run()


def test_pages(node: Node, unchanged: None) -> None:
    @SETTINGS
    @given(
        st.sampled_from([b"/", b"/tags/", b"/tags/area:", b"/@", b"/static/", b"/sparql", b"/ns", b"/"]),
        PATH_SEGMENT,
        query_strings(["lang", "q", "page"]),
        ACCEPT,
        LANGUAGE,
        st.sampled_from([b"GET", b"HEAD", b"OPTIONS", b"TRACE", b"BREW", b"G\x00T"]),
    )
    def run(prefix: bytes, segment: bytes, query: bytes, accept: bytes, language: bytes, method: bytes) -> None:
        target = prefix + segment + b"?" + query
        _run(node, method, target, [(b"Accept", accept), (b"Accept-Language", language)], None)

    run()


def test_hostile_requests_anywhere(node: Node, unchanged: None) -> None:
    """Whole request targets and header sets out of thin air, with GET (which never changes anything)."""

    @SETTINGS
    @given(
        st.binary(max_size=3000).map(lambda raw: b"/" + raw.replace(b" ", b"").replace(b"\r", b"").replace(b"\n", b"")),
        HEADERS,
    )
    def run(target: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        _run(node, b"GET", target, headers, None)

    run()
