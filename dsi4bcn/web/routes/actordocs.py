"""Actor documents, negotiated: ActivityStreams JSON-LD, Turtle (the same graph) and an HTML page.

A deleted actor answers 410 with a ``Tombstone``. Every answer varies on Accept (and, for pages, on the
visitor's language), and rendered bodies are cached until the store changes.
"""

import asyncio
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from dsi4bcn.fediverse.remoteactors import KeyFetchesBusy
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import ACTOR_TYPES, render_actor, render_instance_actor
from dsi4bcn.profiles.iris import ACTOR_PATHS, actor_iri
from dsi4bcn.profiles.turtle import to_turtle
from dsi4bcn.profiles.validation import Kind
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.web.appkeys import BLOCKLIST, CONFIG, DATABASE, DIRECTORY, FOLLOWS, NOTES, RENDER_CACHE, STORE, TEMPLATES
from dsi4bcn.web.clientaddress import client_address
from dsi4bcn.web.http import ApiError, negotiate_or_406, page_number, request_language
from dsi4bcn.web.postview import post_page
from dsi4bcn.web.rendercache import Rendered
from dsi4bcn.web.routes.profilepages import live_record, profile_html
from dsi4bcn.web.templating import render_page
from federation.actors import ordered_collection
from federation.errors import SignatureError
from federation.httpsig import HttpRequest, parse_signature
from federation.media import ACTIVITY_JSON, HTML, JSON, LD_JSON_AS, TURTLE
from federation.verification import ResolvedKey, verify_signed_request
from vocab.contexts import AS_CONTEXT, published_context

__all__ = ["ACTOR_OFFERS", "routes"]

routes = web.RouteTableDef()
# The first offer wins when the client accepts anything (*/*): ActivityPub clients often send that.
ACTOR_OFFERS = [ACTIVITY_JSON, LD_JSON_AS, HTML, TURTLE, JSON]
_JSON_OFFERS = (ACTIVITY_JSON, LD_JSON_AS, JSON)


