"""A profile's answers to calls, as an admin page for a signed-in person who may manage it.

``/admin/{organisations|projects}/{slug}/answers`` lists the open calls of the network the profile could
answer (``web.callcandidates``), each with a form to offer to collaborate; the offers received on the
profile's calls, each pending one with accept and reject buttons; the offers it sent and their state; and
the agreements it made. Each change is the admin API's own (``web.answeractions``: the same activities, the
same audit log entries); every form is checked for its CSRF token before anything else.
"""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import parse_call_iri
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.storage.calloffers import CallOffers, Offer
from dsi4bcn.web.actorlabels import actor_label, agreements_of, call_label
from dsi4bcn.web.adminview import admin_page, checked_form, principal_of, signed_or_redirect
from dsi4bcn.web.answeractions import answer_offer, send_offer
from dsi4bcn.web.appkeys import CALLS, CONFIG, DATABASE
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


async def _received(app: web.Application, record: ActorRecord, language: str) -> list[dict[str, Any]]:
    """Offers received on the profile's calls, newest call first."""
    offers = CallOffers(app[DATABASE])
    base_url = app[CONFIG].base_url
    found = []
    for call in await app[CALLS].of_author(record.slug):
        for offer in await offers.of_call(f"{base_url}/calls/{call.id}"):
            found.append(await _offer_view(app, offer, language, offer.offerer))
    return found


@routes.get(_PROFILE + "/answers")
async def answers(request: web.Request) -> web.Response:
    """Calls the profile could answer, offers received and sent, agreements."""
    signed = await signed_or_redirect(request)
    record = await managed_profile(request, signed)
    app, language = request.app, request_language(request)
    iri = actor_iri(app[CONFIG].base_url, record.kind, record.slug)
    sent = [
        await _offer_view(app, offer, language, offer.proposer)
        for offer in await CallOffers(app[DATABASE]).sent_by(iri)
    ]
    context: dict[str, Any] = {
        **profile_head(request, record, "answers"),
        "to_answer": await calls_to_answer(app, iri, language, limit=_SHOWN_CALLS),
        "received": await _received(app, record, language),
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
