"""Answers to calls for collaboration as they arrive: offers to collaborate on this node's calls, and the
callers' answers to offers this node sent or to calls it holds (FEP-0837 ``Offer``, ``Accept``, ``Reject``).

An offer is kept only for a live, open call of this node, from the actor that signed it, satisfying the
call's intents in their units (``federation.agreements.check_offer_against``). An ``Accept`` or ``Reject`` is
applied only to a pending offer this node sent, and only from that call's author (a forged ``Accept`` from
anyone else changes nothing); an ``Accept`` by the author of a call this node aggregates is recorded as an
agreement the network made. A note in reply to one of this node's calls, from anyone, is kept for the caller
to approve. An agreement is kept as JSON-LD (``agreement_document``) in its own named graph:
who committed to provide and who is to receive, satisfying which intent, in what quantity.
"""

from collections.abc import Mapping
from typing import Any

from dsi4bcn.fediverse.noteintake import NoteRefused, checked_note
from dsi4bcn.profiles.calldocuments import parse_call_iri, render_call
from dsi4bcn.profiles.callvalidation import call_state
from dsi4bcn.storage.calloffers import Agreement, CallOffers, Offer
from dsi4bcn.storage.callreplies import CallReplies, Reply
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.receivedcalls import ReceivedCalls
from federation.activities import object_id
from federation.agreements import (
    AgreementAnswer,
    AgreementOffer,
    Commitment,
    check_answer_against,
    check_offer_against,
    read_answer,
    read_offer,
)
from federation.inbox import AgreementOffered, NoteDeleted, NoteReceived, OfferAnswered
from federation.proposals import read_proposal
from federation.valueflows import ProposalRefused, render_quantity
from vocab.contexts import proposal_context

__all__ = ["AnswerIntake", "agreement_document", "parties"]


def parties(purpose: str, proposer: str, offerer: str) -> tuple[str, str]:
    """``(provider, receiver)`` of an agreement on a call: a request's caller receives, an offer's provides."""
    return (offerer, proposer) if purpose == "request" else (proposer, offerer)


def _commitment(commitment: Commitment, identifier: str, provider: str, receiver: str) -> dict[str, Any]:
    return {
        "id": identifier,
        "type": "Commitment",
        "satisfies": commitment.satisfies,
        "provider": provider,
        "receiver": receiver,
        "resourceQuantity": render_quantity(commitment.quantity),
    }


def agreement_document(
    agreement_id: str, offer: AgreementOffer, *, proposer: str, purpose: str, accepted: str
) -> dict[str, Any]:
    """An agreement as this node keeps, shows and graphs it: the offer's commitments, finalised, with who
    provides and who receives (``vf:provider``, ``vf:receiver``), attributed to the caller."""
    provider, receiver = parties(purpose, proposer, offer.actor)
    document: dict[str, Any] = {
        "@context": proposal_context(),
        "id": agreement_id,
        "type": "Agreement",
        "attributedTo": proposer,
        "published": accepted,
        "stipulates": _commitment(offer.primary, f"{agreement_id}#primary", provider, receiver),
    }
    if offer.reciprocal is not None:
        # What is given in return flows the other way.
        reciprocal = _commitment(offer.reciprocal, f"{agreement_id}#reciprocal", receiver, provider)
        document["stipulatesReciprocal"] = reciprocal
    return document


def _offerer_of(activity: Mapping[str, Any], answer: AgreementAnswer, purpose: str) -> str | None:
    """Who answered the call, as the caller's ``Accept`` says (the commitment's provider or receiver)."""
    result = activity.get("result")
    stipulates = result.get("stipulates") if isinstance(result, Mapping) else None
    if not isinstance(stipulates, Mapping):
        return None
    other = stipulates.get("provider" if purpose == "request" else "receiver")
    return other if isinstance(other, str) and other != answer.actor else None


