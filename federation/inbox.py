"""What a verified incoming activity means for the node: ``handle(activity, …) -> list[Effect]``.

Pure: the caller has already checked the HTTP signature, that the key's owner is the activity's actor,
and that the activity id is on the actor's origin; it passes in how to recognise local actors and how to
mint ids, and then carries the effects out (database writes, deliveries). Unknown activity types are
accepted and ignored.

Posts: a ``Create`` or ``Update`` of a ``Note`` becomes ``NoteReceived`` and a ``Delete`` of anything but
the actor itself ``NoteDeleted``; what to keep of them is the caller's choice. A note must be on its
actor's origin and name that actor, and only it, as its author (``attributedTo``), so that no actor can
speak for another (FEP-fe34).

Calls for collaboration: a ``Create`` or ``Update`` of an FEP-0837 ``Proposal`` (which may also be typed
``Note``, so that Mastodon shows it) becomes ``ProposalReceived``, never a post; a ``Delete`` of it is a
``NoteDeleted`` like any other object's, which the caller applies to what it holds under that id. An
``Offer`` of an ``Agreement`` (an answer to a call) becomes ``AgreementOffered``; an ``Accept`` carrying an
``Agreement`` as its ``result``, and an ``Accept`` or ``Reject`` of an object given by id (which may be an
offer rather than a ``Follow``), also become ``OfferAnswered``, which the caller matches against what it
sent or holds.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from federation import activities
from federation.activities import object_id
from federation.errors import ActivityError
from federation.hosts import same_origin

__all__ = [
    "ActorUpdated",
    "AddFollower",
    "AgreementOffered",
    "Deliver",
    "Effect",
    "FollowAnswered",
    "Ignore",
    "LocalActor",
    "NoteDeleted",
    "NoteReceived",
    "OfferAnswered",
    "ProposalReceived",
    "RemoveActor",
    "RemoveFollower",
    "activity_types",
    "check_origins",
    "handle",
]


@dataclass(frozen=True)
class LocalActor:
    """A local actor as the inbox sees it."""

    iri: str
    manually_approves_followers: bool = False


@dataclass(frozen=True)
class AddFollower:
    """Record ``follower`` as following ``local`` (pending until approved, if it must be)."""

    local: str
    follower: str
    follow: Mapping[str, Any]
    accepted: bool


@dataclass(frozen=True)
class RemoveFollower:
    """Forget that ``follower`` follows ``local`` (or, with only ``follow_id``, the follow with that id)."""

    follower: str
    local: str | None = None
    follow_id: str | None = None


@dataclass(frozen=True)
class RemoveActor:
    """A remote actor deleted itself: drop every follow from and to it."""

    actor: str


@dataclass(frozen=True)
class ActorUpdated:
    """A remote actor published (``Create``) or changed (``Update``) its own actor document.

    ``document`` stands on its own as JSON-LD: an embedded object without ``@context`` is in the scope of
    the activity's, so it is given that one.
    """

    actor: str
    document: Mapping[str, Any]


def _with_activity_context(embedded: Mapping[str, Any], activity: Mapping[str, Any]) -> Mapping[str, Any]:
    if "@context" in embedded or "@context" not in activity:
        return embedded
    return {"@context": activity["@context"], **embedded}


@dataclass(frozen=True)
class NoteReceived:
    """A remote actor posted (``Create``) or edited (``Update``) a ``Note`` of its own, embedded as
    ``note``."""

    actor: str
    note: Mapping[str, Any]
    edited: bool


@dataclass(frozen=True)
class ProposalReceived:
    """A remote actor published (``Create``) or changed (``Update``) an FEP-0837 ``Proposal`` (a call for
    collaboration), embedded as ``document`` with the activity's context."""

    actor: str
    document: Mapping[str, Any]
    edited: bool


@dataclass(frozen=True)
class AgreementOffered:
    """A remote actor offered to collaborate on a call (FEP-0837 ``Offer`` of an ``Agreement``)."""

    actor: str
    activity: Mapping[str, Any]


@dataclass(frozen=True)
class OfferAnswered:
    """A remote actor accepted or rejected something given by id: perhaps an offer to collaborate."""

    actor: str
    activity: Mapping[str, Any]
    accepted: bool


@dataclass(frozen=True)
class NoteDeleted:
    """A remote actor deleted an object of its own (a post, if one with that id by that actor is held)."""

    actor: str
    object_id: str


@dataclass(frozen=True)
class FollowAnswered:
    """A remote actor accepted or rejected one of our Follows."""

    target: str
    accepted: bool
    follow_id: str | None
    local: str | None


@dataclass(frozen=True)
class Deliver:
    """Send ``activity`` (signed by local actor ``sender``) to these remote actors' inboxes."""

    sender: str
    activity: Mapping[str, Any]
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Ignore:
    """Nothing to do, and why."""

    reason: str = field(default="")


Effect = (
    AddFollower
    | RemoveFollower
    | RemoveActor
    | ActorUpdated
    | NoteReceived
    | ProposalReceived
    | AgreementOffered
    | OfferAnswered
    | NoteDeleted
    | FollowAnswered
    | Deliver
    | Ignore
)
LocalLookup = Callable[[str], LocalActor | None]
NewId = Callable[[str], str]


def activity_types(activity: Mapping[str, Any]) -> tuple[str, ...]:
    """The activity's types as a tuple (``type`` may be a string or a list)."""
    kind = activity.get("type")
    if isinstance(kind, str):
        return (kind,)
    if isinstance(kind, list):
        return tuple(item for item in kind if isinstance(item, str))
    return ()