def _dumps(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _answer(body: bytes, media_type: str, *, status: int = 200, html: bool = False) -> web.Response:
    response = web.Response(body=body, status=status)
    response.headers["Content-Type"] = media_type + ("; charset=utf-8" if media_type in (HTML, TURTLE) else "")
    response.headers["Vary"] = "Accept, Accept-Language" if html else "Accept"
    if media_type != HTML:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _tombstone(record: ActorRecord, base_url: str) -> dict[str, Any]:
    return {
        "@context": AS_CONTEXT,
        "id": actor_iri(base_url, record.kind, record.slug),
        "type": "Tombstone",
        "formerType": ACTOR_TYPES[record.kind][0],
        "deleted": record.deleted,
    }


async def _render(request: web.Request, record: ActorRecord, media_type: str, language: str) -> bytes:
    config = request.app[CONFIG]
    if record.deleted:
        if media_type == HTML:
            return render_page(request.app[TEMPLATES], "gone.html", language)
        tombstone = _tombstone(record, config.base_url)
        if media_type == TURTLE:
            return (await asyncio.to_thread(to_turtle, tombstone)).encode("utf-8")
        return _dumps(tombstone)
    if media_type == HTML:
        return await profile_html(request, record, language)
    document = render_actor(record, base_url=config.base_url, authority=config.authority, language=config.language)
    if media_type == TURTLE:
        return (await asyncio.to_thread(to_turtle, document)).encode("utf-8")
    return _dumps(document)


async def _actor_response(request: web.Request, kind: Kind | None, slug: str) -> web.Response:
    media_type = negotiate_or_406(request, ACTOR_OFFERS)
    if media_type != HTML:
        await require_signature(request)
    language = request_language(request) if media_type == HTML else request.app[CONFIG].language
    # JSON offers share one rendering; only the Content-Type differs.
    shape = "json" if media_type in _JSON_OFFERS else media_type

    async def render() -> Rendered | None:
        record = await request.app[STORE].get(slug)
        if record is None or (kind is not None and record.kind != kind):
            return None
        body = await _render(request, record, media_type, language)
        return Rendered(410 if record.deleted else 200, body)

    store = request.app[STORE]
    # A page lists the latest posts and the agreements too, so it is rendered again after each new one.
    listed: tuple[int, int] | None = None
    if media_type == HTML:
        listed = (request.app[NOTES].generation, await CallOffers(request.app[DATABASE]).count_agreements())
    rendered = await request.app[RENDER_CACHE].get_or_render(
        store.generation, ("actor", kind, slug, shape, language, listed), render
    )
    if rendered is None:
        raise ApiError(404, "not_found")
    return _answer(rendered.body, media_type, status=rendered.status, html=media_type == HTML)


def _actor_route(kind: Kind) -> Any:
    async def handler(request: web.Request) -> web.Response:
        return await _actor_response(request, kind, request.match_info["slug"])

    handler.__doc__ = f"The {kind} actor, negotiated among {', '.join(ACTOR_OFFERS)}."
    return handler


for _kind, _path in ACTOR_PATHS.items():
    routes.get(f"/{_path}/{{slug}}")(_actor_route(_kind))


@routes.get("/@{slug}")
async def profile_page(request: web.Request) -> web.Response:
    """The human profile page (an actor's ``url``); ActivityPub clients get the actor here too."""
    return await _actor_response(request, None, request.match_info["slug"])


@routes.get("/actor")
async def instance_actor(request: web.Request) -> web.StreamResponse:
    """The node's Application actor; browsers are sent to the home page."""
    media_type = negotiate_or_406(request, ACTOR_OFFERS)
    if media_type == HTML:
        raise web.HTTPSeeOther("/")
    config = request.app[CONFIG]
    store = request.app[STORE]

    async def render() -> Rendered:
        document = render_instance_actor(
            await store.instance(),
            base_url=config.base_url,
            authority=config.authority,
            hostname=config.hostname,
            language=config.language,
        )
        if media_type == TURTLE:
            return Rendered(200, (await asyncio.to_thread(to_turtle, document)).encode("utf-8"))
        return Rendered(200, _dumps(document))

    shape = "json" if media_type in _JSON_OFFERS else media_type
    rendered = await request.app[RENDER_CACHE].get_or_render(store.generation, ("instance", shape), render)
    assert rendered is not None
    return _answer(rendered.body, media_type)


async def _live_actor(request: web.Request) -> tuple[str, str]:
    """``(slug, iri)`` of the live actor a collection path names (``''`` for the instance actor)."""
    config = request.app[CONFIG]
    if request.match_info.get("path") is None:
        return "", f"{config.base_url}/actor"
    record = await live_record(request)
    return record.slug, actor_iri(config.base_url, record.kind, record.slug)


_ACTOR_PREFIX = "/{path:organisations|projects}/{slug}"
PAGE_SIZE = 50


async def require_signature(request: web.Request) -> None:
    """Refuse (403) an ActivityPub GET signed with a key on a blocked domain, whose key is then never looked
    up; with authorized fetch on, also refuse (401) one that is not signed by a resolvable key."""
    config = request.app[CONFIG]
    if not config.authorized_fetch and "signature" not in request.headers and "signature-input" not in request.headers:
        return
    blocklist, directory = request.app[BLOCKLIST], request.app[DIRECTORY]
    signed = HttpRequest(request.method, config.base_url + request.raw_path, request.headers)

    def refuse_blocked(key_id: str) -> None:
        if blocklist.is_blocked_url(key_id):
            reason = f"the key {key_id} is on a domain blocked on this node"
            raise ApiError(403, "inbox_refused", reason=reason)

    async def resolve_key(key_id: str, *, refresh: bool) -> ResolvedKey | None:
        refuse_blocked(key_id)
        return await directory.key(key_id, refresh=refresh, requester=client_address(request))

    now = datetime.now(UTC)
    if not config.authorized_fetch:  # a signature is optional here: only its key's domain is checked
        try:
            key_id = parse_signature(signed, now=now).key_id
        except SignatureError:
            return
        refuse_blocked(key_id)
        return
    try:
        await verify_signed_request(signed, resolve_key=resolve_key, now=now)
    except SignatureError as error:
        raise ApiError(401, "inbox_refused", reason=f"this node requires signed requests: {error}") from error
    except KeyFetchesBusy as error:
        raise ApiError(503, "inbox_refused", headers={"Retry-After": "30"}, reason=str(error)) from error


async def _collection_items(request: web.Request, name: str, slug: str, offset: int) -> tuple[int, list[Any]]:
    follows, notes = request.app[FOLLOWS], request.app[NOTES]
    if name == "followers":
        total = await follows.count_followers(slug)
        items: list[Any] = [f.actor for f in await follows.followers(slug, limit=PAGE_SIZE, offset=offset)]
    elif name == "following":
        total = await follows.count_following(slug)
        items = [actor for actor, _ in await follows.following(slug, state="accepted", limit=PAGE_SIZE, offset=offset)]
    else:
        total = await notes.count_outbox(slug)
        items = list(await notes.outbox_page(slug, limit=PAGE_SIZE, offset=offset))
    return total, items


@routes.get(_ACTOR_PREFIX + "/{collection:outbox|followers|following}")
@routes.get("/actor/{collection:outbox|followers|following}")
async def collection(request: web.Request) -> web.Response:
    """Outbox, followers or following: an ``OrderedCollection`` with ``totalItems``, paged by ``?page=N``."""
    media_type = negotiate_or_406(request, [ACTIVITY_JSON, LD_JSON_AS, JSON])
    await require_signature(request)
    slug, iri = await _live_actor(request)
    name = request.match_info["collection"]
    collection_id = f"{iri}/{name}"
    page_text = request.query.get("page")
    if page_text is None:
        total, _ = await _collection_items(request, name, slug, 0)
        summary = ordered_collection(collection_id, total, published_context()[:1], first=f"{collection_id}?page=1")
        return _answer(_dumps(summary), media_type)
    page = page_number(page_text, 100_000)
    total, items = await _collection_items(request, name, slug, (page - 1) * PAGE_SIZE)
    document: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": f"{collection_id}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "totalItems": total,
        "orderedItems": items,
    }
    if page * PAGE_SIZE < total:
        document["next"] = f"{collection_id}?page={page + 1}"
    if page > 1:
        document["prev"] = f"{collection_id}?page={page - 1}"
    return _answer(_dumps(document), media_type)


