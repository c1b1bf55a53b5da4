"""What local actors send: update posts (``Create{Note}``, ``Delete{Tombstone}``), profile ``Update``s and
``Delete``s, ``Follow``s. Posts go to the actor's followers and to the peer nodes that follow the instance
actor, so that the nodes aggregating a profile show its posts.

Everything sent is written to the outbox with its deliveries in one transaction (``storage.deliveries.enqueue``);
the delivery worker does the network part. Post HTML is limited to what Mastodon keeps and sanitised
with nh3 (ammonia), and each post carries hashtags for its project's DSI areas.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import nh3

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.storage.database import Connection
from dsi4bcn.storage.deliveries import DeliveryQueue, enqueue
from dsi4bcn.storage.follows import Follows, follower_inboxes_in
from dsi4bcn.storage.localactors import WriteHook, utc_now
from dsi4bcn.storage.notes import Notes
from federation import activities
from federation.activities import PUBLIC
from vocab.concepts import concept_index

__all__ = [
    "MAX_POST_LENGTH",
    "Publisher",
    "area_hashtags",
    "new_id",
    "profile_announcer",
    "queue_profile_change",
    "sanitise_html",
]

MAX_POST_LENGTH = 20_000
# Mastodon's MASTODON_STRICT sanitiser config (lib/sanitize_ext/sanitize_config.rb), without classes.
_TAGS = {
    "p",
    "br",
    "span",
    "a",
    "abbr",
    "del",
    "pre",
    "blockquote",
    "code",
    "b",
    "strong",
    "u",
    "sub",
    "sup",
    "i",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "ul",
    "ol",
    "li",
}
_ATTRIBUTES = {
    "a": {"href", "title", "translate"},
    "span": {"translate"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
_SCHEMES = {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script (Catalan accents)


def new_id(actor: str, kind: str = "activities") -> str:
    """A fresh id on the actor's own host: ``{actor}/{kind}/{uuid}``."""
    return f"{actor}/{kind}/{uuid.uuid4()}"


