"""What the surface fuzzer (``test_fuzz_surfaces.py``) found, one focused test each (issue 9).

- ``?page=`` with more than 4,300 digits, or with digits ``str.isdigit`` accepts and ``int`` refuses ("²",
  "١"), made the collection routes raise ``ValueError``: a 500.
- A body with ``Content-Encoding: gzip`` or ``deflate`` that does not decompress made aiohttp raise
  ``RequestPayloadError`` out of the handler: a 500 on the inboxes, the admin API and SPARQL POST.
- Peering with a node whose NodeInfo is deeply nested JSON, or JSON of another shape (a list, ``links``
  that is not a list of objects), raised ``RecursionError``, ``AttributeError`` or ``TypeError``: a 500 on
  ``POST /api/peers`` (found while auditing every JSON reader, not by the fuzzer).
- (The admin API's deep JSON and lone surrogates: ``test_admin_api.py``.)
"""

import gzip
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.http import api, database_dump, fetch
from tests.support.nodes import Node, free_port, start_node

ORGANISATION = {"nameMap": {"ca": "Clau Oberta"}, "sectors": ["sector:civil-society"]}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("findings") / "node")
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    yield running
    running.stop()


@pytest.mark.parametrize(
    "path", ["/actor/outbox", "/actor/followers", "/organisations/clau-oberta/following", "/actor/profiles"]
)
@pytest.mark.parametrize("page", ["9" * 5000, "²", "١", "0", "-1", "1e3", "10000000", ""])
def test_a_bad_page_number_is_a_400(node: Node, path: str, page: str) -> None:
    node.settle()
    before = database_dump(node.database)
    answer = fetch(
        f"{node.base_url}{path}?page={quote(page)}",
        headers={"Accept": "application/activity+json", "Accept-Language": "es"},
        timeout=5,
    )
    assert answer.status == 400, answer.body[:300]
    assert answer.json()["code"] == "bad_page"
    assert answer.json()["error"].startswith("«page» tiene que ser un número entero de 1 a ")
    assert database_dump(node.database) == before


def test_good_page_numbers_still_work(node: Node) -> None:
    for path in ("/actor/outbox", "/actor/profiles"):
        answer = fetch(f"{node.base_url}{path}?page=1", headers={"Accept": "application/activity+json"})
        assert answer.status == 200 and answer.json()["type"] == "OrderedCollectionPage"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/inbox", "application/activity+json"),
        ("POST", "/organisations/clau-oberta/inbox", "application/activity+json"),
        ("PUT", "/api/projects/nou", "application/json"),
        ("POST", "/api/peers", "application/json"),
        ("POST", "/sparql", "application/sparql-query"),
    ],
)
def test_a_body_that_does_not_decompress_is_a_400(
    node: Node, encoding: str, method: str, path: str, content_type: str
) -> None:
    node.settle()
    before = database_dump(node.database)
    answer = fetch(
        f"{node.base_url}{path}",
        method=method,
        headers={
            "Content-Type": content_type,
            "Content-Encoding": encoding,
            "Authorization": f"Bearer {node.token}",
            "Accept-Language": "en",
        },
        body=b"this is not " + encoding.encode(),
        timeout=5,
    )
    assert answer.status == 400, answer.body[:300]
    assert answer.json() == {
        "error": "the body cannot be read: its encoding (Content-Encoding) or its framing is broken",
        "code": "unreadable_body",
    }
    assert database_dump(node.database) == before


def test_a_compressed_body_is_bounded_after_decompression(node: Node) -> None:
    bomb = gzip.compress(b"[" * (8 * 1024 * 1024))  # 8 MiB that compress to a few KiB
    answer = fetch(
        f"{node.base_url}/api/projects/nou",
        method="PUT",
        headers={
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Authorization": f"Bearer {node.token}",
        },
        body=bomb,
        timeout=5,
    )
    assert answer.status == 413 and answer.json()["code"] == "too_large"


class _HostilePeer(http.server.BaseHTTPRequestHandler):
    """A node whose NodeInfo is ``nodeinfo`` and that has nothing else."""

    nodeinfo = b""

    def do_GET(self) -> None:
        body = self.nodeinfo if self.path.startswith("/.well-known/nodeinfo") else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile_peer() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _HostilePeer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.mark.parametrize("nodeinfo", [b"[" * 100_000, b"[1, 2]", b'{"links": [1, "x"]}', b'{"links": 5}', b"\xff"])
def test_a_peer_with_hostile_nodeinfo_is_refused_not_a_500(node: Node, hostile_peer: str, nodeinfo: bytes) -> None:
    node.settle()
    before = database_dump(node.database)
    _HostilePeer.nodeinfo = nodeinfo
    answer = api(node.base_url, node.token, "POST", "/api/peers", {"url": hostile_peer})
    assert answer.status == 502 and answer.json()["code"] == "peer_refused", answer.body[:300]
    assert database_dump(node.database) == before


def test_a_body_that_never_arrives_gets_408_within_the_body_timeout(tmp_path: Path) -> None:
    node = start_node(tmp_path / "slow", env={"DSI4BCN_BODY_TIMEOUT": "1"})
    try:
        for path, media_type in (
            ("/inbox", "application/activity+json"),
            ("/api/organisations/x", "application/json"),
            ("/sparql", "application/sparql-query"),
        ):
            with socket.create_connection(("127.0.0.1", node.port), timeout=10) as sock:
                method = "PUT" if path.startswith("/api") else "POST"
                head = (
                    f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media_type}\r\n"
                    f"Authorization: Bearer {node.token}\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
                )
                sock.sendall(head.encode() + b'{"a": ')  # and then nothing more
                started = time.monotonic()
                answer = sock.recv(65536).decode("latin-1")
                assert answer.startswith("HTTP/1.1 408"), (path, answer[:300])
                assert time.monotonic() - started < 5
    finally:
        node.stop()
