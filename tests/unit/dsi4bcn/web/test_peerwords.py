"""Peers in plain words: the reasons federation and peering really write are sorted into messages a person
can act on, and a peer's state is said in each language."""

import pytest

from dsi4bcn.storage.peers import Peer
from dsi4bcn.web.peerwords import peer_view, problem_code, problem_words
from federation.errors import UnsafeURLError
from federation.netsafety import check_url


def _refusal(url: str) -> str:
    with pytest.raises(UnsafeURLError) as refused:
        check_url(url, allow_private_network=False)
    return str(refused.value)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/", "peer_error_private"),
        ("https://[::1]/actor", "peer_error_private"),
        ("https://localhost:8443/", "peer_error_private"),
        ("http://ateneu.example/", "peer_error_https"),
        ("https://user:pw@ateneu.example/", "peer_error_bad_url"),
        ("ftp://ateneu.example/", "peer_error_bad_url"),
    ],
)
def test_the_network_policy_refusals_are_put_in_words(url: str, code: str) -> None:
    assert problem_code(_refusal(url)) == code


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("ateneu.example resolves to non-public address 10.0.0.3", "peer_error_private"),
        ("https://spam.example is on a blocked domain; unblock it first", "peer_error_blocked"),
        ("a node cannot peer with itself", "peer_error_self"),
        ("timed out fetching https://a.example/actor (limit 10 s)", "peer_error_timeout"),
        ("GET https://a.example/actor failed: ClientConnectorError: Cannot connect to host", "peer_error_unreachable"),
        (
            "cannot find the instance actor of https://a.example: HTTP 404 from https://a.example/actor",
            "peer_error_not_a_node",
        ),
        ("reading https://a.example/profiles: HTTP 503 from https://a.example/profiles", "peer_error_server"),
        ("reading https://a.example/profiles: HTTP 403 from https://a.example/profiles", "peer_error_refused"),
        ("https://a.example lists 3 of the 5 profiles it counts", "peer_error_listing"),
        ("resync failed: KeyError: 'x'", "peer_error_other"),
    ],
)
def test_peering_failures_are_put_in_words(reason: str, code: str) -> None:
    assert problem_code(reason) == code


def test_the_words_are_in_the_readers_language() -> None:
    reason = "non-public address 127.0.0.1 refused: 'https://127.0.0.1/'"
    assert problem_words(reason, "en") == "this node does not contact private or local addresses"
    assert problem_words(reason, "ca") == "aquest node no contacta adreces privades ni locals"
    assert problem_words(reason, "es") == "este nodo no contacta direcciones privadas ni locales"


def _peer(**changes: object) -> Peer:
    fields: dict[str, object] = {
        "actor": "https://a.example/actor",
        "origin": "https://a.example",
        "inbox": "https://a.example/actor/inbox",
        "profiles": "https://a.example/profiles",
        "follow_id": "https://b.example/f/1",
        "added": "2025-05-01T10:00:00Z",
        "backfill_total": 0,
        "backfill_done": 0,
        "last_sync": None,
        "last_error": None,
    }
    return Peer(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_peers_state_in_words() -> None:
    assert peer_view(_peer(), False, "en").state == "waiting for its first sync"
    catching_up = peer_view(_peer(backfill_total=10, backfill_done=4), False, "ca")
    assert catching_up.state == "posant-se al dia: 4 de 10 perfils" and not catching_up.failing
    synced = peer_view(_peer(last_sync="2025-05-02T08:30:12Z"), False, "en")
    assert synced.state == "up to date (last synced 2025-05-02 08:30 UTC)" and synced.problem is None
    assert peer_view(_peer(), True, "es").state.startswith("bloqueado") and peer_view(_peer(), True, "es").failing


def test_a_peers_last_error_in_words_and_as_written() -> None:
    error = "reading https://a.example/profiles: timed out fetching https://a.example/profiles (limit 10 s)"
    view = peer_view(_peer(last_error=error), False, "en")
    assert view.problem == "the node did not answer in time" and view.detail == error and view.failing
