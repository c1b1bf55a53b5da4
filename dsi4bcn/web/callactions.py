"""The changes of calls for collaboration, shared by the admin API (``routes/callsadmin``) and the admin
pages: publish a call, replace it, close it, delete it.

Each checks who may (the caller must be able to edit the call's author), does the change (its activity
queued and its graph marked unsynced in one transaction), wakes the deliverer and the graph sync, and records
who did it in the audit log; a refusal is an ``ApiError``, which the API answers as JSON and a page as a page.
"""

from typing import Any

from aiohttp import web

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import CallRecord, call_iri
from dsi4bcn.profiles.callvalidation import CallInvalid, normalise_call
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.appkeys import ACCOUNTS, CALL_PUBLISHER, CALLS, CONFIG, DELIVERER, GRAPH_SYNC, STORE
from dsi4bcn.web.http import ApiError
from dsi4bcn.web.principal import Principal
from vocab.concepts import concept_index

__all__ = ["call_json", "close_call", "delete_call", "editable_call", "publish_call", "replace_call"]


def _fields(body: Any) -> dict[str, Any]:
    try:
        return normalise_call(body, concepts=concept_index())
    except CallInvalid as invalid:
        raise ApiError(422, "validation_failed", invalid.problems) from invalid


def _wake(app: web.Application) -> None:
    app[DELIVERER].poke()
    app[GRAPH_SYNC].poke()


def call_json(app: web.Application, record: CallRecord) -> dict[str, Any]:
    """A call as the API answers it: its editable fields, beside its id, author, state and times."""
    base_url = app[CONFIG].base_url
    item: dict[str, Any] = {
        "id": call_iri(base_url, record.id),
        "call": record.id,
        "author": actor_iri(base_url, record.kind, record.author),
        "authorSlug": record.author,
        "state": record.state(utc_now()),
        "published": record.published,
        "updated": record.updated,
    }
    if record.closed:
        item["closed"] = record.closed
    item.update(record.fields)
    return item


async def editable_call(app: web.Application, principal: Principal, call_id: str) -> CallRecord:
    """The live call ``call_id``, which ``principal`` may change: 404 for none, 410 deleted, 403 another's."""
    record = await app[CALLS].get(call_id)
    if record is None:
        raise ApiError(404, "not_found")
    if record.deleted:
        raise ApiError(410, "gone")
    author = await app[STORE].get(record.author)
    if author is None or not principal.may_edit(author.kind, author.slug, author.organisation):
        raise ApiError(403, "not_your_profile", slug=record.author)
    return record


async def publish_call(app: web.Application, principal: Principal, author: ActorRecord, body: Any) -> CallRecord:
    """Publish a new call of ``author`` from an editable call: 422 listing every problem, nothing written."""
    if not principal.may_edit(author.kind, author.slug, author.organisation):
        raise ApiError(403, "not_your_profile", slug=author.slug)
    record = await app[CALL_PUBLISHER].publish(author, _fields(body))
    _wake(app)
    await app[ACCOUNTS].record(principal.name, "call_published", call_iri(app[CONFIG].base_url, record.id), author.slug)
    return record


async def replace_call(app: web.Application, principal: Principal, call_id: str, body: Any) -> CallRecord:
    """Replace a live call's fields (an ``Update`` to where it went): 422 listing every problem."""
    record = await editable_call(app, principal, call_id)
    changed = await app[CALL_PUBLISHER].change(record, _fields(body))
    if changed is None:
        raise ApiError(410, "gone")
    _wake(app)
    await app[ACCOUNTS].record(principal.name, "call_changed", call_iri(app[CONFIG].base_url, call_id), record.author)
    return changed


async def close_call(app: web.Application, principal: Principal, call_id: str) -> CallRecord:
    """Close a live call now: it leaves the open lists, stays readable, and its ``Update`` says it ended."""
    record = await editable_call(app, principal, call_id)
    if record.closed is not None:
        return record
    changed = await app[CALL_PUBLISHER].change(record, None, close=True)
    if changed is None:
        raise ApiError(410, "gone")
    _wake(app)
    await app[ACCOUNTS].record(principal.name, "call_closed", call_iri(app[CONFIG].base_url, call_id), record.author)
    return changed


async def delete_call(app: web.Application, principal: Principal, call_id: str) -> None:
    """Delete a live call: its id answers 410 and a ``Delete`` goes where its ``Create`` went."""
    record = await editable_call(app, principal, call_id)
    if not await app[CALL_PUBLISHER].delete(record):
        raise ApiError(410, "gone")
    _wake(app)
    await app[ACCOUNTS].record(principal.name, "call_deleted", call_iri(app[CONFIG].base_url, call_id), record.author)
