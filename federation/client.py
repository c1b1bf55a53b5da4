"""The node's HTTP client for federation: safe, bounded, signed fetches and deliveries.

Every request goes through the same gate: ``netsafety.check_url`` before connecting (scheme, userinfo,
port, IP literals, which aiohttp never hands to a resolver), made on the host in its one canonical form
(``federation.hosts``); the request goes to the URL rebuilt with that host, so ``127。0。0。1`` is checked,
and connected to, as ``127.0.0.1``. ``SafeResolver`` at connect time (every address a name resolves to must
be public, or the connection is refused), redirects followed by hand so that each hop passes both again,
one deadline over the whole exchange and a cap on every body, counted while streaming rather than trusted
from Content-Length. Signing is a callback (``RequestSigner``), so this
module knows nothing about keys. ``fetch_object`` adds ActivityPub's own checks: the media type (AP §3.2)
and that the document's ``id`` is the URL it came from, refetching once by that ``id`` as Mastodon's
``fetch_resource`` does (``app/helpers/jsonld_helper.rb``; https://www.w3.org/TR/activitypub/#obj-id), but
only within the same origin.
"""

import asyncio
import functools
import json
import os
import socket
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from federation.errors import FetchError, UnsafeURLError
from federation.hosts import same_origin, url_host
from federation.media import ACTIVITY_JSON, AS_PROFILE, LD_JSON_AS
from federation.netsafety import check_url, is_public_address

__all__ = [
    "ACTIVITYPUB_ACCEPT",
    "ActivityPubClient",
    "FetchPolicy",
    "Fetched",
    "RequestSigner",
    "SafeResolver",
    "create_session",
]

# What Mastodon sends when it fetches an object (app/helpers/jsonld_helper.rb, fetch_resource).
ACTIVITYPUB_ACCEPT = f"{ACTIVITY_JSON}, {LD_JSON_AS}"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LIMIT_PER_HOST = 8
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """The limits every request of a session obeys."""

    allow_private_network: bool = False
    max_bytes: int = 1024 * 1024
    total_timeout: float = 10.0
    connect_timeout: float = 5.0
    max_redirects: int = 3
    user_agent: str = "dsi4bcn"

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.total_timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("max_bytes and the timeouts must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer, read in full (within the size limit)."""

    url: str  # the final URL, after redirects
    status: int
    content_type: str  # the media type alone, lower-case; "" when the header is missing
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    content_type_params: Mapping[str, str] = field(default_factory=dict)  # names lower-case, unquoted


# RSA signing takes a millisecond or more and releases the GIL, so a fan-out signs on every core while the
# event loop keeps serving. One thread per core: more only makes them wait for the GIL in turn.
_SIGNING = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="signing")


class RequestSigner(Protocol):
    """Returns the headers that sign a request (Host, Date, Digest, Signature…); keys stay with the caller.

    It is called in a worker thread, so it must not touch the event loop.
    """

    def __call__(self, *, method: str, url: str, body: bytes | None, content_type: str | None) -> Mapping[str, str]: ...


