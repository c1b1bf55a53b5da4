"""Admin API for federation: update posts, follow requests, following, blocked domains.

Same rules as the profile API: bearer token, bounded JSON bodies, every problem listed, nothing written
on error.
"""

from typing import Any

from aiohttp import web

from dsi4bcn.fediverse.blocklist import normalise_domain
from dsi4bcn.fediverse.outbox import MAX_POST_LENGTH
from dsi4bcn.i18n import Phrase
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.profiles.validation import Problem
from dsi4bcn.web.appkeys import (
    BLOCKLIST,
    CONFIG,
    DELIVERER,
    DIRECTORY,
    DOMAIN_BLOCKS,
    FOLLOWS,
    PUBLISHER,
)
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.postactions import answer_follow_request, delete_post, publish_post
from dsi4bcn.web.principal import authorise_admin
from dsi4bcn.web.routes.profileadmin import editable_record, editable_record_by
from federation.errors import ActivityError, FetchError

__all__ = ["routes"]

routes = web.RouteTableDef()
_ACTOR = "/api/{collection:organisations|projects}/{slug}"


def _text(body: dict[str, Any], name: str, problems: list[Problem], required: bool) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            problems.append(Problem(name, "required", {"field": name}))
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(name, "wrong_type", {"field": name, "expected": "non-empty text"}))
        return None
    if len(value) > MAX_POST_LENGTH:
        problems.append(Problem(name, "too_long", {"field": name, "limit": MAX_POST_LENGTH}))
        return None
    return value


@routes.post(_ACTOR + "/notes")
async def post_note(request: web.Request) -> web.Response:
    """Publish an update post (``Create{Note}``) to the actor's followers; 201 with the activity."""
    principal, record = await editable_record_by(request)
    body = await read_json_body(request)
    if not isinstance(body, dict):
        raise ApiError(422, "validation_failed", [Problem("", "not_object")])
    problems: list[Problem] = [
        Problem(str(key), "unknown_field", {"field": str(key)[:80]})
        for key in body
        if key not in ("content", "contentMap")
    ]
    content = _text(body, "content", problems, required="contentMap" not in body)
    content_map: dict[str, str] = {}
    raw_map = body.get("contentMap")
    if raw_map is not None:
        if not isinstance(raw_map, dict) or not raw_map:
            problems.append(Problem("contentMap", "wrong_type", {"field": "contentMap", "expected": '{"ca": "…"}'}))
        else:
            for language in raw_map:
                checked = _text(raw_map, language, problems, required=True)
                if checked is not None:
                    content_map[language] = checked
    if problems:
        raise ApiError(422, "validation_failed", problems)
    if content is None:
        content = content_map.get(request.app[CONFIG].language) or next(iter(content_map.values()))
    create = await publish_post(request.app, record, principal.name, content, content_map or None)
    return json_response(
        create, status=201, content_type="application/activity+json", headers={"Location": create["object"]["id"]}
    )


@routes.delete(_ACTOR + "/notes/{id}")
async def delete_note(request: web.Request) -> web.Response:
    """Delete an update post: its id answers 410 from now on and a ``Delete`` goes where its ``Create``
    went (followers and peer nodes); 200 with the activity, 404 if the actor has no such live post."""
    principal, record = await editable_record_by(request)
    delete = await delete_post(request.app, record, principal.name, request.match_info["id"])
    return json_response(delete, content_type="application/activity+json")


@routes.get(_ACTOR + "/follow-requests")
async def follow_requests(request: web.Request) -> web.Response:
    """Follows waiting for approval (for actors that approve followers by hand)."""
    record = await editable_record(request)
    pending = await request.app[FOLLOWS].followers(record.slug, accepted=False)
    return json_response([{"actor": f.actor, "follow": f.follow, "created": f.created} for f in pending])


async def _answer_request(request: web.Request, accept: bool) -> web.Response:
    principal, record = await editable_record_by(request)
    body = await read_json_body(request)
    actor = body.get("actor") if isinstance(body, dict) else None
    if not isinstance(actor, str):
        raise ApiError(422, "validation_failed", [Problem("actor", "required", {"field": "actor"})])
    await answer_follow_request(request.app, record, principal.name, actor, accept)
    return json_response({"actor": actor, "accepted": accept})


