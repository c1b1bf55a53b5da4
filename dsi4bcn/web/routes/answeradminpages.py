"""A profile's answers to calls, as an admin page for a signed-in person who may manage it.

``/admin/{organisations|projects}/{slug}/answers`` lists the open calls of the network the profile could
answer (``web.callcandidates``), each with a form to offer to collaborate; the offers received on the
profile's calls, each pending one with accept and reject buttons; the replies its calls received, to show
on the call's page or hide; the offers it sent and their state; and the agreements it made. Each change is
the admin API's own (``web.answeractions``: the same activities, the same audit log entries); every form is
checked for its CSRF token before anything else.
"""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup

from dsi4bcn.fediverse.outbox import sanitise_html
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import call_iri, parse_call_iri
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.storage.calloffers import CallOffers, Offer
from dsi4bcn.storage.callreplies import CallReplies
from dsi4bcn.web.actorlabels import actor_label, agreements_of, call_label
from dsi4bcn.web.adminview import admin_page, checked_form, principal_of, signed_or_redirect
from dsi4bcn.web.answeractions import answer_offer, send_offer
from dsi4bcn.web.appkeys import ACCOUNTS, CALLS, CONFIG, DATABASE
from dsi4bcn.web.callcandidates import calls_to_answer
from dsi4bcn.web.http import ApiError, request_language
from dsi4bcn.web.managedprofiles import managed_profile, profile_head
from dsi4bcn.web.routes.signin import redirect

__all__ = ["routes"]

routes = web.RouteTableDef()
_PROFILE = "/admin/{collection:organisations|projects}/{slug}"
_SHOWN_CALLS = 10


def _answers_path(record: ActorRecord, language: str, done: str = "") -> str:
    query = {"lang": language, **({"done": done} if done else {})}
    return f"/admin/{record.kind}s/{record.slug}/answers?{urlencode(query)}"


async def _offer_view(app: web.Application, offer: Offer, language: str, other: str) -> dict[str, Any]:
    content = offer.body.get("content")
    return {
        "id": offer.id,
        "call": await call_label(app, offer.call, language),
        "call_id": parse_call_iri(app[CONFIG].base_url, offer.call) or "",
        "other": await actor_label(app, other, language),
        "state": offer.state,
        "message": content if isinstance(content, str) else "",
        "date": offer.created[:10],
    }


async def _received(
    app: web.Application, record: ActorRecord, language: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Offers and replies received on the profile's calls, newest call first."""
    offers, replies = CallOffers(app[DATABASE]), CallReplies(app[DATABASE])
    base_url = app[CONFIG].base_url
    found, replied = [], []
    for call in await app[CALLS].of_author(record.slug):
        iri = f"{base_url}/calls/{call.id}"
        for offer in await offers.of_call(iri):
            found.append(await _offer_view(app, offer, language, offer.offerer))
        for reply in await replies.of_call(iri):
            replied.append(
                {
                    "id": reply.id,
                    "call": await call_label(app, iri, language),
                    "call_id": call.id,
                    "author": await actor_label(app, reply.author, language),
                    "content": Markup(sanitise_html(str(reply.note.get("content", "")))),  # noqa: S704 - sanitised
                    "state": reply.state,
                    "date": reply.received[:10],
                }
            )
    return found, replied


@routes.get(_PROFILE + "/answers")
async def answers(request: web.Request) -> web.Response:
    """Calls the profile could answer, offers received and sent, agreements."""
    signed = await signed_or_redirect(request)
    record = await managed_profile(request, signed)
    app, language = request.app, request_language(request)
    iri = actor_iri(app[CONFIG].base_url, record.kind, record.slug)
    received, replies = await _received(app, record, language)
    sent = [
        await _offer_view(app, offer, language, offer.proposer)
        for offer in await CallOffers(app[DATABASE]).sent_by(iri)
    ]
    context: dict[str, Any] = {
        **profile_head(request, record, "answers"),
        "to_answer": await calls_to_answer(app, iri, language, limit=_SHOWN_CALLS),
        "received": received,
        "replies": replies,
        "sent": sent,
        "agreements": await agreements_of(app, iri, language),
    }
    return admin_page(request, signed, "admin_answers.html", **context)


@routes.post(_PROFILE + "/offers")
async def offer(request: web.Request) -> web.Response:
    """Offer to collaborate on a call of the network, with a message."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    record = await managed_profile(request, signed)
    body = {"call": str(form.get("call", "")), "content": str(form.get("content", "")).strip() or None}
    await send_offer(request.app, principal_of(signed), record, {k: v for k, v in body.items() if v is not None})
    return redirect(_answers_path(record, request_language(request), "offer_sent"))


@routes.post(_PROFILE + "/offers/{answer:accept|reject}")
async def answer(request: web.Request) -> web.Response:
    """Accept or reject an offer received on one of the profile's calls."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    record = await managed_profile(request, signed)
    call_id = str(form.get("call", ""))
    if not call_id:
        raise ApiError(404, "no_such_offer")
    accept = request.match_info["answer"] == "accept"
    await answer_offer(request.app, principal_of(signed), call_id, {"offer": str(form.get("offer", ""))}, accept=accept)
    return redirect(_answers_path(record, request_language(request), "offer_accepted" if accept else "offer_rejected"))


@routes.post(_PROFILE + "/replies/{decision:approve|hide}")
async def decide_reply(request: web.Request) -> web.Response:
    """Show a reply to one of the profile's calls on the call's page, or hide it."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    record = await managed_profile(request, signed)
    call = await request.app[CALLS].get(str(form.get("call", "")))
    if call is None or call.author != record.slug:
        raise ApiError(404, "no_such_reply")
    state = "approved" if request.match_info["decision"] == "approve" else "hidden"
    iri = call_iri(request.app[CONFIG].base_url, call.id)
    reply = str(form.get("reply", ""))
    if not await CallReplies(request.app[DATABASE]).decide(iri, reply, state):
        raise ApiError(404, "no_such_reply")
    await request.app[ACCOUNTS].record(principal_of(signed).name, f"reply_{state}", reply, iri)
    return redirect(_answers_path(record, request_language(request), f"reply_{state}"))