class SafeResolver(AbstractResolver):
    """A resolver that refuses, as a whole, any host name with a non-public address among its answers.

    Failing closed on a mix matters: the connector may try any of the addresses, and a DNS answer that
    pairs a public address with ``127.0.0.1`` is a classic rebinding trick. ``inner`` defaults to
    aiohttp's own resolver, created on first use (it wants a running loop).
    """

    def __init__(self, inner: AbstractResolver | None = None, *, allow_private_network: bool = False) -> None:
        self._inner = inner
        self._allow_private_network = allow_private_network

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve with the inner resolver; raise ``UnsafeURLError`` if any answer is not public."""
        if self._inner is None:
            self._inner = DefaultResolver()
        answers = await self._inner.resolve(host, port, family)
        if not self._allow_private_network:
            refused = [answer["host"] for answer in answers if not is_public_address(answer["host"])]
            if refused:
                raise UnsafeURLError(f"{host} resolves to non-public address {', '.join(refused)}")
        return answers

    async def close(self) -> None:
        """Close the inner resolver."""
        if self._inner is not None:
            await self._inner.close()


def create_session(policy: FetchPolicy) -> aiohttp.ClientSession:
    """A client session for federation: safe resolver, bounded pool, no cookies, the policy's timeouts.

    Call it inside the running loop; the caller owns the session and closes it.
    """
    connector = aiohttp.TCPConnector(
        resolver=SafeResolver(allow_private_network=policy.allow_private_network),
        limit_per_host=_LIMIT_PER_HOST,
    )
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=_client_timeout(policy),
        headers={"User-Agent": policy.user_agent},
        auto_decompress=True,
        raise_for_status=False,
        trust_env=False,
    )


def _client_timeout(policy: FetchPolicy) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=policy.total_timeout, connect=policy.connect_timeout)


def _describe_size(size: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def _split_content_type(value: str) -> tuple[str, dict[str, str]]:
    """``'Application/LD+JSON; profile="x"'`` → ``('application/ld+json', {'profile': 'x'})``."""
    media, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        name, equals, raw = part.partition("=")
        if equals:
            params[name.strip().lower()] = raw.strip().strip('"')
    return media.strip().lower(), params


def _is_activitypub_type(fetched: Fetched) -> bool:
    """``application/activity+json``, or ``application/ld+json`` with no profile or the AS one."""
    if fetched.content_type == ACTIVITY_JSON:
        return True
    if fetched.content_type != "application/ld+json":
        return False
    profile = fetched.content_type_params.get("profile")
    return profile is None or AS_PROFILE in profile.split()


def _parse_object(fetched: Fetched) -> dict[str, Any]:
    """The JSON object in an ActivityPub answer, or ``FetchError`` saying what is wrong with it."""
    if not 200 <= fetched.status < 300:
        raise FetchError(f"HTTP {fetched.status} from {fetched.url}", status=fetched.status)
    if not _is_activitypub_type(fetched):
        raise FetchError(f"not an ActivityPub document: {fetched.content_type or 'no Content-Type'} from {fetched.url}")
    try:
        document = json.loads(fetched.body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise FetchError(f"invalid JSON from {fetched.url}: {exc}") from exc
    if not isinstance(document, dict):
        raise FetchError(f"not a JSON object from {fetched.url}")
    return document


class ActivityPubClient:
    """GET and POST for federation over a session from ``create_session``, signing with ``signer``."""

    def __init__(
        self, session: aiohttp.ClientSession, policy: FetchPolicy, signer: RequestSigner | None = None
    ) -> None:
        self._session = session
        self._policy = policy
        self._signer = signer

    async def get(
        self, url: str, *, accept: str, sign: bool = True, same_origin_redirects_only: bool = False
    ) -> Fetched:
        """GET ``url``, following up to ``max_redirects`` redirects, each checked like the first.

        Any status comes back as a ``Fetched``; network failures, refused URLs or addresses, a cross-origin
        redirect when ``same_origin_redirects_only``, too many redirects, an oversized body and the
        deadline raise ``FetchError``. Signs each hop when ``sign`` and a signer is set.
        """
        async with _deadline(self._policy.total_timeout, url):
            current = url
            for _ in range(self._policy.max_redirects + 1):
                fetched = await self._send("GET", current, accept=accept, body=None, content_type=None, sign=sign)
                location = fetched.headers.get("Location")
                if fetched.status not in _REDIRECTS or not location:
                    return fetched
                target = _resolve_location(current, location)
                if same_origin_redirects_only and not same_origin(target, current):
                    raise FetchError(f"redirect from {current} to another origin refused: {target}")
                current = target
        raise FetchError(f"too many redirects (more than {self._policy.max_redirects}) from {url}")

    async def fetch_object(self, url: str) -> dict[str, Any]:
        """Fetch an ActivityPub object by its id and check that it is what that id names.

        Signed GET with the ActivityPub Accept header; only same-origin redirects are followed. A non-2xx
        answer raises ``FetchError`` with ``status``; so do a media type other than ActivityPub's, a body
        that is not a JSON object, and an ``id`` other than the URL asked for (or the final URL). A
        same-origin ``id`` that differs is fetched once more and must then match.
        """
        fetched = await self.get(url, accept=ACTIVITYPUB_ACCEPT, same_origin_redirects_only=True)
        document = _parse_object(fetched)
        claimed = document.get("id")
        if claimed in (url, fetched.url):
            return document
        if isinstance(claimed, str) and same_origin(claimed, url):
            again = await self.get(claimed, accept=ACTIVITYPUB_ACCEPT, same_origin_redirects_only=True)
            document = _parse_object(again)
            if document.get("id") in (claimed, again.url):
                return document
        raise FetchError(f"id does not match the URL it was fetched from: {claimed!r} from {url}")

    async def post(self, url: str, body: bytes, *, content_type: str = ACTIVITY_JSON) -> Fetched:
        """POST ``body`` (signed when a signer is set); a redirect is returned as is, never followed."""
        async with _deadline(self._policy.total_timeout, url):
            return await self._send("POST", url, accept=None, body=body, content_type=content_type, sign=True)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        accept: str | None,
        body: bytes | None,
        content_type: str | None,
        sign: bool,
    ) -> Fetched:
        """One request to a checked URL, its body read within the size limit."""
        checked = check_url(url, allow_private_network=self._policy.allow_private_network)
        try:
            # The URL rebuilt with the normalised host: what was checked is what is connected to.
            target = URL(checked)
        except ValueError as exc:
            raise UnsafeURLError(f"malformed URL {url!r}: {exc}") from exc
        if target.raw_host != url_host(checked):  # never expected: yarl read another host than we did
            raise UnsafeURLError(f"{url!r} names host {target.raw_host!r} to aiohttp, not the one checked")
        headers: dict[str, str] = {"User-Agent": self._policy.user_agent}
        if accept is not None:
            headers["Accept"] = accept
        if content_type is not None:
            headers["Content-Type"] = content_type
        if sign and self._signer is not None:
            sign_this = functools.partial(
                self._signer, method=method, url=str(target), body=body, content_type=content_type
            )
            signed = await asyncio.get_running_loop().run_in_executor(_SIGNING, sign_this)
            headers.update(signed)
        try:
            async with self._session.request(
                method,
                target,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=_client_timeout(self._policy),
            ) as response:
                payload = await self._read_body(response, url)
                media, params = _split_content_type(response.headers.get("Content-Type", ""))
                return Fetched(
                    url=url,
                    status=response.status,
                    content_type=media,
                    headers=response.headers,
                    body=payload,
                    content_type_params=params,
                )
        except TimeoutError:
            raise  # aiohttp's timeouts are ClientErrors too; the deadline reports them
        except aiohttp.ClientError as exc:
            raise FetchError(f"{method} {url} failed: {type(exc).__name__}: {exc}") from exc

    async def _read_body(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        """Stream the body, stopping as soon as it passes ``max_bytes``; Content-Length is only a hint."""
        limit = self._policy.max_bytes
        too_large = f"response larger than {_describe_size(limit)} from {url}"
        if response.content_length is not None and response.content_length > limit:
            raise FetchError(too_large)
        received = bytearray()
        async for chunk in response.content.iter_chunked(_CHUNK):
            received += chunk
            if len(received) > limit:
                raise FetchError(too_large)
        return bytes(received)


def _resolve_location(current: str, location: str) -> str:
    """The absolute URL a redirect's Location names (RFC 9110 §10.2.2: it may be relative)."""
    try:
        return str(URL(current).join(URL(location)))
    except ValueError as exc:
        raise FetchError(f"invalid redirect Location {location!r} from {current}") from exc


@asynccontextmanager
async def _deadline(seconds: float, url: str) -> AsyncIterator[None]:
    """One deadline over a whole exchange (every hop, every read); aiohttp's own timeouts land here too."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as exc:
        raise FetchError(f"timed out fetching {url} (limit {seconds:g} s)") from exc
