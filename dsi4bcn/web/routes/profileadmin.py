"""The admin JSON API: create, read, replace and delete organisations and projects.

Every route needs ``Authorization: Bearer TOKEN``. A body is the editable profile (compact JSON-LD in the
dsi4bcn context); every problem in it is listed in one 4xx answer and nothing is written.
"""

import hmac
from typing import Any

from aiohttp import web

from dsi4bcn.fediverse.outbox import queue_profile_change
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.iris import actor_iri, parse_actor_iri, profile_page
from dsi4bcn.profiles.validation import Kind, Problem, ProfileInvalid, check_slug, editable_document, normalise_profile
from dsi4bcn.storage.database import Connection
from dsi4bcn.storage.graphstate import mark_unsynced
from dsi4bcn.storage.localactors import Conflict, WriteHook
from dsi4bcn.web.appkeys import ADMIN_TOKEN, CONFIG, FEDERATION, GRAPH, STORE
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from vocab.concepts import concept_index

__all__ = ["RESERVED_SLUGS", "routes"]

routes = web.RouteTableDef()
_BEARER = {"WWW-Authenticate": 'Bearer realm="dsi4bcn"'}
# Paths and names a profile must not take over.
RESERVED_SLUGS = frozenset({"actor", "admin", "api", "inbox", "ns", "static", "nodeinfo", "well-known"})


def authorise(request: web.Request) -> None:
    """Refuse (401, JSON) a request without ``Authorization: Bearer <the admin token>``.

    The token is compared as bytes in constant time. aiohttp decodes header bytes that are not UTF-8 as
    lone surrogates ("surrogateescape"); encoding them back gives the bytes received, so a header in
    Latin-1 or any other bytes is simply a wrong token, never an error.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    given = _token_bytes(token.strip())
    expected = _token_bytes(request.app[ADMIN_TOKEN])
    if scheme.lower() != "bearer" or given is None or expected is None or not hmac.compare_digest(given, expected):
        raise ApiError(401, "unauthorised", headers=_BEARER)


def _token_bytes(text: str) -> bytes | None:
    """``text`` as the bytes it was read from, or None if it holds characters no bytes decode to."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that surrogateescape did not make (U+D800 to U+DC7F)
        return None


def _slug_problems(request: web.Request, slug: str) -> list[Problem]:
    problem = check_slug(slug)
    if problem is not None:
        return [problem]
    if slug in RESERVED_SLUGS or slug == request.app[CONFIG].hostname:
        return [Problem("slug", "reserved_slug", {"value": slug})]
    return []


def _announce(request: web.Request) -> WriteHook:
    """Queue the ``Update`` (or ``Delete``) of a changed profile for its followers, in the write's transaction."""
    config = request.app[CONFIG]

    async def announce(connection: Connection, record: ActorRecord, created: bool) -> None:
        document = (
            {}
            if record.deleted
            else render_actor(record, base_url=config.base_url, authority=config.authority, language=config.language)
        )
        await queue_profile_change(
            connection, record=record, actor_document=document, base_url=config.base_url, created=created
        )
        await mark_unsynced(connection, [actor_iri(config.base_url, record.kind, record.slug)])

    return announce


def _kind(request: web.Request) -> Kind:
    return "organisation" if request.match_info["collection"] == "organisations" else "project"


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


async def live_record(request: web.Request) -> ActorRecord:
    """The live organisation or project the request's path names; 404 or 410 otherwise."""
    return await _live(request, _kind(request), request.match_info["slug"])


async def _live(request: web.Request, kind: Kind, slug: str) -> ActorRecord:
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
    authorise(request)
    kind = _kind(request)
    organisation = request.query.get("organisation") if kind == "project" else None
    records = await request.app[STORE].list(kind, organisation=organisation)
    return json_response([_summary(request, record) for record in records])


@routes.get(_COLLECTION + "/{slug}")
async def get_profile(request: web.Request) -> web.Response:
    """The editable profile, in exactly the shape PUT accepts."""
    authorise(request)
    record = await _live(request, _kind(request), request.match_info["slug"])
    return json_response(_editable(request, record), content_type="application/ld+json")


@routes.put(_COLLECTION + "/{slug}")
async def put_profile(request: web.Request) -> web.Response:
    """Create (201) or replace (200) a profile; 4xx listing every problem, nothing written."""
    authorise(request)
    kind = _kind(request)
    slug = request.match_info["slug"]
    config = request.app[CONFIG]
    body = await read_json_body(request)
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
    try:
        record, created = await request.app[STORE].put(kind, slug, fields, organisation, then=_announce(request))
    except Conflict as conflict:
        raise ApiError(409, conflict.code, **conflict.params) from conflict
    request.app[FEDERATION].deliverer.poke()
    request.app[GRAPH].sync.wake.set()
    headers = {"Location": actor_iri(config.base_url, kind, slug)} if created else None
    return json_response(
        _editable(request, record),
        status=201 if created else 200,
        content_type="application/ld+json",
        headers=headers,
    )


@routes.delete(_COLLECTION + "/{slug}")
async def delete_profile(request: web.Request) -> web.Response:
    """Delete a profile: its URL answers 410 with a Tombstone from then on."""
    authorise(request)
    kind = _kind(request)
    slug = request.match_info["slug"]
    await _live(request, kind, slug)
    try:
        record = await request.app[STORE].delete(kind, slug, then=_announce(request))
    except Conflict as conflict:
        raise ApiError(409, conflict.code, **conflict.params) from conflict
    request.app[FEDERATION].deliverer.poke()
    request.app[GRAPH].sync.wake.set()
    if record is None:
        raise ApiError(404, "not_found")
    return json_response({"deleted": slug, "id": actor_iri(request.app[CONFIG].base_url, kind, slug)})
