"""The admin JSON API: create, read, replace and delete organisations and projects.

Every route needs ``Authorization: Bearer TOKEN``. A body is the editable profile (compact JSON-LD in the
dsi4bcn context); every problem in it is listed in one 4xx answer and nothing is written. Handlers read,
validate, write and answer; what a write entails besides (announcing it, marking its graph unsynced, waking
the loops) is done by the hooks ``app.py`` registers on ``ProfileWrites``.
"""

from typing import Any

from aiohttp import web

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.iris import actor_iri, parse_actor_iri, profile_page
from dsi4bcn.profiles.validation import Kind, Problem, ProfileInvalid, check_slug, editable_document, normalise_profile
from dsi4bcn.storage.localactors import Conflict
from dsi4bcn.web.appkeys import CONFIG, PROFILE_WRITES, STORE
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.principal import Principal, authorise
from vocab.concepts import concept_index

__all__ = [
    "RESERVED_SLUGS",
    "editable_document_of",
    "editable_record",
    "editable_record_by",
    "live_record",
    "remove_profile",
    "require_edit",
    "routes",
    "write_profile",
]

routes = web.RouteTableDef()
# Paths and names a profile must not take over.
RESERVED_SLUGS = frozenset({"actor", "admin", "api", "inbox", "ns", "static", "nodeinfo", "well-known"})


def _slug_problems(request: web.Request, slug: str) -> list[Problem]:
    problem = check_slug(slug)
    if problem is not None:
        return [problem]
    if slug in RESERVED_SLUGS or slug == request.app[CONFIG].hostname:
        return [Problem("slug", "reserved_slug", {"value": slug})]
    return []


def _kind(request: web.Request) -> Kind:
    return "organisation" if request.match_info["collection"] == "organisations" else "project"


def editable_document_of(request: web.Request, record: ActorRecord) -> dict[str, Any]:
    """The editable profile of ``record``, exactly as the API's GET answers it."""
    return _editable(request, record)


def _editable(request: web.Request, record: ActorRecord) -> dict[str, Any]:
    base_url = request.app[CONFIG].base_url
    return editable_document(
        record.kind,
        record.fields,
        actor_iri=actor_iri(base_url, record.kind, record.slug),
        organisation_iri=actor_iri(base_url, "organisation", record.organisation) if record.organisation else None,
    )


def _summary(request: web.Request, record: ActorRecord) -> dict[str, Any]:
    base_url = request.app[CONFIG].base_url
    item: dict[str, Any] = {
        "slug": record.slug,
        "id": actor_iri(base_url, record.kind, record.slug),
        "url": profile_page(base_url, record.slug),
        "nameMap": dict(record.fields.get("nameMap", {})),
        "published": record.published,
        "updated": record.updated,
    }
    if record.organisation:
        item["organisation"] = record.organisation
    return item


def require_edit(principal: Principal, record: ActorRecord) -> None:
    """Refuse (403) a caller who may not manage ``record``: an editor of another organisation."""
    if not principal.may_edit(record.kind, record.slug, record.organisation):
        raise ApiError(403, "not_your_profile", slug=record.slug)


async def editable_record(request: web.Request) -> ActorRecord:
    """The live organisation or project the request's path names, which its caller may manage: 401 without
    a token, 404 or 410 for no such profile, 403 for another organisation's."""
    return (await editable_record_by(request))[1]


async def editable_record_by(request: web.Request) -> tuple[Principal, ActorRecord]:
    """The caller and the profile of ``editable_record`` (for an audit log entry naming the caller)."""
    principal = await authorise(request)
    record = await live_record(request, _kind(request), request.match_info["slug"])
    require_edit(principal, record)
    return principal, record


async def live_record(request: web.Request, kind: Kind, slug: str) -> ActorRecord:
    """The live profile ``slug`` of ``kind``: 404 if there is none, 410 if it was deleted."""
    record = await request.app[STORE].get(slug)
    if record is None or record.kind != kind:
        raise ApiError(404, "not_found")
    if record.deleted:
        raise ApiError(410, "gone")
    return record


_COLLECTION = "/api/{collection:organisations|projects}"