def sanitise_html(html: str) -> str:
    """Keep only the markup Mastodon keeps; links get ``rel="nofollow noopener noreferrer"``."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def area_hashtags(record: ActorRecord, base_url: str, language: str = "en") -> list[dict[str, str]]:
    """One ``Hashtag`` per DSI area of the profile, named in CamelCase from its label in ``language``
    ("Dades obertes" gives ``#DadesObertes``), linking to the area's tag page."""
    tags: list[dict[str, str]] = []
    for curie in record.fields.get("areas", []):
        concept = concept_index().resolve(curie)
        if concept is None:
            continue
        name = "".join(word[:1].upper() + word[1:] for word in _WORD.findall(concept.label(language)))
        tags.append(activities.hashtag(name, f"{base_url}/tags/{concept.code}"))
    return tags


def _hashtag_paragraph(tags: Sequence[Mapping[str, str]]) -> str:
    links = " ".join(
        f'<a href="{tag["href"]}" class="mention hashtag" rel="tag">#<span>{tag["name"][1:]}</span></a>' for tag in tags
    )
    return f"<p>{links}</p>" if links else ""


class Publisher:
    """Builds and queues the activities of local actors."""

    def __init__(self, notes: Notes, follows: Follows, deliveries: DeliveryQueue, base_url: str) -> None:
        self._notes = notes
        self._follows = follows
        self._deliveries = deliveries
        self._base_url = base_url

    def iri(self, record: ActorRecord) -> str:
        """The actor id of a local record."""
        return actor_iri(self._base_url, record.kind, record.slug)

    async def post_note(
        self,
        record: ActorRecord,
        content: str,
        content_map: Mapping[str, str] | None,
        tags: Sequence[Mapping[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Publish an update post of ``record`` to its followers; returns the ``Create`` activity. ``tags``
        are its ``Hashtag``s (linked at its end); None means the profile's area hashtags, in English."""
        actor = self.iri(record)
        tags = area_hashtags(record, self._base_url) if tags is None else [dict(tag) for tag in tags]
        footer = _hashtag_paragraph(tags)
        clean_map = {lang: sanitise_html(html) + footer for lang, html in (content_map or {}).items()}
        note_id = new_id(actor, "notes")
        note = activities.note(
            note_id=note_id,
            actor=actor,
            followers=f"{actor}/followers",
            content=sanitise_html(content) + footer,
            content_map=clean_map or None,
            published=utc_now(),
            url=note_id,
            tags=tags,
        )
        create = activities.create(new_id(actor), actor, note)
        await self._notes.add_note(note_id, record.slug, note, create, await self._audience(record.slug))
        return create

    async def delete_note(self, record: ActorRecord, note_id: str) -> dict[str, Any] | None:
        """Delete a post of ``record``: its id then answers 410, and a ``Delete{Tombstone}`` goes where its
        ``Create`` went. The ``Delete``, or None if the actor has no such post (or it is already deleted)."""
        actor = self.iri(record)
        tombstone = {"id": note_id, "type": "Tombstone", "formerType": "Note", "deleted": utc_now()}
        delete = activities.delete(new_id(actor), actor, tombstone, to=[PUBLIC], cc=[f"{actor}/followers"])
        deleted = await self._notes.delete_note(note_id, record.slug, delete, await self._audience(record.slug))
        return delete if deleted else None

    async def _audience(self, slug: str) -> list[str]:
        """Where a post of local actor ``slug`` goes: its followers, and the peer nodes (which follow the
        instance actor and keep the posts of the profiles they aggregate), one entry per shared inbox."""
        followers = await self._follows.follower_inboxes(slug)
        return list(dict.fromkeys(followers + await self._follows.follower_inboxes("")))

    async def follow(self, local_slug: str, local_iri: str, target: str, inbox: str) -> dict[str, Any]:
        """Ask to follow ``target`` (its inbox given); returns the ``Follow``."""
        follow = activities.follow(new_id(local_iri), local_iri, target)
        await self._follows.follow(local_slug, target, follow["id"])
        await self._deliveries.publish(local=local_slug, activity=follow, inboxes=[inbox], public=False)
        return follow

    async def unfollow(self, local_slug: str, local_iri: str, target: str, follow_id: str, inbox: str) -> None:
        """Withdraw a follow with ``Undo{Follow}``."""
        follow = activities.follow(follow_id, local_iri, target)
        undo = activities.undo(new_id(local_iri), local_iri, follow, to=[target])
        await self._deliveries.publish(local=local_slug, activity=undo, inboxes=[inbox], public=False)


async def queue_profile_change(
    connection: Connection,
    *,
    record: ActorRecord,
    actor_document: Mapping[str, Any],
    base_url: str,
    created: bool,
) -> None:
    """Inside a profile write's transaction: tell followers and peer nodes.

    Followers of the actor get ``Update`` (or ``Delete``); peer nodes, which follow the instance actor,
    also get ``Create`` of new profiles, so that every aggregator has it, and ``Delete``, so that erasure
    reaches every aggregator.
    """
    actor = actor_iri(base_url, record.kind, record.slug)

    peers = await follower_inboxes_in(connection, "")
    followers = [] if created else await follower_inboxes_in(connection, record.slug)
    audience = list(dict.fromkeys(followers + peers))
    if not audience:
        return
    if record.deleted:
        activity = activities.delete(new_id(actor), actor, actor, to=[PUBLIC], cc=[f"{actor}/followers"])
    else:
        embedded = dict(actor_document)
        context = embedded.pop("@context")
        if created:
            activity = activities.create(new_id(actor), actor, embedded)
            activity["to"] = [PUBLIC]
        else:
            activity = activities.update(new_id(actor), actor, embedded, to=[PUBLIC], cc=[f"{actor}/followers"])
        activity["@context"] = context
    await enqueue(connection, local=record.slug, activity=activity, inboxes=audience, public=not record.deleted)


def profile_announcer(*, base_url: str, authority: str, language: str) -> WriteHook:
    """A profile write hook that queues the ``Update`` (or ``Delete``) of the changed profile for its
    followers and peer nodes, in the write's transaction (see ``queue_profile_change``)."""

    async def announce(connection: Connection, record: ActorRecord, created: bool) -> None:
        document = (
            {} if record.deleted else render_actor(record, base_url=base_url, authority=authority, language=language)
        )
        await queue_profile_change(
            connection, record=record, actor_document=document, base_url=base_url, created=created
        )

    return announce
