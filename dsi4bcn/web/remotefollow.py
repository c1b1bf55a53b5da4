"""Remote follow, as Mastodon's "follow from your own server" works: a visitor's handle is looked up with
WebFinger, and its ``http://ostatus.org/schema/1.0/subscribe`` link's ``template`` (with ``{uri}`` replaced
by the URL-encoded actor IRI) is where the visitor goes to confirm the follow on their own server.

Mastodon answers this link in ``app/controllers/well_known/webfinger_controller.rb`` (its ``template`` is
``https://host/authorize_interaction?uri={uri}``). The pure parts (reading the handle, picking the
template) are separate from the one lookup, which goes through the node's safe client
(``federation.client``): private addresses refused, bounded reads, one deadline.
"""

from typing import Any
from urllib.parse import quote, urlsplit

from federation.client import ActivityPubClient
from federation.errors import FetchError, WebFingerError
from federation.jsontext import JSONTextError, parse_json
from federation.types import Acct
from federation.webfinger import acct_query_url, parse_acct

__all__ = ["SUBSCRIBE_REL", "RemoteFollowError", "find_follow_url", "parse_handle", "subscribe_url"]

SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
_JRD_ACCEPT = "application/jrd+json, application/json;q=0.9"
_LABEL_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_USER_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.~+-")
_MAX_HANDLE = 320


def _is_host(host: str) -> bool:
    """A DNS name with at least two labels (or an IPv4 address), optionally with a port."""
    name, colon, port = host.partition(":")
    if colon and not (port.isascii() and port.isdigit() and len(port) <= 5):
        return False
    labels = name.split(".")
    return len(labels) >= 2 and all(
        0 < len(label) <= 63 and set(label) <= _LABEL_CHARACTERS and label[0] != "-" and label[-1] != "-"
        for label in labels
    )


class RemoteFollowError(Exception):
    """Why a remote follow cannot go on: ``code`` is a message key, ``status`` the HTTP status to answer."""

    def __init__(self, code: str, status: int, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.status = status


def parse_handle(text: str) -> Acct:
    """A fediverse handle (``user@server.example``, ``@user@server.example`` or ``acct:…``) as an ``Acct``;
    ``RemoteFollowError("follow_bad_handle", 400)`` if it is not one."""
    if not text or len(text) > _MAX_HANDLE:
        raise RemoteFollowError("follow_bad_handle", 400, "empty or too long")
    try:
        acct = parse_acct(text)
    except WebFingerError as error:
        raise RemoteFollowError("follow_bad_handle", 400, str(error)) from error
    if not 0 < len(acct.user) <= 64 or not set(acct.user) <= _USER_CHARACTERS or not _is_host(acct.host):
        raise RemoteFollowError("follow_bad_handle", 400, f"not a user at a server: {text!r}")
    return acct


def subscribe_url(jrd: Any, actor_iri: str) -> str:
    """The subscribe link's ``template`` in a WebFinger answer with ``{uri}`` replaced by ``actor_iri``
    (URL-encoded); ``RemoteFollowError("follow_no_subscribe", 502)`` if there is none or it is no http(s) URL."""
    links = jrd.get("links") if isinstance(jrd, dict) else None
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != SUBSCRIBE_REL:
            continue
        template = link.get("template")
        if not isinstance(template, str) or "{uri}" not in template:
            continue
        url = template.replace("{uri}", quote(actor_iri, safe=""))
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and not any(c in url for c in "\r\n\t "):
            return url
    raise RemoteFollowError("follow_no_subscribe", 502, "no subscribe template in the WebFinger answer")


async def _webfinger(client: ActivityPubClient, url: str) -> Any:
    try:
        fetched = await client.get(url, accept=_JRD_ACCEPT, sign=False)
    except FetchError as error:
        raise RemoteFollowError("follow_unreachable", 502, str(error)) from error
    if fetched.status != 200:
        raise RemoteFollowError("follow_unknown_account", 502, f"HTTP {fetched.status} from {url}")
    try:
        return parse_json(fetched.body)
    except JSONTextError as error:
        raise RemoteFollowError("follow_no_subscribe", 502, str(error)) from error


async def find_follow_url(
    client: ActivityPubClient, handle: str, actor_iri: str, *, plain_http_fallback: bool = False
) -> str:
    """Where to send a visitor with ``handle`` to follow ``actor_iri``: the subscribe URL of their server.

    WebFinger is asked over https; with ``plain_http_fallback`` (a node on a private network, as in tests)
    plain http is tried when https cannot be reached at all.
    """
    acct = parse_handle(handle)
    try:
        jrd = await _webfinger(client, acct_query_url(acct))
    except RemoteFollowError as error:
        if not (plain_http_fallback and error.code == "follow_unreachable"):
            raise
        jrd = await _webfinger(client, acct_query_url(acct, scheme="http"))
    return subscribe_url(jrd, actor_iri)