class AnswerIntake:
    """Carries out the inbox's offer and answer effects."""

    def __init__(
        self,
        base_url: str,
        language: str,
        calls: Calls,
        received: ReceivedCalls,
        offers: CallOffers,
        replies: CallReplies,
    ) -> None:
        self._base_url = base_url
        self._language = language
        self._calls = calls
        self._received = received
        self._offers = offers
        self._replies = replies

    async def replied(self, effect: NoteReceived) -> str | None:
        """Keep a note in reply to one of this node's live calls, from anyone, for the caller to approve;
        None if it replies to no such call (it may be a post of an aggregated profile)."""
        in_reply_to = object_id(effect.note.get("inReplyTo"))
        call_id = parse_call_iri(self._base_url, in_reply_to) if in_reply_to else None
        record = await self._calls.get(call_id) if call_id else None
        if record is None or record.deleted or in_reply_to is None:
            return None
        received = utc_now()
        try:
            note = checked_note(effect.note, author=effect.actor, received=received)
        except NoteRefused as refused:
            return f"refused: {refused}"
        return await self._replies.store(Reply(str(note["id"]), in_reply_to, effect.actor, note, "pending", received))

    async def unreplied(self, effect: NoteDeleted) -> bool:
        """Drop a reply its author deleted; whether one was held."""
        return await self._replies.delete(effect.object_id, effect.actor)

    async def offered(self, effect: AgreementOffered) -> str:
        """Keep an offer to collaborate on one of this node's open calls; the outcome as text."""
        try:
            offer = read_offer(effect.activity)
            if offer.actor != effect.actor:
                return "refused: the offer names another actor than the one who sent it"
            call_id = parse_call_iri(self._base_url, offer.proposal)
            record = await self._calls.get(call_id) if call_id else None
            if record is None or record.deleted:
                return "refused: an offer for a call that does not exist on this node"
            if call_state(record.fields, closed=record.closed, now=utc_now()) != "open":
                return "refused: an offer for a call that is not open"
            proposal = read_proposal(render_call(record, base_url=self._base_url, language=self._language))
            check_offer_against(proposal, offer)
        except ProposalRefused as refused:
            return f"refused: {refused}"
        stored = Offer(
            offer.id, proposal.id, proposal.actor, offer.actor, "received", effect.activity, "pending", utc_now(), None
        )
        return "offer stored" if await self._offers.add(stored) else "ignored: that offer is already held"

    async def answered(self, effect: OfferAnswered, source: str) -> str:
        """Apply a caller's ``Accept`` or ``Reject`` to an offer sent from here, or record the agreement made
        on a call held here; ``""`` if it is about neither (it may have answered a ``Follow``)."""
        try:
            answer = read_answer(effect.activity)
        except ProposalRefused as refused:
            return f"refused: {refused}" if isinstance(effect.activity.get("result"), Mapping) else ""
        offer = await self._offers.get(answer.offer, "sent")
        if offer is not None:
            return await self._settle(offer, answer, effect.activity)
        if answer.accepted and answer.agreement and answer.primary:
            return await self._observe(answer, effect.activity, source)
        return ""

    async def _settle(self, offer: Offer, answer: AgreementAnswer, activity: Mapping[str, Any]) -> str:
        try:
            sent = read_offer(offer.body)
            check_answer_against(sent, answer, proposer=offer.proposer)
        except ProposalRefused as refused:
            return f"refused: {refused}"
        agreement = None
        if answer.accepted and answer.agreement:
            purpose = await self._purpose(offer.call)
            document = agreement_document(
                answer.agreement, sent, proposer=offer.proposer, purpose=purpose, accepted=utc_now()
            )
            agreement = Agreement(
                answer.agreement, offer.call, offer.proposer, offer.offerer, offer.id, document, answer.actor, utc_now()
            )
        decided = await self._offers.decide(
            offer.id, "sent", accepted=answer.accepted, answer=activity, decided=utc_now(), agreement=agreement
        )
        if not decided:
            return "ignored: that offer was already answered"
        return "offer accepted: agreement stored" if answer.accepted else "offer rejected"

    async def _purpose(self, call: str) -> str:
        local = parse_call_iri(self._base_url, call)
        record = await self._calls.get(local) if local else None
        if record is not None and not record.deleted:
            return str(record.fields["purpose"])
        held = await self._received.get(call)
        purpose = held.document.get("purpose") if held else None
        return purpose if isinstance(purpose, str) else "request"

    async def _observe(self, answer: AgreementAnswer, activity: Mapping[str, Any], source: str) -> str:
        assert answer.agreement is not None and answer.primary is not None
        call = answer.primary.satisfies.partition("#")[0]
        held = await self._received.get(call)
        if held is None or held.author != answer.actor:
            return ""
        purpose = str(held.document.get("purpose", "request"))
        offerer = _offerer_of(activity, answer, purpose)
        if offerer is None:
            return "ignored: the agreement does not say who answered the call"
        offer = AgreementOffer(answer.offer, offerer, call, answer.primary, answer.reciprocal)
        document = agreement_document(
            answer.agreement, offer, proposer=answer.actor, purpose=purpose, accepted=utc_now()
        )
        agreement = Agreement(answer.agreement, call, answer.actor, offerer, answer.offer, document, source, utc_now())
        return "agreement stored" if await self._offers.observe(agreement) else "ignored: that agreement is known"
