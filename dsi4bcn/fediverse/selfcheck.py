"""The node seen from outside, as the fediverse sees it: the checks of ``dsi4bcn doctor`` that go over HTTP.

Each check gives a ``Finding``: ok, a warning, or a problem, with a message and how to fix it. The base URL
must be https (plain http only for private testing, ``allow_private_network``); its NodeInfo must answer
there, fetched through the node's own safe client (``federation.client``), so the node's private-address
policy applies: a base URL on a private address is refused unless private testing is configured, as
every other server would fail to reach it. WebFinger must answer on the base URL's host for an actor and
name that actor's id. The clock is compared with the ``Date`` header of those answers (or of another
server, ``clock_reference``): Mastodon, Fedify and this node accept a signature whose time is up to an
hour off (Mastodon's ``signed_request.rb`` clock-skew margin, Fedify's default time window), but a clock
minutes off is not synchronised at all and will drift past that; posts also get wrong times.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

from federation.client import ActivityPubClient, Fetched, FetchPolicy, create_session
from federation.errors import FetchError, UnsafeURLError
from federation.media import ACTIVITY_JSON

__all__ = [
    "CLOCK_PROBLEM",
    "CLOCK_WARNING",
    "OK",
    "PROBLEM",
    "WARNING",
    "Finding",
    "check_public_side",
    "check_scheme",
]

OK, WARNING, PROBLEM = "ok", "warning", "problem"
# Seconds of clock difference: a warning above the first, a problem above the second.
CLOCK_WARNING = 30.0
CLOCK_PROBLEM = 300.0
_JSON = "application/json"
_JRD = "application/jrd+json, application/json"
_PROXY_FIX = (
    "make the reverse proxy (or the DNS name) of the base URL send /.well-known/ and every other path to "
    "the node, and give the node that exact URL with --base-url"
)


@dataclass(frozen=True)
class Finding:
    """One check's verdict: ``status`` is ok, warning or problem; ``fix`` says what to do about it."""

    check: str
    status: str
    message: str
    fix: str = ""


def check_scheme(base_url: str, allow_private_network: bool) -> Finding:
    """Whether the base URL is https, as every other server expects of an actor's id."""
    if urlsplit(base_url).scheme == "https":
        return Finding("https", OK, f"the base URL {base_url} is https")
    fix = (
        "serve the node behind https (a reverse proxy such as Caddy or nginx with a certificate, or --tls-cert "
        "and --tls-key) and start it with --base-url https://your.domain"
    )
    if allow_private_network:
        return Finding("https", WARNING, f"the base URL {base_url} is plain http: fine for private testing only", fix)
    return Finding(
        "https",
        PROBLEM,
        f"the base URL {base_url} is plain http: Mastodon and other servers will not federate with it",
        fix,
    )


@dataclass(frozen=True)
class _Clocked:
    """An answer and the local time halfway through its request."""

    fetched: Fetched
    local_time: float


async def _get(client: ActivityPubClient, url: str, accept: str, now: Callable[[], float]) -> _Clocked:
    started = now()
    fetched = await client.get(url, accept=accept, sign=False)
    return _Clocked(fetched, (started + now()) / 2)


def _json(fetched: Fetched) -> object:
    try:
        return json.loads(fetched.body)
    except ValueError:
        return None


def _unreachable(check: str, url: str, error: FetchError, allow_private_network: bool) -> Finding:
    if isinstance(error, UnsafeURLError) and not allow_private_network:
        return Finding(
            check,
            PROBLEM,
            f"{url} is not a public https address, so no other server can reach it: {error}",
            "give the node a public https base URL (--base-url); for private tests on one machine or a local "
            "network, start it with --allow-private-network and run doctor with it too",
        )
    return Finding(check, PROBLEM, f"{url} did not answer: {error}", _PROXY_FIX)


async def _check_reachable(
    client: ActivityPubClient, base_url: str, allow_private_network: bool, now: Callable[[], float]
) -> tuple[Finding, list[_Clocked]]:
    url = f"{base_url}/.well-known/nodeinfo"
    try:
        answer = await _get(client, url, _JSON, now)
    except FetchError as error:
        return _unreachable("reachable", url, error, allow_private_network), []
    document = _json(answer.fetched)
    links = document.get("links") if isinstance(document, dict) else None
    if answer.fetched.status != 200 or not isinstance(links, list):
        message = f"{url} answered {answer.fetched.status}, not the node's NodeInfo"
        return Finding("reachable", PROBLEM, message, _PROXY_FIX), [answer]
    found = [link.get("href") for link in links if isinstance(link, dict) and "nodeinfo" in str(link.get("rel"))]
    software = None
    if found and isinstance(found[0], str):
        try:
            info = _json((await _get(client, found[0], _JSON, now)).fetched)
        except FetchError:
            info = None
        if isinstance(info, dict) and isinstance(info.get("software"), dict):
            software = info["software"].get("name")
    if software != "dsi4bcn":
        message = f"{url} answers, but its NodeInfo names {software!r}, not dsi4bcn: another server answers there"
        return Finding("reachable", WARNING, message, _PROXY_FIX), [answer]
    return Finding("reachable", OK, f"the node answers at {base_url} (NodeInfo)"), [answer]


