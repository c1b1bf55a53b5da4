"""What a local actor's calls for collaboration send: ``Create``, ``Update`` and ``Delete`` of its FEP-0837
``Proposal``, to its followers and to the peer nodes (which follow the instance actor), written with the
change in one transaction (``storage.callstore``)."""

import dataclasses
from collections.abc import Mapping
from typing import Any

from dsi4bcn.fediverse.outbox import new_id
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import CallRecord, call_iri, call_tombstone, render_call
from dsi4bcn.profiles.callvalidation import new_call_id
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import later_than, utc_now
from federation import activities
from federation.activities import PUBLIC

__all__ = ["CallPublisher"]


class CallPublisher:
    """Publishes, changes, closes and deletes the calls of local actors."""

    def __init__(self, calls: Calls, follows: Follows, *, base_url: str, language: str) -> None:
        self._calls = calls
        self._follows = follows
        self._base_url = base_url
        self._language = language

    def document(self, record: CallRecord) -> dict[str, Any]:
        """The published ``Proposal`` of a live call."""
        return render_call(record, base_url=self._base_url, language=self._language)

    async def _audience(self, slug: str) -> list[str]:
        followers = await self._follows.follower_inboxes(slug)
        return list(dict.fromkeys(followers + await self._follows.follower_inboxes("")))

    def _wrap(self, kind: str, record: CallRecord, document: Mapping[str, Any]) -> dict[str, Any]:
        """``Create`` or ``Update`` of a call, addressed as the call is, with the call's context."""
        actor = actor_iri(self._base_url, record.kind, record.author)
        embedded = dict(document)
        context = embedded.pop("@context")
        activity_id = new_id(actor)
        if kind == "Create":
            activity = activities.create(activity_id, actor, embedded)
        else:
            activity = activities.update(activity_id, actor, embedded, to=[PUBLIC], cc=[f"{actor}/followers"])
        activity["@context"] = context
        return activity

    async def has_calls(self, slug: str) -> bool:
        """Whether the local actor ``slug`` has any live call."""
        return bool(await self._calls.of_author(slug))

    async def publish(self, author: ActorRecord, fields: Mapping[str, Any]) -> CallRecord:
        """Publish a new call of ``author`` (fields already normalised)."""
        now = utc_now()
        record = CallRecord(new_call_id(), author.kind, author.slug, dict(fields), now, now)
        activity = self._wrap("Create", record, self.document(record))
        iri = call_iri(self._base_url, record.id)
        await self._calls.add(record, iri=iri, activity=activity, inboxes=await self._audience(author.slug))
        return record

    async def change(
        self, record: CallRecord, fields: Mapping[str, Any] | None, *, close: bool = False
    ) -> CallRecord | None:
        """Replace a live call's fields (or, ``close``, close it now); the new record, or None if it is gone."""
        updated = later_than(record.updated)
        changed = dataclasses.replace(
            record,
            fields=dict(fields) if fields is not None else record.fields,
            updated=updated,
            closed=updated if close and record.closed is None else record.closed,
        )
        activity = self._wrap("Update", changed, self.document(changed))
        iri = call_iri(self._base_url, record.id)
        written = await self._calls.change(
            changed, iri=iri, activity=activity, inboxes=await self._audience(record.author)
        )
        return changed if written else None

    async def delete(self, record: CallRecord) -> bool:
        """Delete a live call: its id then answers 410 and a ``Delete{Tombstone}`` goes where its ``Create`` went."""
        deleted = utc_now()
        actor = actor_iri(self._base_url, record.kind, record.author)
        tombstone = call_tombstone(self._base_url, record.id, deleted)
        delete = activities.delete(new_id(actor), actor, tombstone, to=[PUBLIC], cc=[f"{actor}/followers"])
        return await self._calls.delete(
            record,
            iri=tombstone["id"],
            deleted=deleted,
            activity=delete,
            inboxes=await self._audience(record.author),
        )
