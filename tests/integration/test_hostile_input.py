"""Hostile input gets its 4xx answer at once and never holds up the node (issue 8).

One node with authorized fetch on. While a thread polls ``/healthz``, each test sends a header built to make
a careless parser slow (an unterminated quote in ``Signature``, which a backtracking regex took seconds to
refuse; a ``Content-Type`` that the e-mail header parser reads in quadratic time) or to make it crash
(``Authorization`` bytes that are not UTF-8; URLs that ``urlsplit`` refuses), and checks the answer, how
long it took, and that the health check never waited.
"""

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

from tests.support.http import Answer, api, fetch
from tests.support.nodes import Node, start_node

ORGANISATION = {"nameMap": {"ca": "Clau Oberta"}, "sectors": ["sector:civil-society"]}
ACTOR = "https://peer.example/actors/eve"
FOLLOW = json.dumps(
    {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{ACTOR}/follows/1",
        "type": "Follow",
        "actor": ACTOR,
        "object": "https://peer.example/organisations/clau-oberta",
    }
).encode()
# 26 characters after an unterminated quote: the old draft-cavage regex took 3 to 6 s to refuse it,
# doubling with each further character.
REDOS_SIGNATURE = 'keyId="' + "a" * 26
MAX_ANSWER = 1.0  # seconds for the hostile request itself (a 401 or 415 needs milliseconds)
MAX_HEALTH_WAIT = 0.5  # seconds any /healthz poll may wait meanwhile


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("hostile") / "node", extra_args=["--authorized-fetch"])
    assert api(running.base_url, running.token, "PUT", "/api/organisations/clau-oberta", ORGANISATION).status == 201
    yield running
    running.stop()


@dataclass
class _Health:
    """The slowest /healthz answer seen while the poller ran."""

    slowest: float = 0.0
    polls: int = 0
    failures: list[str] = field(default_factory=list)


@contextmanager
def _polling_health(node: Node) -> Iterator[_Health]:
    health, stop = _Health(), threading.Event()

    def poll() -> None:
        while not stop.is_set():
            start = time.monotonic()
            answer = fetch(f"{node.base_url}/healthz", timeout=30)
            health.slowest = max(health.slowest, time.monotonic() - start)
            health.polls += 1
            if answer.status != 200:
                health.failures.append(f"/healthz answered {answer.status}")
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    while health.polls < 3:  # the poller is in its stride before the hostile request
        time.sleep(0.01)
    try:
        yield health
    finally:
        time.sleep(0.1)  # and still polls a moment after the answer
        stop.set()
        poller.join(timeout=30)


def _timed(request: Callable[[], Answer]) -> tuple[Answer, float]:
    start = time.monotonic()
    answer = request()
    return answer, time.monotonic() - start


def _post_inbox(node: Node, headers: dict[str, str]) -> Answer:
    return fetch(f"{node.base_url}/inbox", method="POST", headers=headers, body=FOLLOW)


def test_an_unterminated_quote_in_signature_is_refused_at_once(node: Node) -> None:
    # Given a POST to the inbox whose Signature header opens a quote and never closes it
    headers = {"Content-Type": "application/activity+json", "Signature": REDOS_SIGNATURE}
    # When it is sent while /healthz is polled
    with _polling_health(node) as health:
        answer, took = _timed(lambda: _post_inbox(node, headers))
    # Then it gets its 401 in milliseconds, and the node kept answering meanwhile
    assert answer.status == 401, answer.body
    assert "cannot be parsed" in answer.json()["error"]
    assert took < MAX_ANSWER, f"the inbox took {took:.2f} s to refuse the header"
    assert not health.failures
    assert health.slowest < MAX_HEALTH_WAIT, f"/healthz waited {health.slowest:.2f} s"


def test_an_unterminated_quote_in_a_signed_get_is_refused_at_once(node: Node) -> None:
    # Given authorized fetch, a GET of an actor signed with the same hostile header
    headers = {"Accept": "application/activity+json", "Signature": REDOS_SIGNATURE}
    with _polling_health(node) as health:
        answer, took = _timed(lambda: fetch(f"{node.base_url}/organisations/clau-oberta", headers=headers))
    assert answer.status == 401, answer.body
    assert took < MAX_ANSWER, f"the GET took {took:.2f} s to be refused"
    assert health.slowest < MAX_HEALTH_WAIT, f"/healthz waited {health.slowest:.2f} s"


