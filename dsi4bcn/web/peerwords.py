"""Peers as a node admin reads them: each one's state and last error in plain words, in their language.

The reasons peering fails are written by ``federation`` and ``fediverse.peering`` in English for the log and
the API (``FetchError``, ``UnsafeURLError``, ``PeeringError``), and a peer keeps its last one as that text.
``problem_code`` sorts such a text into one of a few messages a person can act on ("this node does not
contact private addresses"); the text itself stays beside it for whoever needs the detail. Its unit test
feeds it the texts those modules really write, so a changed wording is caught there.
"""

from dataclasses import dataclass

from dsi4bcn.i18n import message
from dsi4bcn.storage.peers import Peer

__all__ = ["PeerView", "peer_view", "problem_code", "problem_words"]

# (words in the reason, message code), the first match wins: the network policy before what it caused.
_PATTERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("non-public address", "localhost refused"), "peer_error_private"),
    (("only https urls",), "peer_error_https"),
    (("blocked domain", "domain blocked"), "peer_error_blocked"),
    (("peer with itself",), "peer_error_self"),
    (("timed out",), "peer_error_timeout"),
    (("clientconnectorerror", "cannot connect", "connection refused", "not known"), "peer_error_unreachable"),
    (("malformed url", "unsupported url scheme", "userinfo", "port 0", "not an http(s) url"), "peer_error_bad_url"),
    (("instance actor", "not an activitypub document", "not a json object", "invalid json"), "peer_error_not_a_node"),
    (("profiles run past", "profiles it counts", "a page of"), "peer_error_listing"),
    (("http 4",), "peer_error_refused"),
    (("http 5",), "peer_error_server"),
    (("get http", "post http"), "peer_error_unreachable"),  # the client's "GET <url> failed: <error>"
)


def problem_code(reason: str) -> str:
    """The message code that says in plain words why peering failed with ``reason``."""
    lowered = reason.lower()
    for words, code in _PATTERNS:
        if any(word in lowered for word in words):
            return code
    return "peer_error_other"


def problem_words(reason: str, language: str) -> str:
    """Why peering failed with ``reason``, in plain words in ``language``."""
    return message(problem_code(reason), language)


@dataclass(frozen=True)
class PeerView:
    """A peer on the node admin page: its address, state in words, and last error in words and as written."""

    actor: str
    origin: str
    state: str
    problem: str | None
    detail: str | None
    failing: bool


def peer_view(peer: Peer, blocked: bool, language: str) -> PeerView:
    """``peer`` as a node admin reads it in ``language`` (``blocked``: its domain is blocked on this node)."""
    if blocked:
        state = message("peer_state_blocked", language)
    elif peer.backfill_done < peer.backfill_total:
        state = message("peer_state_catching_up", language, done=peer.backfill_done, total=peer.backfill_total)
    elif peer.last_sync:
        state = message("peer_state_synced", language, when=_when(peer.last_sync))
    else:
        state = message("peer_state_waiting", language)
    error = peer.last_error
    problem = problem_words(error, language) if error else None
    return PeerView(peer.actor, peer.origin, state, problem, error, bool(error) or blocked)


def _when(stamp: str) -> str:
    """A stored UTC time as a page shows it: ``2025-05-01 10:20 UTC``."""
    return stamp[:16].replace("T", " ") + " UTC"
