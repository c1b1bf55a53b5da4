"""Answers to calls for collaboration: FEP-0837 ``Offer(Agreement)``, ``Accept`` and ``Reject``, built and read.

FEP-0837, "Responding to a proposal":
https://codeberg.org/fediverse/fep/src/branch/main/fep/0837/fep-0837.md#responding-to-a-proposal.
An interested party sends the proposal's author an ``Offer`` whose object is an ``Agreement`` that
``stipulates`` a ``Commitment`` satisfying the proposal's primary intent (and ``stipulatesReciprocal`` one
satisfying its reciprocal intent, if it has one). The author answers ``Accept`` (``object``: the offer's id,
``result``: the finalised agreement, with an id) or ``Reject`` (``object``: the offer's id, an optional
``content`` saying why).

Readers check shape and origins (FEP-fe34): the actor is on the activity id's origin, and an accepted
agreement is on the accepting actor's origin and attributed to it. ``check_offer_against`` and
``check_answer_against`` check an activity against the proposal or offer it answers. Builders write
quantities as decimal strings, as the FEP's examples do and as Mitra's deserialiser requires (its
``Quantity.has_numerical_value`` is a ``String``). Builders take ids, actors and the publication time as
arguments. Pure: no I/O, no clock.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from federation.hosts import same_origin
from federation.proposals import MAX_CONTENT_LENGTH, Proposal
from federation.valueflows import (
    VF,
    ProposalRefused,
    Quantity,
    check_document,
    read_datetime,
    read_http_iri,
    read_quantity,
    read_text,
    read_types,
    render_quantity,
    single,
)
from vocab.contexts import proposal_context

__all__ = [
    "AgreementAnswer",
    "AgreementOffer",
    "Commitment",
    "build_accept",
    "build_offer",
    "build_reject",
    "check_answer_against",
    "check_offer_against",
    "read_answer",
    "read_offer",
]

_AGREEMENT_TYPES = frozenset({"Agreement", VF + "Agreement"})
_COMMITMENT_TYPES = frozenset({"Commitment", VF + "Commitment"})


@dataclass(frozen=True)
class Commitment:
    """A promised economic transaction: the intent IRI it satisfies and how much (an id once finalised)."""

    satisfies: str
    quantity: Quantity
    id: str | None = None


@dataclass(frozen=True)
class AgreementOffer:
    """A received ``Offer(Agreement)``: who offers, the proposal answered (the intents' IRI without its
    fragment), the commitments and an optional message (raw HTML)."""

    id: str
    actor: str
    proposal: str
    primary: Commitment
    reciprocal: Commitment | None = None
    content: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class AgreementAnswer:
    """A received ``Accept`` (``accepted``; ``agreement`` is the finalised agreement's id, with its
    commitments) or ``Reject`` (an optional ``content`` saying why) of the offer ``offer``."""

    id: str
    actor: str
    accepted: bool
    offer: str
    agreement: str | None = None
    primary: Commitment | None = None
    reciprocal: Commitment | None = None
    content: str | None = None
    published: str | None = None


def _render_commitment(commitment: Commitment) -> dict[str, Any]:
    rendered: dict[str, Any] = {"type": "Commitment"}
    if commitment.id is not None:
        rendered["id"] = commitment.id
    rendered["satisfies"] = commitment.satisfies
    rendered["resourceQuantity"] = render_quantity(commitment.quantity)
    return rendered


def _render_agreement(primary: Commitment, reciprocal: Commitment | None) -> dict[str, Any]:
    agreement: dict[str, Any] = {"type": "Agreement", "stipulates": _render_commitment(primary)}
    if reciprocal is not None:
        agreement["stipulatesReciprocal"] = _render_commitment(reciprocal)
    return agreement


def _activity(kind: str, activity_id: str, actor: str, published: str, to: str) -> dict[str, Any]:
    context = proposal_context()
    return {"@context": context, "id": activity_id, "type": kind, "actor": actor, "published": published, "to": [to]}


def build_offer(
    offer_id: str,
    actor: str,
    proposal: Proposal,
    *,
    published: str,
    quantity: Quantity | None = None,
    reciprocal_quantity: Quantity | None = None,
    content: str | None = None,
) -> dict[str, Any]:
    """``Offer(Agreement)`` from ``actor`` to the author of ``proposal``: commitments satisfying its intents,
    with its own quantities unless others are given, and an optional message."""
    primary = Commitment(proposal.intent_id, quantity or proposal.quantity)
    reciprocal = None
    if proposal.reciprocal is not None:
        reciprocal = Commitment(proposal.reciprocal.id, reciprocal_quantity or proposal.reciprocal.quantity)
    activity = _activity("Offer", offer_id, actor, published, proposal.actor)
    activity["object"] = _render_agreement(primary, reciprocal)
    if content is not None:
        activity["content"] = content
    return activity


def build_accept(
    accept_id: str, actor: str, offer: AgreementOffer, *, agreement_id: str, published: str
) -> dict[str, Any]:
    """``Accept`` of ``offer`` by ``actor`` (the proposal's author), with the finalised agreement
    ``agreement_id`` as its result: the offer's commitments, given ids ``#primary`` and ``#reciprocal``."""
    primary = Commitment(offer.primary.satisfies, offer.primary.quantity, f"{agreement_id}#primary")
    reciprocal = None
    if offer.reciprocal is not None:
        reciprocal = Commitment(offer.reciprocal.satisfies, offer.reciprocal.quantity, f"{agreement_id}#reciprocal")
    activity = _activity("Accept", accept_id, actor, published, offer.actor)
    activity["object"] = offer.id
    activity["result"] = {"id": agreement_id, "attributedTo": actor} | _render_agreement(primary, reciprocal)
    return activity


def build_reject(
    reject_id: str, actor: str, offer: AgreementOffer, *, published: str, content: str | None = None
) -> dict[str, Any]:
    """``Reject`` of ``offer`` by ``actor`` (the proposal's author), with an optional reason."""
    activity = _activity("Reject", reject_id, actor, published, offer.actor)
    activity["object"] = offer.id
    if content is not None:
        activity["content"] = content
    return activity


def _read_activity(activity: Mapping[str, Any], kinds: frozenset[str]) -> tuple[str, str, str]:
    """The type (one of ``kinds``), id and actor of an activity whose actor is on its id's origin."""
    activity = check_document(activity, "agreement")
    declared = read_types(activity.get("type"), "type") & kinds
    if len(declared) != 1:
        raise ProposalRefused("agreement_type_invalid", field=" or ".join(sorted(kinds)))
    activity_id = read_http_iri(activity.get("id"), "id", "agreement_id_invalid")
    actor = read_http_iri(activity.get("actor"), "actor", "agreement_actor_invalid")
    if not same_origin(actor, activity_id):
        raise ProposalRefused("agreement_actor_origin")
    return declared.pop(), activity_id, actor


def _read_commitment(value: Any, field: str) -> Commitment | None:
    commitment = single(value, field, "agreement_commitment_invalid")
    if commitment is None:
        return None
    if not isinstance(commitment, Mapping) or not read_types(commitment.get("type"), field) & _COMMITMENT_TYPES:
        raise ProposalRefused("agreement_commitment_invalid", field=field)
    satisfies = read_http_iri(commitment.get("satisfies"), f"{field}.satisfies", "agreement_satisfies_invalid")
    if not satisfies.partition("#")[2]:
        raise ProposalRefused("agreement_satisfies_invalid", field=f"{field}.satisfies")
    quantity = read_quantity(commitment.get("resourceQuantity"), f"{field}.resourceQuantity")
    identifier = commitment.get("id")
    if identifier is not None:
        identifier = read_http_iri(identifier, f"{field}.id", "agreement_commitment_invalid")
    return Commitment(satisfies, quantity, identifier)


def _read_agreement(value: Any, field: str) -> tuple[Mapping[str, Any], Commitment, Commitment | None]:
    agreement = single(value, field, "agreement_object_invalid")
    if not isinstance(agreement, Mapping) or not read_types(agreement.get("type"), field) & _AGREEMENT_TYPES:
        raise ProposalRefused("agreement_object_invalid", field=field)
    primary = _read_commitment(agreement.get("stipulates"), "stipulates")
    if primary is None:
        raise ProposalRefused("agreement_commitment_invalid", field="stipulates")
    reciprocal = _read_commitment(agreement.get("stipulatesReciprocal"), "stipulatesReciprocal")
    if reciprocal is not None and reciprocal.satisfies.partition("#")[0] != primary.satisfies.partition("#")[0]:
        raise ProposalRefused("agreement_satisfies_invalid", field="stipulatesReciprocal.satisfies")
    return agreement, primary, reciprocal


def _published(activity: Mapping[str, Any]) -> str | None:
    published = read_datetime(activity.get("published"), "published")
    return published[0] if published else None


def read_offer(activity: Mapping[str, Any]) -> AgreementOffer:
    """Read a received ``Offer(Agreement)``; raise ``ProposalRefused`` (``agreement_*`` and value codes)."""
    _kind, offer_id, actor = _read_activity(activity, frozenset({"Offer"}))
    _agreement, primary, reciprocal = _read_agreement(activity.get("object"), "object")
    return AgreementOffer(
        id=offer_id,
        actor=actor,
        proposal=primary.satisfies.partition("#")[0],
        primary=primary,
        reciprocal=reciprocal,
        content=read_text(activity.get("content"), "content", MAX_CONTENT_LENGTH),
        published=_published(activity),
    )


def read_answer(activity: Mapping[str, Any]) -> AgreementAnswer:
    """Read a received ``Accept`` or ``Reject`` of an offer; an ``Accept`` must carry the finalised agreement
    (with an id on the actor's origin, attributed to the actor if it says by whom)."""
    kind, answer_id, actor = _read_activity(activity, frozenset({"Accept", "Reject"}))
    offer = read_http_iri(activity.get("object"), "object", "agreement_object_invalid")
    content = read_text(activity.get("content"), "content", MAX_CONTENT_LENGTH)
    if kind == "Reject":
        return AgreementAnswer(answer_id, actor, False, offer, content=content, published=_published(activity))
    agreement, primary, reciprocal = _read_agreement(activity.get("result"), "result")
    agreement_id = read_http_iri(agreement.get("id"), "result.id", "agreement_object_invalid")
    if not same_origin(agreement_id, actor):
        raise ProposalRefused("agreement_result_origin")
    author = agreement.get("attributedTo")
    if author is not None and read_http_iri(author, "result.attributedTo", "agreement_result_attribution") != actor:
        raise ProposalRefused("agreement_result_attribution")
    return AgreementAnswer(
        answer_id, actor, True, offer, agreement_id, primary, reciprocal, content, _published(activity)
    )


def _check_amount(wanted: Quantity, given: Quantity, unit_based: bool | None, field: str) -> None:
    if given.unit != wanted.unit:
        raise ProposalRefused("agreement_unit_mismatch", field=field)
    if unit_based is None or wanted.value is None:
        return  # FEP-0837 (2024): without unitBased, any amount may be offered
    if given.value is None:
        raise ProposalRefused("agreement_amount_mismatch", field=field)
    if unit_based:
        multiple = wanted.value > 0 and given.value > 0 and given.value % wanted.value == Decimal(0)
        if not multiple:
            raise ProposalRefused("agreement_amount_mismatch", field=field)
    elif given.value != wanted.value:
        raise ProposalRefused("agreement_amount_mismatch", field=field)


def check_offer_against(proposal: Proposal, offer: AgreementOffer) -> None:
    """Raise ``ProposalRefused`` unless ``offer`` answers ``proposal``: its commitments satisfy the proposal's
    intents, in their units, and in amounts ``unitBased`` allows (equal if false, multiples if true)."""
    if offer.proposal != proposal.id:
        raise ProposalRefused("agreement_not_this_proposal")
    if offer.primary.satisfies != proposal.intent_id:
        raise ProposalRefused("agreement_intent_mismatch", field="stipulates")
    _check_amount(proposal.quantity, offer.primary.quantity, proposal.unit_based, "stipulates")
    if proposal.reciprocal is None:
        if offer.reciprocal is not None:
            raise ProposalRefused("agreement_reciprocal_unexpected")
        return
    if offer.reciprocal is None:
        raise ProposalRefused("agreement_reciprocal_missing")
    if offer.reciprocal.satisfies != proposal.reciprocal.id:
        raise ProposalRefused("agreement_intent_mismatch", field="stipulatesReciprocal")
    field = "stipulatesReciprocal"
    _check_amount(proposal.reciprocal.quantity, offer.reciprocal.quantity, proposal.unit_based, field)


def check_answer_against(offer: AgreementOffer, answer: AgreementAnswer, *, proposer: str) -> None:
    """Raise ``ProposalRefused`` unless ``answer`` comes from ``proposer`` (the proposal's author) about
    ``offer`` and, if it accepts, finalises the offer's commitments with the offer's quantities."""
    if answer.actor != proposer:
        raise ProposalRefused("agreement_not_proposer")
    if answer.offer != offer.id:
        raise ProposalRefused("agreement_not_this_offer")
    if not answer.accepted:
        return
    pairs = (
        ("stipulates", offer.primary, answer.primary),
        ("stipulatesReciprocal", offer.reciprocal, answer.reciprocal),
    )
    for field, offered, finalised in pairs:
        if (offered is None) != (finalised is None):
            raise ProposalRefused("agreement_intent_mismatch", field=field)
        if offered is not None and finalised is not None:
            if offered.satisfies != finalised.satisfies:
                raise ProposalRefused("agreement_intent_mismatch", field=field)
            if offered.quantity != finalised.quantity:
                raise ProposalRefused("agreement_amount_mismatch", field=field)