@pytest.mark.parametrize(
    ("content_type", "status", "code"),
    [
        # Parameters the e-mail header parser read in quadratic time (over 1 s each): the media type before
        # them is still read, and the request goes on to be refused for its signature.
        ('application/activity+json; x="' + '"' * 8000, 401, "inbox_refused"),
        ("application/activity+json" + ";" * 8000, 401, "inbox_refused"),
        # Nested comments, on which the e-mail header parser overflowed the stack.
        ("application/activity+json" + "(" * 4000, 415, "unsupported_media_type"),
        ("application/" + "a" * 8000, 415, "unsupported_media_type"),
    ],
    ids=["quotes", "semicolons", "parentheses", "long subtype"],
)
def test_a_hostile_content_type_is_answered_at_once(node: Node, content_type: str, status: int, code: str) -> None:
    with _polling_health(node) as health:
        answer, took = _timed(lambda: _post_inbox(node, {"Content-Type": content_type, "Signature": "x"}))
    assert answer.status == status, answer.body
    assert answer.json()["code"] == code
    assert took < MAX_ANSWER, f"the inbox took {took:.2f} s to answer"
    assert health.slowest < MAX_HEALTH_WAIT, f"/healthz waited {health.slowest:.2f} s"


def test_a_content_type_with_parameters_is_still_read(node: Node) -> None:
    # The linear reader still takes the media type before the parameters: a normal client gets past it
    # (and is then refused for its missing signature).
    headers = {"Content-Type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
    answer = _post_inbox(node, headers)
    assert answer.status == 401, answer.body


@pytest.mark.parametrize("signature", ["\u00e9", "AAAA\u00ff"])
def test_a_signature_that_is_not_ascii_is_a_401(node: Node, signature: str) -> None:
    # urllib sends the header in Latin-1: bytes that are not UTF-8, which aiohttp hands on as lone surrogates.
    headers = {
        "Content-Type": "application/activity+json",
        "Signature": f'keyId="{ACTOR}#key",algorithm="rsa-sha256",headers="(request-target) host date digest",'
        f'signature="{signature}"',
    }
    answer = _post_inbox(node, headers)
    assert answer.status == 401, answer.body
    assert "not valid base64" in answer.json()["error"]


def _raw_get(node: Node, path: str, authorization: bytes) -> tuple[int, dict[str, str], bytes]:
    """A GET with an ``Authorization`` header sent as these exact bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=30)
    try:
        connection.putrequest("GET", path)
        connection.putheader("Accept", "application/json")
        connection.putheader("Authorization", authorization)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer é-not-the-token".encode(),  # UTF-8
        "Bearer é-not-the-token".encode("latin-1"),  # Latin-1: not UTF-8
        b"Bearer \xff\xfe\x80\x81",
        b"Bearer test-admin-token-0123456789\xe9",  # the token and one more byte
        "Bëarer test-admin-token-0123456789".encode("latin-1"),  # the right token, a non-ASCII scheme
        b"\xe9\xe9\xe9",
    ],
    ids=["utf-8", "latin-1", "stray bytes", "token plus a byte", "non-ascii scheme", "no scheme"],
)
@pytest.mark.parametrize("path", ["/api/organisations", "/api/peers", "/api/graph"])
def test_a_non_ascii_authorization_header_is_a_401(node: Node, authorization: bytes, path: str) -> None:
    status, headers, body = _raw_get(node, path, authorization)
    assert status == 401, body
    assert headers["content-type"] == "application/json"
    assert headers["www-authenticate"] == 'Bearer realm="dsi4bcn"'
    assert json.loads(body)["code"] == "unauthorised"


def test_the_right_token_still_works(node: Node) -> None:
    status, _, body = _raw_get(node, "/api/organisations", f"Bearer {node.token}".encode())
    assert status == 200, body


_NO_SPLIT = "https://["  # urlsplit raises ValueError ("Invalid IPv6 URL")


@pytest.mark.parametrize(
    "path",
    [
        f"/.well-known/webfinger?resource={quote(_NO_SPLIT)}",
        f"/api/match?project={quote(_NO_SPLIT)}",
        f"/partners?project={quote(_NO_SPLIT)}",
    ],
    ids=["webfinger", "match", "partners"],
)
def test_a_url_that_cannot_be_split_is_a_400(node: Node, path: str) -> None:
    answer = fetch(node.base_url + path, headers={"Accept": "application/json"})
    assert answer.status == 400, answer.body


def test_an_activity_with_such_ids_is_a_400(node: Node) -> None:
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": _NO_SPLIT,
        "type": "Follow",
        "actor": _NO_SPLIT,
    }
    headers = {"Content-Type": "application/activity+json", "Signature": 'keyId="x"'}
    answer = fetch(f"{node.base_url}/inbox", method="POST", headers=headers, body=json.dumps(activity).encode())
    assert answer.status == 400, answer.body


def test_a_profile_website_that_cannot_be_split_is_a_bad_url(node: Node) -> None:
    answer = api(node.base_url, node.token, "PUT", "/api/organisations/enllac", {**ORGANISATION, "website": _NO_SPLIT})
    assert answer.status == 422, answer.body
    assert [(p["field"], p["code"]) for p in answer.json()["problems"]] == [("website", "bad_url")]
