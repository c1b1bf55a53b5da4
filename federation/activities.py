"""Build the activities a node sends, and read the ones it receives, as plain dicts.

Ids of everything we publish live on the sending actor's host. Received activities are checked for shape
only here (``federation.inboxrequest`` runs the signature and origin checks on an inbox POST; origins are
defined in ``federation.hosts``).
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from federation.errors import ActivityError
from federation.hosts import origin, same_origin  # re-exported: the one definition lives in hosts

__all__ = [
    "FORBIDDEN_KEYWORDS",
    "PUBLIC",
    "accept",
    "check_activity_shape",
    "create",
    "delete",
    "follow",
    "forbidden_keyword",
    "hashtag",
    "is_http_iri",
    "note",
    "object_id",
    "origin",
    "reject",
    "same_origin",
    "undo",
    "update",
]

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
# JSON-LD keywords that let a document speak about other nodes or smuggle reverse statements.
FORBIDDEN_KEYWORDS = frozenset({"@graph", "@reverse", "@included"})
_MAX_DEPTH = 16
_MAX_IRI_LENGTH = 2048
# Characters an IRI cannot hold (RFC 3987 and N-Triples' IRIREF, and lone surrogates, which UTF-8 cannot
# encode): they would break every later writer. One character class, so one linear pass.
_NOT_IN_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f\ud800-\udfff]')


def is_http_iri(value: Any) -> bool:
    """Whether ``value`` is an absolute http(s) IRI that can be stored and written as RDF as it is: no
    spaces, controls, ``<>"{}|^`\\`` or lone surrogates, at most 2,048 characters."""
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_IRI_LENGTH or _NOT_IN_IRI.search(value):
        return False
    if not value[:8].lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(urlsplit(value).hostname)
    except ValueError:
        return False


def object_id(value: Any) -> str | None:
    """The id of an object given inline or as an IRI; None if there is none."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def forbidden_keyword(value: Any) -> str | None:
    """Why ``value`` is refused (``@graph``, ``@reverse`` or ``@included`` anywhere; too deep), else None.

    ``@context`` values are not searched: a context that aliases a keyword is caught later, because
    every triple's subject must be on the sender's origin and only the default graph is read.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return "nesting too deep"
        if isinstance(item, Mapping):
            for key, child in item.items():
                if key in FORBIDDEN_KEYWORDS:
                    return f"{key} is not accepted in activities"
                if key != "@context" and isinstance(child, Mapping | list):
                    stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item if isinstance(child, Mapping | list))
    return None


def check_activity_shape(activity: Any) -> None:
    """Raise ``ActivityError`` unless ``activity`` is an object with id, type and actor ids.

    Also refuses ``@graph``, ``@reverse`` and ``@included`` anywhere in it: an activity speaks about its
    object, not about arbitrary other resources.
    """
    if not isinstance(activity, Mapping):
        raise ActivityError("an activity must be a JSON object")
    for key in ("id", "type", "actor"):
        if key not in activity:
            raise ActivityError(f"the activity has no {key}")
    if not is_http_iri(activity["id"]) or not origin(activity["id"]):
        raise ActivityError("the activity id must be an absolute http(s) IRI on a valid host")
    actor = object_id(activity["actor"])
    if not is_http_iri(actor) or not origin(actor or ""):
        raise ActivityError("the activity's actor must be an absolute http(s) IRI on a valid host")
    if not isinstance(activity["type"], str | list):
        raise ActivityError("the activity type must be a string")
    problem = forbidden_keyword(activity)
    if problem:
        raise ActivityError(problem)


def _activity(kind: str, activity_id: str, actor: str, obj: Any, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": AS_CONTEXT, "id": activity_id, "type": kind, "actor": actor}
    document["object"] = obj
    document.update({key: value for key, value in extra.items() if value is not None})
    return document


def accept(activity_id: str, actor: str, follow_activity: Mapping[str, Any]) -> dict[str, Any]:
    """``Accept`` of a received ``Follow``, embedding it exactly as received (Mastodon matches on it)."""
    follower = object_id(follow_activity.get("actor"))
    return _activity("Accept", activity_id, actor, dict(follow_activity), to=[follower] if follower else None)


def reject(activity_id: str, actor: str, follow_activity: Mapping[str, Any]) -> dict[str, Any]:
    """``Reject`` of a received ``Follow``."""
    follower = object_id(follow_activity.get("actor"))
    return _activity("Reject", activity_id, actor, dict(follow_activity), to=[follower] if follower else None)


def follow(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """``Follow`` of ``target`` by ``actor``."""
    return _activity("Follow", activity_id, actor, target, to=[target])


def undo(activity_id: str, actor: str, undone: Mapping[str, Any], to: Sequence[str] = ()) -> dict[str, Any]:
    """``Undo`` of one of our own activities, embedded."""
    return _activity("Undo", activity_id, actor, dict(undone), to=list(to) or None)


def create(activity_id: str, actor: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """``Create`` of an object, addressed like the object."""
    return _activity(
        "Create",
        activity_id,
        actor,
        dict(obj),
        to=obj.get("to"),
        cc=obj.get("cc"),
        published=obj.get("published"),
    )


def update(
    activity_id: str, actor: str, obj: Mapping[str, Any], to: Sequence[str], cc: Sequence[str]
) -> dict[str, Any]:
    """``Update`` of an object or of the actor itself (the full new version embedded)."""
    return _activity("Update", activity_id, actor, dict(obj), to=list(to), cc=list(cc))


def delete(
    activity_id: str, actor: str, deleted: str | Mapping[str, Any], to: Sequence[str], cc: Sequence[str]
) -> dict[str, Any]:
    """``Delete`` of an object or of the actor, by id or as a ``Tombstone``."""
    return _activity(
        "Delete",
        activity_id,
        actor,
        deleted if isinstance(deleted, str) else dict(deleted),
        to=list(to),
        cc=list(cc),
    )


def hashtag(name: str, href: str) -> dict[str, str]:
    """A ``Hashtag`` tag as Mastodon reads it (``name`` starts with #)."""
    return {"type": "Hashtag", "name": name if name.startswith("#") else f"#{name}", "href": href}


def note(
    *,
    note_id: str,
    actor: str,
    followers: str,
    content: str,
    content_map: Mapping[str, str] | None,
    published: str,
    url: str | None = None,
    tags: Sequence[Mapping[str, str]] = (),
    updated: str | None = None,
) -> dict[str, Any]:
    """A public ``Note`` (to Public, cc the followers) as Mastodon shows it in home timelines."""
    document: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": note_id,
        "type": "Note",
        "attributedTo": actor,
        "content": content,
        "published": published,
        "to": [PUBLIC],
        "cc": [followers],
    }
    if content_map:
        document["contentMap"] = dict(content_map)
    if url:
        document["url"] = url
    if tags:
        document["tag"] = [dict(tag) for tag in tags]
    if updated:
        document["updated"] = updated
    return document
