"""Inboxes: verify, store, answer 202, and let the background processor do the rest.

Checks, in order, each with its own answer and nothing stored on failure: the rate per client address
(429), the body (413, 400: not JSON, or with a lone surrogate), the activity's shape and forbidden JSON-LD
keywords (400), a blocked domain (403), the HTTP signature (401: unsigned, bad digest, outside the time
window, unknown algorithm, unverifiable), the key's owner being the activity's actor (401), the rate per
verified actor host (429), and the origins of the activity and of what it creates (400). Unparseable
signatures get 401, never 500, so that double-knocking peers retry with the other signature scheme (Fedify
signs with RFC 9421 first, then draft-cavage). The protocol checks are ``federation.inboxrequest``'s steps;
this route adds the node's own rules between them: the two rate limits, the recipient, the blocklist, the
unverifiable self-``Delete`` (confirmed at its origin by ``deletions.confirm``), the batch writer and the
processor's wake-up.
"""

import logging
from datetime import UTC, datetime

from aiohttp import web

from dsi4bcn.fediverse.inboxbatches import QueueFull
from dsi4bcn.fediverse.remoteactors import KeyFetchesBusy
from dsi4bcn.web.appkeys import (
    ACTOR_LIMITER,
    ADDRESS_LIMITER,
    BLOCKLIST,
    CONFIG,
    DELETIONS,
    DIRECTORY,
    INBOX_PROCESSOR,
    INBOX_WRITER,
    METRICS,
    STORE,
)
from dsi4bcn.web.clientaddress import client_address
from dsi4bcn.web.http import MAX_BODY, ApiError, json_response, read_body
from dsi4bcn.web.requestmetrics import inbox_refusal
from federation.httpsig import HttpRequest
from federation.inboxrequest import (
    InboxRefused,
    check_activity_origins,
    check_key_owner,
    is_self_delete,
    read_activity,
    require_signature,
    verify_sender_signature,
)
from federation.verification import ResolvedKey

__all__ = ["routes"]

routes = web.RouteTableDef()
log = logging.getLogger(__name__)


async def _check_recipient(request: web.Request) -> None:
    path = request.match_info.get("path")
    if path is None:
        return
    record = await request.app[STORE].get(request.match_info["slug"])
    kind = "organisation" if path == "organisations" else "project"
    if record is None or record.kind != kind:
        raise ApiError(404, "not_found")
    if record.deleted:
        raise ApiError(410, "gone")


def _refuse(status: int, reason: str, check: str, **headers: str) -> ApiError:
    """The answer to a refused POST; ``check`` names the check that refused it (the metrics' reason)."""
    log.info("inbox refused a request (%d): %s", status, reason)
    return ApiError(status, "inbox_refused", headers=headers or None, reason=reason, check=check)


@routes.post("/{path:organisations|projects}/{slug}/inbox")
@routes.post("/actor/inbox")
@routes.post("/inbox")
async def inbox(request: web.Request) -> web.Response:
    """Accept a signed activity: 202 once verified and stored. Each answer is counted: accepted, or refused
    by the check that refused it (``dsi4bcn_inbox_refused_total``)."""
    metrics = request.app[METRICS]
    try:
        answer = await _receive(request)
    except ApiError as error:
        metrics.inbox_refused.labels(inbox_refusal(error)).inc()
        raise
    metrics.inbox_accepted.inc()
    return answer


async def _receive(request: web.Request) -> web.Response:
    address_limiter = request.app[ADDRESS_LIMITER]
    # Before anything is read or verified, the sender is only an address: limit by that. The claimed
    # actor's host is limited only once the signature proves it, so nobody can spend a real peer's quota.
    address = client_address(request)
    if not address_limiter.allow(address):
        retry = str(address_limiter.retry_after(address))
        raise _refuse(429, f"too many requests from {address}", "rate_limited", **{"Retry-After": retry})
    await _check_recipient(request)
    raw = await read_body(
        request, MAX_BODY, media_types=("application/activity+json", "application/ld+json", "application/json")
    )
    try:
        return await _accept(request, raw, address)
    except InboxRefused as refusal:
        raise _refuse(refusal.status, refusal.reason, refusal.code) from refusal


async def _accept(request: web.Request, raw: bytes, address: str) -> web.Response:
    """The checks once the body is read: ``federation.inboxrequest``'s steps with this node's rules between."""
    blocklist, directory, deletions = request.app[BLOCKLIST], request.app[DIRECTORY], request.app[DELETIONS]
    limiter = request.app[ACTOR_LIMITER]
    received = read_activity(raw)
    actor = received.actor
    if blocklist.is_blocked(received.host):
        raise InboxRefused(403, f"{received.host} is blocked on this node", "blocked")
    require_signature(request.headers)
    self_delete = is_self_delete(received)
    if self_delete and await directory.known_key_for(actor) is None:
        # An actor whose key we never fetched deleted itself. Its key is gone with it, so the Delete cannot
        # be verified, and its body is not trusted: if a profile of it is held (backfilled), its origin is
        # asked in the background, and only a 410 or 404 there erases it. Otherwise nothing is fetched.
        deletions.confirm(actor)
        return json_response({}, status=202)
    signed = HttpRequest(
        method=request.method,
        url=request.app[CONFIG].base_url + request.raw_path,
        headers=request.headers,  # every line of a repeated header, not just the last
        body=raw,
    )

    async def resolve_key(key_id: str, *, refresh: bool) -> ResolvedKey | None:
        return await directory.key(key_id, refresh=refresh, requester=address)

    try:
        verified = await verify_sender_signature(signed, actor, resolve_key=resolve_key, now=datetime.now(UTC))
    except InboxRefused:
        if self_delete:  # e.g. its key is gone with it: the origin decides (nothing unless a profile is held)
            deletions.confirm(actor)
        raise
    except KeyFetchesBusy as error:
        raise _refuse(503, str(error), "key_fetches_busy", **{"Retry-After": "30"}) from error
    check_key_owner(verified, actor)
    if not limiter.allow(received.host):
        retry = str(limiter.retry_after(received.host))
        raise _refuse(429, f"too many requests from {received.host}", "actor_rate_limited", **{"Retry-After": retry})
    check_activity_origins(received.activity)
    activity = received.activity
    try:
        await request.app[INBOX_WRITER].submit((activity["id"], actor, raw.decode("utf-8"), verified.key_id))
    except QueueFull as error:
        raise _refuse(503, "the inbox is busy", "inbox_busy", **{"Retry-After": "10"}) from error
    request.app[INBOX_PROCESSOR].poke()
    log.debug(
        "inbox accepted %s %s from %s (%s signature, key %s)",
        activity.get("type"),
        activity["id"],
        actor,
        verified.signature.scheme,
        verified.key_id,
    )
    return json_response({}, status=202)
