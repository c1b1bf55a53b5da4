"""Peering under the strict network policy: a node without --allow-private-network never contacts a
loopback or private peer, says why, and records nothing; with the policy relaxed the same peer works."""

from collections.abc import Iterator

import pytest

from tests.support.http import api, database_dump
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    folder = tmp_path_factory.mktemp("policy")
    origin = start_node(folder / "a", demo=True)
    strict = start_node(folder / "strict", allow_private_network=False)
    yield origin, strict
    strict.stop()
    origin.stop()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("{origin}", "only https URLs are fetched"),
        ("https://127.0.0.1:{port}/", "non-public address"),
        ("https://127\u30020\u30020\u30021:{port}/", "non-public address"),
        ("https://localhost:{port}/", "localhost refused"),
        ("https://10.0.0.8/", "non-public address"),
        ("https://[::1]:{port}/", "non-public address"),
    ],
)
def test_a_strict_node_refuses_private_peers_and_records_nothing(
    nodes: tuple[Node, Node], url: str, reason: str
) -> None:
    origin, strict = nodes
    before = database_dump(strict.database)
    target = url.format(origin=origin.base_url, port=origin.port)
    answer = api(strict.base_url, strict.token, "POST", "/api/peers", {"url": target})
    assert answer.status == 422, answer.body
    assert answer.json()["code"] == "peer_refused" and reason in answer.json()["error"], answer.json()
    assert api(strict.base_url, strict.token, "GET", "/api/peers").json() == []
    assert database_dump(strict.database) == before


def test_the_same_peer_is_accepted_where_the_policy_allows_it(nodes: tuple[Node, Node], tmp_path) -> None:
    origin, _strict = nodes
    relaxed = start_node(tmp_path / "relaxed")
    try:
        answer = api(relaxed.base_url, relaxed.token, "POST", "/api/peers", {"url": origin.base_url})
        assert answer.status == 202, answer.body
    finally:
        relaxed.stop()
