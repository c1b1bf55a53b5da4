"""The federation HTTP client against real aiohttp servers on 127.0.0.1 (no outside network)."""

import asyncio
import datetime
import gzip
import json
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientSession, TCPConnector, web
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from federation.client import (
    ACTIVITYPUB_ACCEPT,
    ActivityPubClient,
    Fetched,
    FetchPolicy,
    SafeResolver,
    create_session,
)
from federation.errors import FetchError, UnsafeURLError

AP = "application/activity+json"
MIB = 1024 * 1024
LOCAL = FetchPolicy(allow_private_network=True)
PUBLIC_HOST = "public.test"


# --- fakes ------------------------------------------------------------------------------------------


class FakeSigner:
    """Records its calls and adds a header naming the request it signed."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *, method: str, url: str, body: bytes | None, content_type: str | None) -> dict[str, str]:
        self.calls.append({"method": method, "url": url, "body": body, "content_type": content_type})
        return {"X-Test-Signed": f"{method} {url}"}


class StaticResolver(AbstractResolver):
    """Answers from a table, the way a DNS server under an attacker's control might."""

    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table = table
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            )
            for address in self.table[host]
        ]

    async def close(self) -> None:
        self.closed = True


# --- a real server ----------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    port: int
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.seen]


def _routes(server: Server) -> web.RouteTableDef:
    routes = web.RouteTableDef()
    base = server.base

    def ap(document: Any, *, content_type: str = AP, status: int = 200) -> web.Response:
        return web.Response(body=json.dumps(document).encode(), status=status, headers={"Content-Type": content_type})

    @routes.get("/actor")
    async def actor(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/actor", "type": "Person"})

    @routes.get("/ld")
    async def ld(request: web.Request) -> web.Response:
        profile = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
        return ap({"id": f"{base}/ld"}, content_type=profile)

    @routes.get("/ld-plain")
    async def ld_plain(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/ld-plain"}, content_type="Application/LD+JSON; charset=utf-8")

    @routes.get("/ld-other-profile")
    async def ld_other(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/ld-other-profile"}, content_type='application/ld+json; profile="urn:x"')

    @routes.get("/json")
    async def plain_json(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/json"}, content_type="application/json")

    @routes.get("/html")
    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html></html>", content_type="text/html")

    @routes.get("/list")
    async def a_list(request: web.Request) -> web.Response:
        return ap([{"id": f"{base}/list"}])

    @routes.get("/broken")
    async def broken(request: web.Request) -> web.Response:
        return web.Response(body=b'{"id": ', headers={"Content-Type": AP})

    @routes.get("/status/{code}")
    async def status(request: web.Request) -> web.Response:
        return ap({"error": "nope"}, status=int(request.match_info["code"]))

    @routes.get("/redirect/{n}")
    async def redirect(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/redirect/{n - 1}" if n > 1 else "/actor")

    @routes.get("/to-same-origin")
    async def to_same_origin(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(f"{base}/actor")

    @routes.get("/to-other-origin")
    async def to_other_origin(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://localhost:{server.port}/actor")

    @routes.get("/to-private")
    async def to_private(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"https://127.0.0.1:{server.port}/actor")

    @routes.get("/to-http")
    async def to_http(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://{PUBLIC_HOST}:{server.port}/actor")

    @routes.get("/to-ftp")
    async def to_ftp(request: web.Request) -> web.Response:
        raise web.HTTPFound("ftp://example.org/actor")

    @routes.get("/alias")
    async def alias(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/actor", "type": "Person"})

    @routes.get("/alias-chain")
    async def alias_chain(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/alias-chain-2"})

    @routes.get("/alias-chain-2")
    async def alias_chain_2(request: web.Request) -> web.Response:
        return ap({"id": f"{base}/alias-chain-3"})

    @routes.get("/foreign-id")
    async def foreign_id(request: web.Request) -> web.Response:
        return ap({"id": "https://elsewhere.example/actor"})

    @routes.get("/no-id")
    async def no_id(request: web.Request) -> web.Response:
        return ap({"type": "Note"})

    @routes.get("/big-declared")
    async def big_declared(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (MIB + 1), headers={"Content-Type": AP})

    async def chunked(request: web.Request, sizes: Sequence[int]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": AP})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for size in sizes:
            await response.write(b"x" * size)
        await response.write_eof()
        return response

    @routes.get("/big-chunked")
    async def big_chunked(request: web.Request) -> web.StreamResponse:
        return await chunked(request, [MIB // 2, MIB // 2, 1])

    @routes.get("/exactly-the-limit")
    async def exactly(request: web.Request) -> web.StreamResponse:
        return await chunked(request, [MIB // 2, MIB // 2])

    @routes.get("/gzip-bomb")
    async def gzip_bomb(request: web.Request) -> web.Response:
        body = gzip.compress(b"\0" * (4 * MIB))
        return web.Response(body=body, headers={"Content-Type": AP, "Content-Encoding": "gzip"})

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return ap({})

    @routes.get("/slow-body")
    async def slow_body(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": AP})
        await response.prepare(request)
        await response.write(b"{")
        await asyncio.sleep(5)
        return response

    @routes.get("/cookie")
    async def cookie(request: web.Request) -> web.Response:
        response = ap({"id": f"{base}/cookie"})
        response.set_cookie("session", "tracking")
        return response

    @routes.post("/inbox")
    async def inbox(request: web.Request) -> web.Response:
        return web.Response(status=202, text="accepted")

    @routes.post("/inbox-redirect")
    async def inbox_redirect(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/inbox")

    return routes


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


async def _serve(host: str, ssl_context: ssl.SSLContext | None = None) -> tuple[Server, web.AppRunner]:
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = Server(base=f"{'https' if ssl_context else 'http'}://{host}:{port}", port=port)

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        server.seen.append((request.method, request.path, dict(request.headers), await request.read()))
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[record])
    app.add_routes(_routes(server))
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.1, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock, ssl_context=ssl_context).start()
    return server, runner


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    served, runner = await _serve("127.0.0.1")
    yield served
    await runner.cleanup()


@pytest.fixture(scope="module")
def certificate() -> tuple[bytes, bytes]:
    """A self-signed certificate for PUBLIC_HOST: (certificate PEM, private key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PUBLIC_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(PUBLIC_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture
async def tls_server(certificate: tuple[bytes, bytes], tmp_path: Any) -> AsyncIterator[Server]:
    """The same app over TLS as https://public.test:PORT (the tests' resolver maps the name to 127.0.0.1)."""
    cert_pem, key_pem = certificate
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    served, runner = await _serve(PUBLIC_HOST, context)
    yield served
    await runner.cleanup()


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., ActivityPubClient]]:
    """Make clients over sessions from ``create_session``; every session is closed afterwards."""
    sessions: list[ClientSession] = []

    def make(policy: FetchPolicy = LOCAL, signer: FakeSigner | None = None) -> ActivityPubClient:
        session = create_session(policy)
        sessions.append(session)
        return ActivityPubClient(session, policy, signer)

    yield make
    for session in sessions:
        await session.close()


@pytest.fixture
async def public_client(certificate: tuple[bytes, bytes]) -> AsyncIterator[ActivityPubClient]:
    """A client with the default (public-only) policy whose DNS says public.test is a public host.

    The session's resolver is a test double that sends public.test to 127.0.0.1, standing in for a
    remote server on the internet; everything else (URL checks on each hop, https only) is the real thing.
    """
    context = ssl.create_default_context(cadata=certificate[0].decode())
    connector = TCPConnector(resolver=StaticResolver({PUBLIC_HOST: ["127.0.0.1"]}), ssl=context)
    async with ClientSession(connector=connector) as session:
        yield ActivityPubClient(session, FetchPolicy(), FakeSigner())


# --- the resolver -----------------------------------------------------------------------------------


async def test_resolver_refuses_a_name_that_resolves_to_loopback() -> None:
    resolver = SafeResolver(StaticResolver({"sneaky.example": ["127.0.0.1"]}))
    with pytest.raises(UnsafeURLError, match=r"sneaky.example resolves to non-public address 127.0.0.1"):
        await resolver.resolve("sneaky.example", 443)


@pytest.mark.parametrize(
    "answers", [["93.184.215.14", "10.0.0.1"], ["2606:4700::1", "::1"], ["8.8.8.8", "169.254.169.254"]]
)
async def test_resolver_fails_closed_when_any_answer_is_private(answers: list[str]) -> None:
    resolver = SafeResolver(StaticResolver({"mixed.example": answers}))
    with pytest.raises(UnsafeURLError, match=answers[1].replace(".", r"\.")):
        await resolver.resolve("mixed.example", 443)


async def test_resolver_passes_public_answers_through() -> None:
    resolver = SafeResolver(StaticResolver({"example.org": ["93.184.215.14", "2606:2800:21f:cb07::1"]}))
    answers = await resolver.resolve("example.org", 443)
    assert [answer["host"] for answer in answers] == ["93.184.215.14", "2606:2800:21f:cb07::1"]


async def test_resolver_allows_private_answers_when_configured() -> None:
    resolver = SafeResolver(StaticResolver({"db.internal": ["10.0.0.5"]}), allow_private_network=True)
    assert [answer["host"] for answer in await resolver.resolve("db.internal", 80)] == ["10.0.0.5"]


async def test_resolver_closes_the_inner_resolver() -> None:
    inner = StaticResolver({})
    await SafeResolver(inner).close()
    assert inner.closed


async def test_resolver_refuses_real_localhost_with_the_default_inner_resolver() -> None:
    resolver = SafeResolver()
    try:
        with pytest.raises(UnsafeURLError, match="localhost resolves to non-public address"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


async def test_a_resolver_refusal_stops_the_request_inside_aiohttp(server: Server) -> None:
    # Given a name whose DNS answer is the test server's loopback address
    resolver = SafeResolver(StaticResolver({"sneaky.example": ["127.0.0.1"]}))
    async with ClientSession(connector=TCPConnector(resolver=resolver)) as session:
        client = ActivityPubClient(session, FetchPolicy())
        # When the client fetches it, Then the connection is refused at resolution
        with pytest.raises(UnsafeURLError, match=r"resolves to non-public address 127\.0\.0\.1"):
            await client.get(f"https://sneaky.example:{server.port}/actor", accept=AP)
    assert server.seen == []


# --- refusing private addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}/actor", "only https"),
        ("https://127.0.0.1:{port}/actor", "non-public address 127.0.0.1"),
        ("https://[::1]:{port}/actor", "non-public address ::1"),
        ("https://10.1.2.3:{port}/actor", "non-public address"),
        ("https://169.254.169.254/latest/meta-data/", "non-public address"),
        ("https://[fd00::1]/actor", "non-public address"),
        ("https://0.0.0.0:{port}/actor", "non-public address"),
        # yarl would map these to 127.0.0.1 and aiohttp connect to it without a resolver
        ("https://127\u30020\u30020\u30021:{port}/actor", "non-public address 127.0.0.1"),
        ("https://127\uff0e0\uff0e0\uff0e1:{port}/actor", "non-public address 127.0.0.1"),
        ("https://127\uff610\uff610\uff611:{port}/actor", "non-public address 127.0.0.1"),
        ("https://\uff11\uff12\uff17.0.0.1:{port}/actor", "non-public address 127.0.0.1"),
        ("https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54:{port}/actor", "localhost"),
        ("https://[::ffff:127.0.0.1]:{port}/actor", "non-public address"),
        ("https://localhost:{port}/actor", "localhost"),
        ("https://user:secret@example.org/actor", "userinfo"),
        ("https://example.org:0/actor", "port 0"),
        ("file:///etc/passwd", "unsupported URL scheme"),
    ],
)
async def test_private_and_odd_urls_are_refused_by_default(
    server: Server, clients: Callable[..., ActivityPubClient], url: str, reason: str
) -> None:
    client = clients(FetchPolicy())
    with pytest.raises(UnsafeURLError, match=reason):
        await client.get(url.format(port=server.port), accept=AP)
    with pytest.raises(UnsafeURLError, match=reason):
        await client.post(url.format(port=server.port), b"{}")
    assert server.seen == []


async def test_private_network_allowed_fetches_loopback(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    client = clients(LOCAL)
    assert (await client.fetch_object(f"{server.base}/actor"))["type"] == "Person"
    # A host name resolving to loopback goes through the real resolver once allowed.
    fetched = await client.get(f"http://localhost:{server.port}/actor", accept=AP)
    assert fetched.status == 200


# --- fetching ---------------------------------------------------------------------------------------


async def test_get_returns_the_answer_with_a_parsed_content_type(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    fetched = await clients().get(f"{server.base}/ld-plain", accept=AP)
    assert fetched == Fetched(
        url=f"{server.base}/ld-plain",
        status=200,
        content_type="application/ld+json",
        headers=fetched.headers,
        body=json.dumps({"id": f"{server.base}/ld-plain"}).encode(),
        content_type_params={"charset": "utf-8"},
    )
    assert fetched.headers["content-type"] == "Application/LD+JSON; charset=utf-8"
    method, path, headers, _ = server.seen[0]
    assert (method, path, headers["Accept"], headers["User-Agent"]) == ("GET", "/ld-plain", AP, "dsi4bcn")


async def test_get_returns_error_statuses_without_raising(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    fetched = await clients().get(f"{server.base}/status/503", accept=AP)
    assert fetched.status == 503


@pytest.mark.parametrize("path", ["/actor", "/ld", "/ld-plain"])
async def test_fetch_object_accepts_activitypub_media_types(
    server: Server, clients: Callable[..., ActivityPubClient], path: str
) -> None:
    document = await clients().fetch_object(f"{server.base}{path}")
    assert document["id"] == f"{server.base}{path}"
    assert server.seen[0][2]["Accept"] == ACTIVITYPUB_ACCEPT


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/html", "not an ActivityPub document: text/html"),
        ("/json", "not an ActivityPub document: application/json"),
        ("/ld-other-profile", "not an ActivityPub document"),
        ("/list", "not a JSON object"),
        ("/broken", "invalid JSON"),
        ("/foreign-id", "id does not match the URL it was fetched from"),
        ("/no-id", "id does not match the URL it was fetched from"),
    ],
)
async def test_fetch_object_refuses_what_is_not_the_object_asked_for(
    server: Server, clients: Callable[..., ActivityPubClient], path: str, reason: str
) -> None:
    with pytest.raises(FetchError, match=reason):
        await clients().fetch_object(f"{server.base}{path}")
    assert server.paths() == [path]


@pytest.mark.parametrize("code", [401, 404, 410, 500])
async def test_fetch_object_keeps_the_status_of_an_error(
    server: Server, clients: Callable[..., ActivityPubClient], code: int
) -> None:
    with pytest.raises(FetchError, match=f"HTTP {code} from {server.base}/status/{code}") as caught:
        await clients().fetch_object(f"{server.base}/status/{code}")
    assert caught.value.status == code


async def test_fetch_object_refetches_a_same_origin_id_once(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    document = await clients().fetch_object(f"{server.base}/alias")
    assert document["id"] == f"{server.base}/actor"
    assert server.paths() == ["/alias", "/actor"]


async def test_fetch_object_refetches_only_once(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    with pytest.raises(FetchError, match="id does not match"):
        await clients().fetch_object(f"{server.base}/alias-chain")
    assert server.paths() == ["/alias-chain", "/alias-chain-2"]


# --- redirects --------------------------------------------------------------------------------------


async def test_same_origin_redirect_is_followed_and_the_final_url_matches_the_id(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    document = await clients().fetch_object(f"{server.base}/to-same-origin")
    assert document["id"] == f"{server.base}/actor"
    assert server.paths() == ["/to-same-origin", "/actor"]


async def test_fetch_object_refuses_a_redirect_to_another_origin(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    with pytest.raises(FetchError, match="to another origin refused"):
        await clients().fetch_object(f"{server.base}/to-other-origin")
    assert server.paths() == ["/to-other-origin"]
    # A plain get may follow it.
    fetched = await clients().get(f"{server.base}/to-other-origin", accept=AP)
    assert (fetched.status, fetched.url) == (200, f"http://localhost:{server.port}/actor")


async def test_up_to_three_redirects_are_followed(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    fetched = await clients().get(f"{server.base}/redirect/3", accept=AP)
    assert (fetched.status, fetched.url) == (200, f"{server.base}/actor")


async def test_too_many_redirects_are_refused(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        await clients().get(f"{server.base}/redirect/4", accept=AP)
    assert len(server.seen) == 4


async def test_every_redirect_hop_is_signed_for_its_own_url(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    signer = FakeSigner()
    await clients(LOCAL, signer).get(f"{server.base}/redirect/2", accept=AP)
    assert [call["url"] for call in signer.calls] == [
        f"{server.base}/redirect/2",
        f"{server.base}/redirect/1",
        f"{server.base}/actor",
    ]
    assert [headers["X-Test-Signed"] for _, _, headers, _ in server.seen] == [
        f"GET {call['url']}" for call in signer.calls
    ]


async def test_https_fetch_works_under_the_default_policy(tls_server: Server, public_client: ActivityPubClient) -> None:
    document = await public_client.fetch_object(f"{tls_server.base}/actor")
    assert document["id"] == f"https://{PUBLIC_HOST}:{tls_server.port}/actor"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-private", "non-public address 127.0.0.1"),
        ("/to-http", "only https URLs are fetched"),
        ("/to-ftp", "unsupported URL scheme 'ftp'"),
    ],
)
async def test_a_redirect_hop_to_a_refused_url_is_not_followed(
    tls_server: Server, public_client: ActivityPubClient, path: str, reason: str
) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        await public_client.get(f"{tls_server.base}{path}", accept=AP)
    assert tls_server.paths() == [path]


# --- limits -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big-declared", "/big-chunked", "/gzip-bomb"])
async def test_bodies_over_one_mib_are_refused(
    server: Server, clients: Callable[..., ActivityPubClient], path: str
) -> None:
    with pytest.raises(FetchError, match="response larger than 1 MiB"):
        await clients().get(f"{server.base}{path}", accept=AP)


async def test_the_limit_is_counted_without_content_length(
    server: Server, clients: Callable[..., ActivityPubClient]
) -> None:
    fetched = await clients().get(f"{server.base}/exactly-the-limit", accept=AP)
    assert "Content-Length" not in fetched.headers
    assert len(fetched.body) == MIB
    with pytest.raises(FetchError, match="response larger than 1000 bytes"):
        await clients(FetchPolicy(allow_private_network=True, max_bytes=1000)).get(
            f"{server.base}/exactly-the-limit", accept=AP
        )


@pytest.mark.parametrize("path", ["/slow", "/slow-body"])
async def test_a_slow_server_times_out(server: Server, clients: Callable[..., ActivityPubClient], path: str) -> None:
    client = clients(FetchPolicy(allow_private_network=True, total_timeout=0.2, connect_timeout=0.2))
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        await client.get(f"{server.base}{path}", accept=AP)
    assert time.monotonic() - started < 2


async def test_a_closed_port_is_a_fetch_error(clients: Callable[..., ActivityPubClient]) -> None:
    sock = _free_socket()
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(FetchError, match=r"GET http://127\.0\.0\.1:\d+/actor failed"):
        await clients().get(f"http://127.0.0.1:{port}/actor", accept=AP)


def test_policy_refuses_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="positive"):
        FetchPolicy(max_bytes=0)
    with pytest.raises(ValueError, match="negative"):
        FetchPolicy(max_redirects=-1)


# --- signing and posting ----------------------------------------------------------------------------


async def test_get_is_signed_by_the_signer(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    signer = FakeSigner()
    await clients(LOCAL, signer).fetch_object(f"{server.base}/actor")
    assert signer.calls == [{"method": "GET", "url": f"{server.base}/actor", "body": None, "content_type": None}]
    assert server.seen[0][2]["X-Test-Signed"] == f"GET {server.base}/actor"


@pytest.mark.parametrize("dot", ["\u3002", "\uff0e", "\uff61"])
async def test_the_url_fetched_is_the_one_checked(
    server: Server, clients: Callable[..., ActivityPubClient], dot: str
) -> None:
    # Given a host spelt with Unicode full stops (allowed here: the private network is)
    signer = FakeSigner()
    url = f"http://127{dot}0{dot}0{dot}1:{server.port}/actor"
    fetched = await clients(LOCAL, signer).get(url, accept=AP)
    # Then the request, its Host header and what was signed all name the normalised host
    assert fetched.status == 200
    assert signer.calls[0]["url"] == f"{server.base}/actor"
    assert server.seen[0][2]["Host"] == f"127.0.0.1:{server.port}"


async def test_get_unsigned_when_asked(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    signer = FakeSigner()
    await clients(LOCAL, signer).get(f"{server.base}/actor", accept=AP, sign=False)
    assert signer.calls == []
    assert "X-Test-Signed" not in server.seen[0][2]


async def test_post_is_signed_over_its_body(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    signer = FakeSigner()
    body = b'{"type": "Follow"}'
    fetched = await clients(LOCAL, signer).post(f"{server.base}/inbox", body)
    assert (fetched.status, fetched.body) == (202, b"accepted")
    assert signer.calls == [{"method": "POST", "url": f"{server.base}/inbox", "body": body, "content_type": AP}]
    method, path, headers, received = server.seen[0]
    assert (method, path, received) == ("POST", "/inbox", body)
    assert (headers["Content-Type"], headers["X-Test-Signed"]) == (AP, f"POST {server.base}/inbox")


async def test_post_does_not_follow_redirects(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    fetched = await clients().post(f"{server.base}/inbox-redirect", b"{}", content_type="application/ld+json")
    assert (fetched.status, fetched.headers["Location"]) == (307, "/inbox")
    assert server.paths() == ["/inbox-redirect"]
    assert server.seen[0][2]["Content-Type"] == "application/ld+json"


async def test_sessions_keep_no_cookies(server: Server, clients: Callable[..., ActivityPubClient]) -> None:
    client = clients()
    await client.get(f"{server.base}/cookie", accept=AP)
    await client.get(f"{server.base}/actor", accept=AP)
    assert "Cookie" not in server.seen[1][2]
