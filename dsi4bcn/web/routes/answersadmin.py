"""The admin JSON API of answers to calls for collaboration (docs/calls.md, "Answers"): offer to collaborate
on another node's call, list a call's offers, accept or reject one, list what a profile sent; list the
replies to a call and approve or hide them.

Every route needs ``Authorization: Bearer TOKEN``; an editor acts for their organisation and its projects.
The changes themselves are ``web.answeractions``.
"""

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from dsi4bcn.profiles.calldocuments import call_iri
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.storage.callreplies import CallReplies, Reply
from dsi4bcn.web.answeractions import answer_offer, offer_json, send_offer
from dsi4bcn.web.appkeys import ACCOUNTS, CONFIG, DATABASE, MATCHER
from dsi4bcn.web.callactions import editable_call
from dsi4bcn.web.http import ApiError, json_response, page_number, read_json_body, request_language
from dsi4bcn.web.principal import authorise
from dsi4bcn.web.routes.profileadmin import editable_record_by

__all__ = ["routes"]

routes = web.RouteTableDef()
_PROFILE = "/api/{collection:organisations|projects}/{slug}"


@routes.post(_PROFILE + "/offers")
async def post_offer(request: web.Request) -> web.Response:
    """Offer to collaborate on a call this node aggregates: ``{"call": IRI, "content": text}``; 201."""
    principal, author = await editable_record_by(request)
    offer = await send_offer(request.app, principal, author, await read_json_body(request))
    return json_response(offer_json(offer), status=201)


@routes.get(_PROFILE + "/offers")
async def list_sent(request: web.Request) -> web.Response:
    """The offers the profile sent, newest first, with their state (pending, accepted, rejected)."""
    _principal, author = await editable_record_by(request)
    actor = actor_iri(request.app[CONFIG].base_url, author.kind, author.slug)
    return json_response([offer_json(offer) for offer in await CallOffers(request.app[DATABASE]).sent_by(actor)])


@routes.get("/api/calls/{call}/offers")
async def list_received(request: web.Request) -> web.Response:
    """The offers received for one of the caller's calls, oldest first."""
    principal = await authorise(request)
    record = await editable_call(request.app, principal, request.match_info["call"])
    iri = call_iri(request.app[CONFIG].base_url, record.id)
    return json_response([offer_json(offer) for offer in await CallOffers(request.app[DATABASE]).of_call(iri)])


@routes.post("/api/calls/{call}/offers/{answer:accept|reject}")
async def post_answer(request: web.Request) -> web.Response:
    """Accept (the agreement is made and announced) or reject an offer: ``{"offer": id, "content"?}``."""
    principal = await authorise(request)
    accept = request.match_info["answer"] == "accept"
    body = await read_json_body(request)
    offer, agreement = await answer_offer(request.app, principal, request.match_info["call"], body, accept=accept)
    answer = offer_json(offer)
    if agreement:
        answer["agreement"] = agreement
    return json_response(answer)


def _reply_json(reply: Reply) -> dict[str, Any]:
    return {
        "id": reply.id,
        "author": reply.author,
        "state": reply.state,
        "received": reply.received,
        "content": reply.note.get("content", ""),
    }


@routes.get("/api/calls/{call}/replies")
async def list_replies(request: web.Request) -> web.Response:
    """The replies to one of the caller's calls, pending, approved and hidden, oldest first."""
    principal = await authorise(request)
    record = await editable_call(request.app, principal, request.match_info["call"])
    iri = call_iri(request.app[CONFIG].base_url, record.id)
    return json_response([_reply_json(reply) for reply in await CallReplies(request.app[DATABASE]).of_call(iri)])


@routes.post("/api/calls/{call}/replies/{decision:approve|hide}")
async def post_reply_decision(request: web.Request) -> web.Response:
    """Approve a reply (it is then shown on the call's page) or hide it: ``{"reply": id}``."""
    principal = await authorise(request)
    record = await editable_call(request.app, principal, request.match_info["call"])
    body = await read_json_body(request)
    reply = body.get("reply") if isinstance(body, dict) else None
    state = "approved" if request.match_info["decision"] == "approve" else "hidden"
    iri = call_iri(request.app[CONFIG].base_url, record.id)
    if not isinstance(reply, str) or not await CallReplies(request.app[DATABASE]).decide(iri, reply, state):
        raise ApiError(404, "no_such_reply")
    await request.app[ACCOUNTS].record(principal.name, f"reply_{state}", reply, iri)
    return json_response({"id": reply, "state": state})


@routes.get(_PROFILE + "/calls-to-answer")
async def list_to_answer(request: web.Request) -> web.Response:
    """The open calls of the network the profile could answer, best first, each with its reasons
    (``?limit=``, 1-50, default 10); 503 while the matching index loads."""
    _principal, author = await editable_record_by(request)
    matcher = request.app[MATCHER]
    if not matcher.ready.is_set():
        raise ApiError(503, "match_loading", headers={"Retry-After": "5"})
    limit = page_number(request.query.get("limit", "10"), 50)
    actor = actor_iri(request.app[CONFIG].base_url, author.kind, author.slug)
    found = await matcher.calls_for_profile(
        actor, limit=limit, now=datetime.now(UTC), language=request_language(request)
    )
    return json_response(found or [])
