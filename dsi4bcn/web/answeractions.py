"""Answering calls for collaboration, shared by the admin API (``routes/answersadmin``) and the admin pages:
offer to collaborate on a call of another node, and, as a caller, accept or reject an offer.

An offer is an FEP-0837 ``Offer`` of an ``Agreement`` sent to the call's author; accepting it sends an
``Accept`` with the finalised agreement to the offerer, to the caller's followers and to the peer nodes (so
that the agreement reaches every aggregator), and keeps the agreement in its own graph; rejecting sends a
``Reject`` to the offerer alone. Each is queued with the change in one transaction, wakes the deliverer and
the graph sync, and is recorded in the audit log; a refusal is an ``ApiError``.
"""

import uuid
from typing import Any

from aiohttp import web

from dsi4bcn.fediverse.answerintake import agreement_document, parties
from dsi4bcn.fediverse.outbox import new_id
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import CallRecord, call_iri, parse_call_iri, plain_paragraphs, render_call
from dsi4bcn.profiles.iris import actor_iri, instance_actor_iri, parse_actor_iri
from dsi4bcn.storage.calloffers import Agreement, CallOffers, Offer, Outgoing
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.appkeys import (
    ACCOUNTS,
    ANSWER_INTAKE,
    CALLS,
    CONFIG,
    DATABASE,
    DELIVERER,
    DIRECTORY,
    FOLLOWS,
    GRAPH_SYNC,
    RECEIVED_CALLS,
)
from dsi4bcn.web.callactions import editable_call
from dsi4bcn.web.http import ApiError
from dsi4bcn.web.principal import Principal
from federation.activities import PUBLIC
from federation.agreements import AgreementOffer, build_accept, build_offer, build_reject, read_offer
from federation.errors import ActivityError, FetchError
from federation.inbox import AgreementOffered, OfferAnswered
from federation.proposals import Proposal, read_proposal

__all__ = ["answer_offer", "offer_json", "send_offer"]

_MESSAGE_LIMIT = 5000


def offer_json(offer: Offer) -> dict[str, Any]:
    """An offer as the API answers it."""
    item: dict[str, Any] = {
        "id": offer.id,
        "call": offer.call,
        "proposer": offer.proposer,
        "offerer": offer.offerer,
        "direction": offer.direction,
        "state": offer.state,
        "created": offer.created,
    }
    content = offer.body.get("content")
    if isinstance(content, str):
        item["content"] = content
    if offer.decided:
        item["decided"] = offer.decided
    return item


def _message(body: Any) -> str | None:
    text = body.get("content") if isinstance(body, dict) else None
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > _MESSAGE_LIMIT:
        raise ApiError(422, "offer_message_invalid", limit=_MESSAGE_LIMIT)
    return plain_paragraphs(text) or None


def _is_local(app: web.Application, actor: str) -> bool:
    return parse_actor_iri(app[CONFIG].base_url, actor) is not None


async def _open_proposal(app: web.Application, call: str) -> Proposal:
    """The proposal of an open call this node holds (its own or a peer's): 404 if none, 409 if it ended."""
    base_url = app[CONFIG].base_url
    local = parse_call_iri(base_url, call)
    if local is not None:
        record = await app[CALLS].get(local)
        if record is None or record.deleted:
            raise ApiError(404, "no_such_call", call=call[:300])
        if record.state(utc_now()) != "open":
            raise ApiError(409, "call_not_open", call=call[:300])
        return read_proposal(render_call(record, base_url=base_url, language=app[CONFIG].language))
    held = await app[RECEIVED_CALLS].get(call)
    if held is None:
        raise ApiError(404, "no_such_call", call=call[:300])
    if held.ends is not None and held.ends <= utc_now():
        raise ApiError(409, "call_not_open", call=call[:300])
    return read_proposal(held.document)


async def _inbox(app: web.Application, actor: str) -> str:
    try:
        return (await app[DIRECTORY].actor(actor)).inbox
    except (FetchError, ActivityError) as error:
        raise ApiError(502, "actor_unreachable", actor=actor) from error


