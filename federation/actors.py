"""Build ActivityPub actor documents and the collections they point to.

What Mastodon requires of an actor (``ActivityPub::ProcessAccountService``, ``FetchRemoteActorService``):
a supported ``type`` (Application, Group, Organization, Person or Service; the first supported one of a
list wins), ``preferredUsername``, ``inbox``, a ``publicKey`` whose ``owner`` is the actor, and a ``url`` on
the actor's own host. ``endpoints.sharedInbox`` is where it delivers when present. See
https://docs.joinmastodon.org/spec/activitypub/ and docs/mastodon-checklist.md.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from federation.errors import ActivityError
from federation.hosts import same_origin
from federation.types import ActorEndpoints

__all__ = ["SUPPORTED_ACTOR_TYPES", "actor_document", "endpoints_for", "ordered_collection"]

# Mastodon's ActivityPub::Activity::SUPPORTED_TYPES for actors.
SUPPORTED_ACTOR_TYPES = frozenset({"Application", "Group", "Organization", "Person", "Service"})


def endpoints_for(actor_id: str, shared_inbox: str, url: str | None = None) -> ActorEndpoints:
    """The conventional endpoint layout under an actor's id: ``{id}/inbox``, ``{id}/outbox``, ..."""
    return ActorEndpoints(
        id=actor_id,
        inbox=f"{actor_id}/inbox",
        outbox=f"{actor_id}/outbox",
        followers=f"{actor_id}/followers",
        following=f"{actor_id}/following",
        shared_inbox=shared_inbox,
        url=url or actor_id,
    )


def actor_document(
    *,
    context: Sequence[Any],
    types: Sequence[str],
    endpoints: ActorEndpoints,
    preferred_username: str,
    public_key_pem: str,
    properties: Mapping[str, Any] | None = None,
    key_id: str | None = None,
    retired_keys: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """An actor with everything peers need, plus ``properties`` (name, summary, profile terms...).

    The first entry of ``types`` must be one Mastodon supports, since Misskey-like servers read only the
    first type of a list. ``key_id`` is the current key's id (``{id}#main-key`` by default);
    ``retired_keys`` (``(key id, pem)``) are keys replaced by a rotation still in their grace period: they
    follow the current key in a ``publicKey`` list, whose first entry is the only one Mastodon reads
    (``ProcessAccountService#public_key``, ``first_of_value``) while Fedify and this node look a key up by
    its id among all of them (docs/key-rotation.md).
    """
    if not types or types[0] not in SUPPORTED_ACTOR_TYPES:
        raise ValueError(f"the first actor type must be one of {sorted(SUPPORTED_ACTOR_TYPES)}")
    document: dict[str, Any] = {
        "@context": list(context),
        "id": endpoints.id,
        "type": types[0] if len(types) == 1 else list(types),
        "preferredUsername": preferred_username,
        "inbox": endpoints.inbox,
        "outbox": endpoints.outbox,
        "followers": endpoints.followers,
        "following": endpoints.following,
        "endpoints": {"sharedInbox": endpoints.shared_inbox},
        "url": endpoints.url,
        "publicKey": _public_keys(endpoints.id, key_id or endpoints.key_id, public_key_pem, retired_keys),
    }
    for key, value in (properties or {}).items():
        if key in document:
            raise ValueError(f"property {key!r} is set by the protocol layer")
        document[key] = value
    return document


def _public_keys(
    owner: str, key_id: str, pem: str, retired: Sequence[tuple[str, str]]
) -> dict[str, str] | list[dict[str, str]]:
    current = {"id": key_id, "owner": owner, "publicKeyPem": pem}
    if not retired:
        return current
    return [current, *({"id": old_id, "owner": owner, "publicKeyPem": old_pem} for old_id, old_pem in retired)]


def ordered_collection(
    collection_id: str, total_items: int, context: Sequence[Any], first: str | None = None
) -> dict[str, Any]:
    """An ``OrderedCollection`` with its ``totalItems`` (Mastodon reads it for follower counts)."""
    collection: dict[str, Any] = {
        "@context": list(context),
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total_items,
    }
    if first is not None:
        collection["first"] = first
    return collection


@dataclass(frozen=True)
class RemoteActorInfo:
    """What we need of a fetched actor: where to deliver, and its keys ``(key_id, pem)``."""

    id: str
    inbox: str
    shared_inbox: str | None
    keys: tuple[tuple[str, str], ...]
    types: tuple[str, ...]


def read_actor(document: Mapping[str, Any]) -> RemoteActorInfo:
    """Read a fetched actor document; raise ``ActivityError`` if it is not usable as one.

    Keys whose ``owner`` is not the actor are ignored, so an actor cannot claim another's key. The inbox
    must be on the actor's origin, and a ``sharedInbox`` on another origin is not used.
    """
    actor_id = document.get("id")
    if not isinstance(actor_id, str):
        raise ActivityError("the actor has no id")
    kind = document.get("type")
    types = tuple(t for t in ([kind] if isinstance(kind, str) else kind or []) if isinstance(t, str))
    inbox = document.get("inbox")
    if not isinstance(inbox, str) or not same_origin(inbox, actor_id):
        raise ActivityError("the actor has no inbox on its own origin")
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, Mapping) else document.get("sharedInbox")
    # A shared inbox elsewhere would let an actor direct our fan-out (every follower's copy) at a third
    # party; only one on the actor's own origin is used, else deliveries go to its personal inbox.
    usable = isinstance(shared, str) and shared.startswith(("http://", "https://")) and same_origin(shared, actor_id)
    shared_inbox = shared if usable else None
    raw_keys = document.get("publicKey")
    candidates = raw_keys if isinstance(raw_keys, list) else [raw_keys]
    keys = tuple(
        (key["id"], key["publicKeyPem"])
        for key in candidates
        if isinstance(key, Mapping)
        and isinstance(key.get("id"), str)
        and isinstance(key.get("publicKeyPem"), str)
        and key.get("owner", actor_id) == actor_id
        and same_origin(key["id"], actor_id)
    )
    return RemoteActorInfo(actor_id, inbox, shared_inbox, keys, types)
