"""The changes of posts and follow requests, shared by the admin API (``routes/federationadmin``) and the
admin pages (``routes/postadminpages``): publish a post, delete one, accept or reject a follow request.

Each does the change (its activity queued with it in one transaction), wakes the deliverer and records who
did it in the audit log; a refusal is an ``ApiError``, which the API answers as JSON and a page as a page.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from dsi4bcn.fediverse.outbox import new_id
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.web.appkeys import ACCOUNTS, CONFIG, DELIVERER, DELIVERY_QUEUE, DIRECTORY, FOLLOWS, PUBLISHER
from dsi4bcn.web.http import ApiError
from federation import activities
from federation.errors import ActivityError, FetchError

__all__ = ["answer_follow_request", "delete_post", "note_key", "publish_post"]


def note_key(note_id: str) -> str:
    """The last part of a post's id, which names it in the ``…/notes/{id}`` paths."""
    return note_id.rsplit("/", 1)[-1]


async def publish_post(
    app: web.Application,
    record: ActorRecord,
    by: str,
    content: str,
    content_map: Mapping[str, str] | None,
    tags: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Publish an update post of ``record`` (``Create{Note}`` to its followers and the peer nodes) for ``by``;
    the ``Create``. ``tags`` None means the profile's area hashtags (see ``Publisher.post_note``)."""
    create = await app[PUBLISHER].post_note(record, content, content_map, tags)
    app[DELIVERER].poke()
    note = create["object"]
    languages = " ".join(sorted(note.get("contentMap") or {}))
    await app[ACCOUNTS].record(by, "post_published", str(note["id"]), f"{record.slug} {languages}".strip())
    return create


async def delete_post(app: web.Application, record: ActorRecord, by: str, key: str) -> dict[str, Any]:
    """Delete the post ``key`` of ``record`` for ``by``: the ``Delete`` sent where its ``Create`` went;
    404 if the actor has no such live post."""
    publisher = app[PUBLISHER]
    note_id = f"{publisher.iri(record)}/notes/{key}"
    delete = await publisher.delete_note(record, note_id)
    if delete is None:
        raise ApiError(404, "not_found")
    app[DELIVERER].poke()
    await app[ACCOUNTS].record(by, "post_deleted", note_id, record.slug)
    return delete


async def answer_follow_request(
    app: web.Application, record: ActorRecord, by: str, actor: str, accept: bool
) -> dict[str, Any]:
    """Accept or reject the pending follow of ``record`` by ``actor`` for ``by``: the follower is kept (or
    forgotten) and gets the ``Accept`` (or ``Reject``), which is returned. 404 if no such follow waits;
    502 if the follower's inbox cannot be found."""
    follows = app[FOLLOWS]
    pending = await follows.follower(record.slug, actor)
    if pending is None or pending.accepted:
        raise ApiError(404, "not_found")
    local = actor_iri(app[CONFIG].base_url, record.kind, record.slug)
    builder = activities.accept if accept else activities.reject
    answer = builder(new_id(local), local, pending.follow)
    try:
        inbox = (await app[DIRECTORY].actor(actor)).inbox
    except (FetchError, ActivityError) as error:
        raise ApiError(502, "inbox_refused", reason=str(error)) from error
    if accept:
        await follows.add_follower(record.slug, actor, pending.follow, accepted=True)
    else:
        await follows.remove_follower(actor, local=record.slug)
    await app[DELIVERY_QUEUE].publish(local=record.slug, activity=answer, inboxes=[inbox], public=False)
    app[DELIVERER].poke()
    await app[ACCOUNTS].record(by, "follow_accepted" if accept else "follow_rejected", actor, record.slug)
    return answer