async def send_offer(app: web.Application, principal: Principal, author: ActorRecord, body: Any) -> Offer:
    """Offer to collaborate, as ``author``, on the call ``body["call"]`` (of another node, or of this one):
    404 for a call this node does not hold, 409 for one that is not open, 422 for a bad body or one's own
    call."""
    if not principal.may_edit(author.kind, author.slug, author.organisation):
        raise ApiError(403, "not_your_profile", slug=author.slug)
    call = body.get("call") if isinstance(body, dict) else None
    if not isinstance(call, str):
        raise ApiError(422, "offer_call_missing")
    proposal = await _open_proposal(app, call)
    actor = actor_iri(app[CONFIG].base_url, author.kind, author.slug)
    if actor == proposal.actor:
        raise ApiError(422, "offer_own_call")
    activity = build_offer(new_id(actor, "offers"), actor, proposal, published=utc_now(), content=_message(body))
    offer = Offer(activity["id"], call, proposal.actor, actor, "sent", activity, "pending", utc_now(), None)
    if _is_local(app, proposal.actor):  # a call of this node: the caller's side takes the offer at once
        outcome = await app[ANSWER_INTAKE].offered(AgreementOffered(actor, activity))
        if outcome != "offer stored":
            raise ApiError(409, "call_not_open", call=call[:300])
        await CallOffers(app[DATABASE]).add(offer)
    else:
        outgoing = Outgoing(author.slug, activity, [await _inbox(app, proposal.actor)])
        await CallOffers(app[DATABASE]).add(offer, outgoing)
    app[DELIVERER].poke()
    await app[ACCOUNTS].record(principal.name, "offer_sent", offer.id, call)
    return offer


async def _pending_offer(app: web.Application, iri: str, body: Any) -> Offer:
    offer_id = body.get("offer") if isinstance(body, dict) else None
    offer = await CallOffers(app[DATABASE]).get(offer_id, "received") if isinstance(offer_id, str) else None
    if offer is None or offer.call != iri:
        raise ApiError(404, "no_such_offer")
    if offer.state != "pending":
        raise ApiError(409, "offer_answered", state=offer.state)
    return offer


async def _acceptance(
    app: web.Application, record: CallRecord, sent: AgreementOffer, offerer_inbox: str, now: str
) -> tuple[Agreement, Outgoing]:
    """The agreement an acceptance makes, and its ``Accept`` for the offerer, followers and peers."""
    base_url = app[CONFIG].base_url
    iri = call_iri(base_url, record.id)
    proposer = actor_iri(base_url, record.kind, record.author)
    agreement_id = f"{iri}/agreements/{uuid.uuid4()}"
    activity = build_accept(new_id(proposer), proposer, sent, agreement_id=agreement_id, published=now)
    purpose = str(record.fields["purpose"])
    provider, receiver = parties(purpose, proposer, sent.actor)
    activity["result"]["stipulates"] |= {"provider": provider, "receiver": receiver}
    activity["cc"] = [PUBLIC, f"{proposer}/followers"]
    document = agreement_document(agreement_id, sent, proposer=proposer, purpose=purpose, accepted=now)
    source = instance_actor_iri(base_url)
    agreement = Agreement(agreement_id, iri, proposer, sent.actor, sent.id, document, source, now)
    follows = app[FOLLOWS]
    audience = await follows.follower_inboxes(record.author) + await follows.follower_inboxes("")
    inboxes = [inbox for inbox in dict.fromkeys([offerer_inbox, *audience]) if inbox]
    return agreement, Outgoing(record.author, activity, inboxes, public=True)


async def answer_offer(
    app: web.Application, principal: Principal, call_id: str, body: Any, *, accept: bool
) -> tuple[Offer, str | None]:
    """Accept or reject, as the caller, a pending offer on call ``call_id``: the offer and the agreement's
    id (None for a rejection); 404 for no such offer on that call, 409 if it was already answered."""
    record = await editable_call(app, principal, call_id)
    iri = call_iri(app[CONFIG].base_url, call_id)
    offer = await _pending_offer(app, iri, body)
    sent = read_offer(offer.body)
    now = utc_now()
    offerer_inbox = "" if _is_local(app, sent.actor) else await _inbox(app, sent.actor)
    agreement: Agreement | None = None
    if accept:
        agreement, outgoing = await _acceptance(app, record, sent, offerer_inbox, now)
    else:
        proposer = actor_iri(app[CONFIG].base_url, record.kind, record.author)
        reject = build_reject(new_id(proposer), proposer, sent, published=now, content=_message(body))
        outgoing = Outgoing(record.author, reject, [offerer_inbox] if offerer_inbox else [])
    offers = CallOffers(app[DATABASE])
    decided = await offers.decide(
        offer.id,
        "received",
        accepted=accept,
        answer=outgoing.activity,
        decided=now,
        agreement=agreement,
        outgoing=outgoing,
    )
    if not decided:
        raise ApiError(409, "offer_answered", state="answered")
    app[DELIVERER].poke()
    app[GRAPH_SYNC].poke()
    await app[ACCOUNTS].record(principal.name, "offer_accepted" if accept else "offer_rejected", offer.id, iri)
    if _is_local(app, sent.actor):  # the offerer is on this node: its copy of the offer is settled here
        await app[ANSWER_INTAKE].answered(OfferAnswered(outgoing.activity["actor"], outgoing.activity, accept), "")
    answered = await offers.get(offer.id, "received")
    assert answered is not None
    return answered, agreement.id if agreement else None