def check_origins(activity: Mapping[str, Any]) -> None:
    """Raise ``ActivityError`` if the activity, or an object it creates or updates, is on another origin.

    An actor can only speak for its own origin (FEP-fe34): a ``Create`` whose object lives elsewhere would
    let one server forge another's posts.
    """
    actor = object_id(activity.get("actor")) or ""
    if not same_origin(str(activity.get("id", "")), actor):
        raise ActivityError("the activity id is not on the actor's origin")
    types = set(activity_types(activity))
    if types & {"Create", "Update"}:
        target = object_id(activity.get("object"))
        if target is None:
            raise ActivityError("the activity has no object id")
        if not same_origin(target, actor):
            raise ActivityError("the object is not on the actor's origin")
        embedded = activity.get("object")
        if isinstance(embedded, Mapping) and "attributedTo" in embedded:
            _check_author(embedded["attributedTo"], actor)


def _check_author(attributed_to: Any, actor: str) -> None:
    """Raise ``ActivityError`` unless ``attributedTo`` names the actor and nobody else."""
    named = attributed_to if isinstance(attributed_to, list) else [attributed_to]
    authors = {object_id(item) for item in named}
    if authors != {actor}:
        raise ActivityError("the object's attributedTo is not the activity's actor")


def _follow_target(follow: Mapping[str, Any]) -> str | None:
    return object_id(follow.get("object"))


def _handle_follow(activity: Mapping[str, Any], actor: str, local_actor: LocalLookup, new_id: NewId) -> list[Effect]:
    target = _follow_target(activity)
    local = local_actor(target) if target else None
    if local is None:
        return [Ignore("Follow of an actor that is not on this node")]
    if local.manually_approves_followers:
        return [AddFollower(local.iri, actor, activity, accepted=False)]
    answer = activities.accept(new_id(local.iri), local.iri, activity)
    return [AddFollower(local.iri, actor, activity, accepted=True), Deliver(local.iri, answer, (actor,))]


def _handle_undo(activity: Mapping[str, Any], actor: str, local_actor: LocalLookup) -> list[Effect]:
    undone = activity.get("object")
    if isinstance(undone, Mapping):
        if "Follow" not in activity_types(undone):
            return [Ignore("Undo of something other than a Follow")]
        if object_id(undone.get("actor")) != actor:
            raise ActivityError("an actor can only undo its own Follow")
        target = _follow_target(undone)
        local = local_actor(target) if target else None
        if local is None:
            return [Ignore("Undo of a Follow of an actor that is not on this node")]
        return [RemoveFollower(actor, local=local.iri, follow_id=object_id(undone))]
    undone_id = object_id(undone)
    if undone_id is None:
        raise ActivityError("Undo without an object")
    return [RemoveFollower(actor, follow_id=undone_id)]


def _handle_answer(activity: Mapping[str, Any], actor: str, accepted: bool) -> list[Effect]:
    answered = activity.get("object")
    result = activity.get("result")
    if isinstance(result, Mapping) and "Agreement" in activity_types(result):
        return [OfferAnswered(actor, activity, accepted)]
    follow_id = object_id(answered)
    local: str | None = None
    if isinstance(answered, Mapping):
        if _follow_target(answered) not in (None, actor):
            raise ActivityError("an actor can only answer Follows of itself")
        local = object_id(answered.get("actor"))
        return [FollowAnswered(actor, accepted, follow_id, local)]
    return [FollowAnswered(actor, accepted, follow_id, local), OfferAnswered(actor, activity, accepted)]


def handle(activity: Mapping[str, Any], *, local_actor: LocalLookup, new_id: NewId) -> list[Effect]:
    """The effects of one verified activity. Raises ``ActivityError`` for a malformed or forged one."""
    activities.check_activity_shape(activity)
    check_origins(activity)
    actor = object_id(activity["actor"]) or ""
    types = activity_types(activity)
    if "Follow" in types:
        return _handle_follow(activity, actor, local_actor, new_id)
    if "Undo" in types:
        return _handle_undo(activity, actor, local_actor)
    if "Accept" in types or "Reject" in types:
        return _handle_answer(activity, actor, accepted="Accept" in types)
    if "Offer" in types:
        offered = activity.get("object")
        if isinstance(offered, Mapping) and "Agreement" in activity_types(offered):
            return [AgreementOffered(actor, activity)]
        return [Ignore("Offer of something other than an Agreement")]
    if "Delete" in types:
        deleted = object_id(activity.get("object"))
        if deleted == actor:
            return [RemoveActor(actor)]
        if deleted is None:
            return [Ignore("Delete without an object")]
        if not same_origin(deleted, actor):
            return [Ignore("Delete of an object on another origin")]
        return [NoteDeleted(actor, deleted)]
    embedded = activity.get("object")
    if types and set(types) & {"Create", "Update"} and isinstance(embedded, Mapping):
        if embedded.get("id") == actor:
            return [ActorUpdated(actor, _with_activity_context(embedded, activity))]
        embedded_types = activity_types(embedded)
        if "Proposal" in embedded_types:
            return [ProposalReceived(actor, _with_activity_context(embedded, activity), edited="Update" in types)]
        if "Note" in embedded_types:
            return [NoteReceived(actor, embedded, edited="Update" in types)]
    return [Ignore(f"{'/'.join(types) or 'untyped'} activities need no action here")]