async def _check_webfinger(
    client: ActivityPubClient, base_url: str, actor: tuple[str, str], now: Callable[[], float]
) -> Finding:
    user, actor_id = actor
    authority = urlsplit(base_url).netloc
    resource = f"acct:{user}@{authority}"
    url = f"{base_url}/.well-known/webfinger?{urlencode({'resource': resource})}"
    fix = (
        f"WebFinger must answer at https://{authority}/.well-known/webfinger (the handle's host, not another "
        "name): " + _PROXY_FIX
    )
    try:
        answer = (await _get(client, url, _JRD, now)).fetched
    except FetchError as error:
        return Finding("webfinger", PROBLEM, f"WebFinger for {resource} did not answer: {error}", fix)
    document = _json(answer)
    if answer.status != 200 or not isinstance(document, dict):
        return Finding("webfinger", PROBLEM, f"WebFinger for {resource} answered {answer.status}", fix)
    links = document.get("links")
    links = links if isinstance(links, list) else []
    selves = [
        link.get("href")
        for link in links
        if isinstance(link, dict) and link.get("rel") == "self" and ACTIVITY_JSON in str(link.get("type"))
    ]
    if actor_id not in selves:
        message = f"WebFinger for {resource} names {selves or 'no actor'}, not {actor_id}"
        return Finding("webfinger", PROBLEM, message, "start the node with --base-url set to its public URL")
    return Finding("webfinger", OK, f"WebFinger finds {resource} at {actor_id}")


def _skew(answer: _Clocked) -> float | None:
    """Seconds the other server's clock is ahead of ours (negative: behind), from its Date header."""
    header = answer.fetched.headers.get("Date")
    if not header:
        return None
    try:
        # A Date has whole seconds: the other clock read somewhere in the second it names.
        return parsedate_to_datetime(header).timestamp() + 0.5 - answer.local_time
    except (TypeError, ValueError):
        return None


def _clock_finding(answers: list[_Clocked]) -> Finding:
    fix = (
        "synchronise the clock with NTP (timedatectl set-ntp true, or install chrony) on the node's machine; "
        "check the time zone is not mistaken for the time"
    )
    skews = [(skew, answer.fetched.url) for answer in answers if (skew := _skew(answer)) is not None]
    if not skews:
        return Finding(
            "clock",
            WARNING,
            "no answer with a Date header to compare the clock with",
            "run doctor with --clock-reference https://a.server.you.trust",
        )
    skew, where = max(skews, key=lambda pair: abs(pair[0]))
    said = f"this machine's clock is {abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} {where}"
    if abs(skew) > CLOCK_PROBLEM:
        window = "signatures stay valid up to 1 hour off (Mastodon, Fedify, this node), but a clock this far off"
        return Finding("clock", PROBLEM, f"{said}: {window} is not synchronised and keeps drifting", fix)
    if abs(skew) > CLOCK_WARNING:
        return Finding("clock", WARNING, f"{said}: keep it within {CLOCK_WARNING:.0f} s", fix)
    return Finding("clock", OK, f"{said} (within {CLOCK_WARNING:.0f} s)")


async def check_public_side(
    base_url: str,
    *,
    allow_private_network: bool,
    actor: tuple[str, str],
    clock_reference: str | None = None,
    seconds: float = 10.0,
    now: Callable[[], float] = time.time,
) -> list[Finding]:
    """The checks over HTTP: the base URL reachable, WebFinger for ``actor`` (its handle's user part and
    its id), and the clock against the answers' ``Date`` (and ``clock_reference``'s); ``seconds`` for
    each request."""
    policy = FetchPolicy(
        allow_private_network=allow_private_network, total_timeout=seconds, connect_timeout=min(seconds, 5.0)
    )
    async with create_session(policy) as session:
        client = ActivityPubClient(session, policy)
        reachable, answers = await _check_reachable(client, base_url, allow_private_network, now)
        findings = [reachable]
        if reachable.status == PROBLEM and not answers:
            message = "not checked: the base URL did not answer"
            findings.append(Finding("webfinger", WARNING, message, "fix the base URL first"))
        else:
            findings.append(await _check_webfinger(client, base_url, actor, now))
        if clock_reference:
            try:
                answers.append(await _get(client, clock_reference, "*/*", now))
            except FetchError as error:
                findings.append(_unreachable("clock", clock_reference, error, allow_private_network))
                return findings
        findings.append(_clock_finding(answers))
    return findings