@routes.get(_COLLECTION)
async def list_profiles(request: web.Request) -> web.Response:
    """Live organisations or projects as a JSON list; ``?organisation=slug`` filters projects."""
    principal = await authorise(request)
    kind = _kind(request)
    organisation = request.query.get("organisation") if kind == "project" else None
    records = await request.app[STORE].list(kind, organisation=organisation)
    mine = [record for record in records if principal.may_edit(record.kind, record.slug, record.organisation)]
    return json_response([_summary(request, record) for record in mine])


@routes.get(_COLLECTION + "/{slug}")
async def get_profile(request: web.Request) -> web.Response:
    """The editable profile, in exactly the shape PUT accepts."""
    record = await editable_record(request)
    return json_response(_editable(request, record), content_type="application/ld+json")


@routes.put(_COLLECTION + "/{slug}")
async def put_profile(request: web.Request) -> web.Response:
    """Create (201) or replace (200) a profile; 4xx listing every problem, nothing written."""
    principal = await authorise(request)
    kind = _kind(request)
    slug = request.match_info["slug"]
    body = await read_json_body(request)
    record, created = await write_profile(request, principal, kind, slug, body)
    base_url = request.app[CONFIG].base_url
    headers = {"Location": actor_iri(base_url, kind, slug)} if created else None
    return json_response(
        _editable(request, record),
        status=201 if created else 200,
        content_type="application/ld+json",
        headers=headers,
    )


async def write_profile(
    request: web.Request, principal: Principal, kind: Kind, slug: str, body: Any
) -> tuple[ActorRecord, bool]:
    """Validate ``body`` as the editable profile ``slug`` and write it (the API's PUT and the admin forms):
    the record and whether it was created; an ``ApiError`` listing every problem (400 a bad slug, 422 the
    body, 403 another organisation's profile, 409 a conflict), nothing written."""
    config = request.app[CONFIG]
    existing = await request.app[STORE].get(slug)
    if existing is not None and not existing.deleted and existing.kind == kind:
        require_edit(principal, existing)
    slug_problems = _slug_problems(request, slug)
    organisations = {record.slug for record in await request.app[STORE].list("organisation")}

    def resolve_organisation(reference: str) -> str | None:
        parsed = parse_actor_iri(config.base_url, reference)
        candidate = parsed[1] if parsed and parsed[0] == "organisation" else reference
        return candidate if candidate in organisations else None

    try:
        fields, organisation = normalise_profile(
            kind,
            body,
            actor_iri=actor_iri(config.base_url, kind, slug),
            concepts=concept_index(),
            resolve_organisation=resolve_organisation,
        )
        body_problems: list[Problem] = []
    except ProfileInvalid as invalid:
        body_problems = invalid.problems
        fields, organisation = {}, None
    if slug_problems:
        raise ApiError(400, "validation_failed", slug_problems + body_problems)
    if body_problems:
        raise ApiError(422, "validation_failed", body_problems)
    if not principal.may_edit(kind, slug, organisation):
        raise ApiError(403, "not_your_profile", slug=slug)
    try:
        return await request.app[PROFILE_WRITES].put(kind, slug, fields, organisation)
    except Conflict as conflict:
        raise ApiError(409, conflict.code, **conflict.params) from conflict


@routes.delete(_COLLECTION + "/{slug}")
async def delete_profile(request: web.Request) -> web.Response:
    """Delete a profile: its URL answers 410 with a Tombstone from then on."""
    principal = await authorise(request)
    kind = _kind(request)
    slug = request.match_info["slug"]
    await remove_profile(request, principal, kind, slug)
    return json_response({"deleted": slug, "id": actor_iri(request.app[CONFIG].base_url, kind, slug)})


async def remove_profile(request: web.Request, principal: Principal, kind: Kind, slug: str) -> None:
    """Delete profile ``slug`` for ``principal`` (the API's DELETE and the admin forms): 404, 410, 403 or
    409 (an organisation with live projects) as an ``ApiError``."""
    require_edit(principal, await live_record(request, kind, slug))
    try:
        record = await request.app[PROFILE_WRITES].delete(kind, slug)
    except Conflict as conflict:
        raise ApiError(409, conflict.code, **conflict.params) from conflict
    if record is None:
        raise ApiError(404, "not_found")