PROFILES_PAGE_SIZE = 100


@routes.get("/actor/profiles")
async def profiles_collection(request: web.Request) -> web.Response:
    """Every organisation and project of the node with its ``updated`` time (tombstones for deleted ones),
    for peers that backfill and resync (``?page=N``, 100 a page). Actors that do not want to be indexed
    (``indexable: false``) are listed as tombstones, so that aggregators erase them."""
    media_type = negotiate_or_406(request, [ACTIVITY_JSON, LD_JSON_AS, JSON])
    await require_signature(request)
    config = request.app[CONFIG]
    collection_id = f"{config.base_url}/actor/profiles"
    records = await request.app[STORE].all_records()
    if "page" not in request.query:
        summary = ordered_collection(
            collection_id, len(records), published_context()[:1], first=f"{collection_id}?page=1"
        )
        return _answer(_dumps(summary), media_type)
    page_text = request.query["page"]
    page = page_number(page_text, 1_000_000)
    chunk = records[(page - 1) * PROFILES_PAGE_SIZE : page * PROFILES_PAGE_SIZE]
    items = []
    for record in chunk:
        iri = actor_iri(config.base_url, record.kind, record.slug)
        if record.deleted or record.fields.get("indexable") is False:
            items.append({"id": iri, "type": "Tombstone", "deleted": record.deleted or record.updated})
        else:
            items.append({"id": iri, "type": ACTOR_TYPES[record.kind][0], "updated": record.updated})
    document: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": f"{collection_id}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "totalItems": len(records),
        "orderedItems": items,
    }
    if page * PROFILES_PAGE_SIZE < len(records):
        document["next"] = f"{collection_id}?page={page + 1}"
    return _answer(_dumps(document), media_type)


@routes.get(_ACTOR_PREFIX + "/{kind:notes|activities}/{id}")
async def published_object(request: web.Request) -> web.Response:
    """An update post (``Note``) or a public activity an actor sent, at its id (Accepts are not served);
    a browser gets it as a page."""
    media_type = negotiate_or_406(request, [ACTIVITY_JSON, LD_JSON_AS, JSON, HTML])
    if media_type != HTML:
        await require_signature(request)
    slug, iri = await _live_actor(request)
    object_id = f"{iri}/{request.match_info['kind']}/{request.match_info['id']}"
    notes = request.app[NOTES]
    found: tuple[str, Mapping[str, Any]] | None
    if request.match_info["kind"] == "notes":
        note = await notes.note(object_id)
        if note is not None and note[2] is not None:  # a deleted post: gone, as its Tombstone says
            if media_type == HTML:
                page = render_page(request.app[TEMPLATES], "gone.html", request_language(request))
                return _answer(page, HTML, status=410, html=True)
            tombstone = {"@context": AS_CONTEXT, "id": object_id, "type": "Tombstone", "formerType": "Note"}
            return _answer(_dumps({**tombstone, "deleted": note[2]}), media_type, status=410)
        found = note[:2] if note is not None else None
    else:
        found = await notes.public_activity(object_id)
    if found is None:
        raise ApiError(404, "not_found")
    if media_type == HTML:
        return await post_page(request, slug, request.match_info["kind"], found[1])
    return _answer(_dumps(dict(found[1])), media_type)
