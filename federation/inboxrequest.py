"""The protocol checks on one POST to an inbox, as pure steps with the key resolver and the clock passed in.

In order, each refusing with an ``InboxRefused`` that carries the HTTP status to answer and a reason a person
can read: the body as JSON (400, ``federation.jsontext``), the activity's shape and forbidden JSON-LD keywords
(400), a signature being present at all (401), the HTTP signature, draft-cavage or RFC 9421 (401,
``federation.verification``: parsed, its time window and body digest checked, its keyId required to be an
http(s) IRI on the actor's origin before the resolver is asked, then verified), the key's owner being the
activity's actor (401), and the origins of the activity and of what it creates or updates (400,
``federation.inbox.check_origins``).
``verify_inbox_request`` runs them all; a server that adds its own rules between them (rate limits,
blocklists, what to do with an unverifiable self-``Delete``) calls the steps one by one, as
``dsi4bcn.web.routes.inboxes`` does. Errors the resolver raises other than ``SignatureError`` (a busy key
fetcher, say) pass through untouched for the caller to answer. Pure: no I/O but what the resolver does.
The same shape as Fedify's ``handleInbox`` (``packages/fedify/src/federation/handler.ts``: parse, verify the
request, check the signer against the actor) and ``verifyRequestDetailed`` (``sig/http.ts``: the key fetch
and the clock passed in, a failure with its reason).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from federation.activities import check_activity_shape, is_http_iri, object_id
from federation.errors import ActivityError, FederationError, SignatureError
from federation.hosts import same_origin, url_host
from federation.httpsig import HttpRequest
from federation.inbox import activity_types, check_origins
from federation.jsontext import JSONTextError, parse_json
from federation.verification import KeyResolver, ResolvedKey, Verified, verify_signed_request

__all__ = [
    "Accepted",
    "InboxActivity",
    "InboxRefused",
    "check_activity_origins",
    "check_key_owner",
    "is_self_delete",
    "read_activity",
    "require_signature",
    "verify_inbox_request",
    "verify_sender_signature",
]


class InboxRefused(FederationError):
    """A POST the inbox refuses: ``status`` is the HTTP status to answer, the message the reason, and
    ``code`` which check refused it, one of a few words (``malformed``, ``shape``, ``unsigned``,
    ``signature``, ``key_owner``, ``origins``, or the caller's own) that metrics can count by."""

    def __init__(self, status: int, reason: str, code: str = "refused") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class InboxActivity:
    """A received activity of the right shape: the activity, its actor's id and that actor's canonical host."""

    activity: Mapping[str, Any]
    actor: str
    host: str  # ``federation.hosts.url_host(actor)``: ｌｏｃａｌｈｏｓｔ, localhost. and LOCALHOST are one


@dataclass(frozen=True)
class Accepted:
    """An activity that passed every protocol check, and the signature that vouches for it."""

    received: InboxActivity
    verified: Verified


def read_activity(body: bytes) -> InboxActivity:
    """Parse ``body`` as JSON and check the activity's shape; ``InboxRefused`` (400) says why not."""
    try:
        activity = parse_json(body)
    except JSONTextError as error:
        raise InboxRefused(400, str(error), "malformed") from error
    try:
        check_activity_shape(activity)
    except ActivityError as error:
        raise InboxRefused(400, str(error), "shape") from error
    actor = object_id(activity["actor"]) or ""
    # The shape check ensured the actor has an origin, so it has a canonical host.
    return InboxActivity(activity, actor, url_host(actor))


def require_signature(headers: Mapping[str, str]) -> None:
    """``InboxRefused`` (401) unless a ``Signature`` or ``Signature-Input`` header is present (any case)."""
    names = {name.lower() for name in headers}
    if "signature" not in names and "signature-input" not in names:
        raise InboxRefused(401, "the request is not signed", "unsigned")


def is_self_delete(received: InboxActivity) -> bool:
    """Whether the activity is a ``Delete`` of its own actor (whose key may be gone with it)."""
    deleted = object_id(received.activity.get("object"))
    return "Delete" in activity_types(received.activity) and deleted == received.actor


def _key_on_actor_origin(resolve_key: KeyResolver, actor: str) -> KeyResolver:
    """``resolve_key``, asked only for keys on the actor's origin: only that origin can hold its key, so a
    keyId anywhere else is refused before anything is fetched."""

    async def resolve(key_id: str, *, refresh: bool) -> ResolvedKey | None:
        if not is_http_iri(key_id):
            raise SignatureError("the keyId is not an absolute http(s) IRI")
        if not same_origin(key_id, actor):
            raise SignatureError("the key is not on the activity actor's origin")
        return await resolve_key(key_id, refresh=refresh)

    return resolve


async def verify_sender_signature(
    request: HttpRequest, actor: str, *, resolve_key: KeyResolver, now: datetime
) -> Verified:
    """Verify the request's HTTP signature with a key on ``actor``'s origin, at time ``now``.

    ``InboxRefused`` (401) with the reason when it does not verify ("digest mismatch", "signature expired
    (…)", "the key is not on the activity actor's origin", …); the resolver's other errors pass through.
    """
    try:
        return await verify_signed_request(request, resolve_key=_key_on_actor_origin(resolve_key, actor), now=now)
    except SignatureError as error:
        raise InboxRefused(401, str(error), "signature") from error


def check_key_owner(verified: Verified, actor: str) -> None:
    """``InboxRefused`` (401) unless the verified key belongs to ``actor``: nobody signs for someone else."""
    if verified.owner != actor:
        raise InboxRefused(401, "the key's owner is not the activity's actor", "key_owner")


def check_activity_origins(activity: Mapping[str, Any]) -> None:
    """``InboxRefused`` (400) if the activity's id, or the object it creates or updates, is not on its actor's
    origin (FEP-fe34)."""
    try:
        check_origins(activity)
    except ActivityError as error:
        raise InboxRefused(400, str(error), "origins") from error


async def verify_inbox_request(request: HttpRequest, *, resolve_key: KeyResolver, now: datetime) -> Accepted:
    """Every protocol check on an inbox POST, in order; ``InboxRefused`` with status and reason at the first
    that fails. ``request.body`` is the raw body as received."""
    received = read_activity(request.body)
    require_signature(request.headers)
    verified = await verify_sender_signature(request, received.actor, resolve_key=resolve_key, now=now)
    check_key_owner(verified, received.actor)
    check_activity_origins(received.activity)
    return Accepted(received, verified)