@routes.post(_ACTOR + "/follow-requests/accept")
async def accept_request(request: web.Request) -> web.Response:
    """Accept a pending follow: the follower gets an ``Accept``."""
    return await _answer_request(request, True)


@routes.post(_ACTOR + "/follow-requests/reject")
async def reject_request(request: web.Request) -> web.Response:
    """Reject a pending follow: the follower gets a ``Reject``."""
    return await _answer_request(request, False)


@routes.post(_ACTOR + "/following")
async def follow_remote(request: web.Request) -> web.Response:
    """Follow a remote actor (by its URL): the node fetches it and sends a ``Follow``."""
    record = await editable_record(request)
    body = await read_json_body(request)
    target = body.get("target") if isinstance(body, dict) else None
    if not isinstance(target, str) or not target.startswith(("https://", "http://")):
        raise ApiError(422, "validation_failed", [Problem("target", "bad_url", {"field": "target"})])
    if request.app[BLOCKLIST].is_blocked_url(target):
        raise ApiError(403, "inbox_refused", reason=f"{target} is on a domain blocked on this node")
    try:
        remote = await request.app[DIRECTORY].fetch_actor(target)
    except (FetchError, ActivityError) as error:
        raise ApiError(502, "inbox_refused", reason=str(error)) from error
    local = actor_iri(request.app[CONFIG].base_url, record.kind, record.slug)
    follow = await request.app[PUBLISHER].follow(record.slug, local, remote.id, remote.inbox)
    request.app[DELIVERER].poke()
    return json_response(follow, status=202, content_type="application/activity+json")


@routes.get(_ACTOR + "/following")
async def list_following(request: web.Request) -> web.Response:
    """Whom the actor follows or asked to follow, with the state of each."""
    record: ActorRecord = await editable_record(request)
    rows = await request.app[FOLLOWS].following(record.slug)
    return json_response([{"actor": actor, "state": state} for actor, state in rows])


@routes.get("/api/blocked-domains")
async def blocked_domains(request: web.Request) -> web.Response:
    """Every blocked domain."""
    await authorise_admin(request)
    rows = await request.app[BLOCKLIST].rows()
    return json_response([{"domain": d, "reason": r, "created": c} for d, r, c in rows])


def _domain(request: web.Request) -> str:
    domain = normalise_domain(request.match_info["domain"])
    if domain is None:
        raise ApiError(400, "validation_failed", [Problem("domain", "bad_url", {"field": "domain"})])
    return domain


@routes.put("/api/blocked-domains/{domain}")
async def block_domain(request: web.Request) -> web.Response:
    """Block a domain and its subdomains: their requests get 403, nothing more is delivered to them, and
    their follows (both ways), queued deliveries, cached actors and aggregated profiles are purged; the
    answer counts what went."""
    await authorise_admin(request)
    domain = _domain(request)
    reason = ""
    if request.can_read_body:
        body = await read_json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("reason", ""), str):
            raise ApiError(
                422,
                "validation_failed",
                [Problem("reason", "wrong_type", {"field": "reason", "expected": Phrase("text")})],
            )
        reason = str(body.get("reason", ""))[:500]
    purge = await request.app[DOMAIN_BLOCKS].block(domain, reason)
    return json_response(
        {"domain": domain, "reason": reason, "purged": purge.as_json()}, status=201 if purge.new else 200
    )


@routes.delete("/api/blocked-domains/{domain}")
async def unblock_domain(request: web.Request) -> web.Response:
    """Unblock a domain: its peers are followed and resynced again (their profiles come back); follows of
    and by its accounts are not restored."""
    await authorise_admin(request)
    domain = _domain(request)
    found, resumed = await request.app[DOMAIN_BLOCKS].unblock(domain)
    if not found:
        raise ApiError(404, "not_found")
    return json_response({"unblocked": domain, "peersResumed": resumed})
