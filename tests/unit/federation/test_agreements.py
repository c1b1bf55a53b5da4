"""FEP-0837 agreements: the FEP's and Mitra's Offer/Accept/Reject read, ours built and read back, origins and
checks against the proposal and the offer, and random values refused only with ``ProposalRefused``."""

import copy
import dataclasses
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from federation.agreements import (
    AgreementAnswer,
    AgreementOffer,
    Commitment,
    build_accept,
    build_offer,
    build_reject,
    check_answer_against,
    check_offer_against,
    read_answer,
    read_offer,
)
from federation.proposals import ProposalRefused, Quantity, read_proposal

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fep0837"
NOW = "2026-12-02T10:00:00Z"
Document = dict[str, Any]


def _fixture(name: str) -> Document:
    document: Document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


def _refusal(read: Any, document: Any) -> ProposalRefused:
    with pytest.raises(ProposalRefused) as caught:
        read(document)
    return caught.value


# --- The FEP's exchange and Mitra's ---------------------------------------------------------------------------


def test_the_fep_offer_answers_the_fep_proposal() -> None:
    proposal = read_proposal(_fixture("fep-full.json"))
    offer = read_offer(_fixture("fep-offer.json"))
    assert offer.actor == "https://social.example/users/pau"
    assert offer.proposal == proposal.id
    assert offer.primary == Commitment(f"{proposal.id}#primary", Quantity("one", Decimal(1)))
    assert offer.reciprocal == Commitment(f"{proposal.id}#reciprocal", Quantity("one", Decimal(45)))
    check_offer_against(proposal, offer)


def test_the_fep_accept_finalises_the_offer() -> None:
    offer = read_offer(_fixture("fep-offer.json"))
    answer = read_answer(_fixture("fep-accept.json"))
    assert answer.accepted and answer.offer == offer.id
    assert answer.agreement == "https://bazaar.example/agreements/1c9d3e70"
    assert answer.primary is not None and answer.primary.id == f"{answer.agreement}#primary"
    check_answer_against(offer, answer, proposer="https://bazaar.example/users/mar")


def test_the_fep_reject_says_why() -> None:
    answer = read_answer(_fixture("fep-reject.json"))
    assert (answer.accepted, answer.content, answer.agreement) == (False, "Already sold", None)
    check_answer_against(read_offer(_fixture("fep-offer.json")), answer, proposer="https://bazaar.example/users/mar")


def test_mitras_exchange_is_read_and_checked() -> None:
    proposal = read_proposal(_fixture("mitra-subscription.json"))
    offer = read_offer(_fixture("mitra-offer.json"))
    check_offer_against(proposal, offer)  # unitBased: 50000 seconds at 40000 per second, both multiples
    answer = read_answer(_fixture("mitra-accept.json"))
    check_answer_against(offer, answer, proposer=proposal.actor)


# --- Ours, built and read back ------------------------------------------------------------------------------


def _our_offer(**changes: Any) -> Document:
    proposal = read_proposal(_fixture("dsi4bcn-call.json"))
    arguments: dict[str, Any] = {"published": NOW, "content": "<p>Tinc una Prusa.</p>"} | changes
    return build_offer("https://peer.example/offers/1", "https://peer.example/actors/ateneu", proposal, **arguments)


def test_our_offer_reads_back_and_fits_the_call() -> None:
    proposal = read_proposal(_fixture("dsi4bcn-call.json"))
    document = _our_offer(quantity=Quantity("one", Decimal(1)))
    assert document["to"] == [proposal.actor]
    assert document["object"]["stipulates"]["resourceQuantity"] == {"hasUnit": "one", "hasNumericalValue": "1"}
    offer = read_offer(document)
    assert offer == AgreementOffer(
        id="https://peer.example/offers/1",
        actor="https://peer.example/actors/ateneu",
        proposal=proposal.id,
        primary=Commitment(proposal.intent_id, Quantity("one", Decimal(1))),
        reciprocal=Commitment(f"{proposal.id}#reciprocal", Quantity("one", Decimal(1200))),
        content="<p>Tinc una Prusa.</p>",
        published=NOW,
    )
    check_offer_against(proposal, offer)  # no unitBased: any amount may be offered


def test_our_accept_and_reject_read_back() -> None:
    offer = read_offer(_our_offer())
    proposer = "https://node.example/actors/fem-barri"
    accept = build_accept(
        "https://node.example/activities/a1",
        proposer,
        offer,
        agreement_id="https://node.example/agreements/1",
        published=NOW,
    )
    answer = read_answer(accept)
    assert answer == AgreementAnswer(
        id="https://node.example/activities/a1",
        actor=proposer,
        accepted=True,
        offer=offer.id,
        agreement="https://node.example/agreements/1",
        primary=Commitment(
            offer.primary.satisfies, offer.primary.quantity, "https://node.example/agreements/1#primary"
        ),
        reciprocal=Commitment(
            f"{offer.proposal}#reciprocal",
            Quantity("one", Decimal(1200)),
            "https://node.example/agreements/1#reciprocal",
        ),
        published=NOW,
    )
    check_answer_against(offer, answer, proposer=proposer)
    reject = read_answer(
        build_reject("https://node.example/activities/r1", proposer, offer, published=NOW, content="Ple")
    )
    assert (reject.accepted, reject.content, reject.offer) == (False, "Ple", offer.id)


# --- Origins and shapes ---------------------------------------------------------------------------------------


def _changed(name: str, path: tuple[str, ...], value: Any) -> Document:
    document = _fixture(name)
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = copy.deepcopy(value)
    return document


_DROP = object()
OFFER_CASES: list[tuple[tuple[str, ...], Any, str]] = [
    (("type",), "Create", "agreement_type_invalid"),
    (("id",), "not an iri", "agreement_id_invalid"),
    (("actor",), "https://elsewhere.example/users/pau", "agreement_actor_origin"),
    (("actor",), None, "agreement_actor_invalid"),
    (("object",), "https://bazaar.example/agreements/1", "agreement_object_invalid"),
    (("object", "type"), "Commitment", "agreement_object_invalid"),
    (("object", "stipulates"), _DROP, "agreement_commitment_invalid"),
    (("object", "stipulates", "type"), "Intent", "agreement_commitment_invalid"),
    (("object", "stipulates", "satisfies"), "https://bazaar.example/proposals/9a41d7b3", "agreement_satisfies_invalid"),
    (("object", "stipulates", "satisfies"), 42, "agreement_satisfies_invalid"),
    (
        ("object", "stipulatesReciprocal", "satisfies"),
        "https://other.example/p#reciprocal",
        "agreement_satisfies_invalid",
    ),
    (("object", "stipulates", "resourceQuantity", "hasNumericalValue"), "-1", "proposal_quantity_negative"),
    (("content",), ["a", "b"], "proposal_value_multiple"),
    (("published",), "now", "proposal_datetime_invalid"),
]


@pytest.mark.parametrize(("path", "value", "code"), OFFER_CASES, ids=[f"{'.'.join(p)}" for p, _, _ in OFFER_CASES])
def test_an_offer_with_one_field_changed_is_refused(path: tuple[str, ...], value: Any, code: str) -> None:
    assert _refusal(read_offer, _changed("fep-offer.json", path, value)).code == code


ANSWER_CASES: list[tuple[tuple[str, ...], Any, str]] = [
    (("type",), "Offer", "agreement_type_invalid"),
    (("type",), ["Accept", "Reject"], "agreement_type_invalid"),
    (("actor",), "https://social.example/users/mar", "agreement_actor_origin"),
    (("object",), None, "agreement_object_invalid"),
    (("result",), _DROP, "agreement_object_invalid"),
    (("result", "id"), _DROP, "agreement_object_invalid"),
    (("result", "id"), "https://social.example/agreements/1", "agreement_result_origin"),
    (("result", "attributedTo"), "https://bazaar.example/users/someone", "agreement_result_attribution"),
    (("result", "stipulates", "id"), "not an iri", "agreement_commitment_invalid"),
]


@pytest.mark.parametrize(("path", "value", "code"), ANSWER_CASES, ids=[f"{'.'.join(p)}" for p, _, _ in ANSWER_CASES])
def test_an_accept_with_one_field_changed_is_refused(path: tuple[str, ...], value: Any, code: str) -> None:
    assert _refusal(read_answer, _changed("fep-accept.json", path, value)).code == code


def test_an_accept_may_name_the_offer_inline() -> None:
    offer = _fixture("fep-offer.json")
    answer = read_answer(_changed("fep-accept.json", ("object",), offer))
    assert answer.offer == offer["id"]


def test_a_reject_from_another_origin_is_refused() -> None:
    document = _changed("fep-reject.json", ("actor",), "https://social.example/users/pau")
    assert _refusal(read_answer, document).code == "agreement_actor_origin"


# --- Against the proposal and the offer -------------------------------------------------------------------------


def _offer_with(**changes: Any) -> AgreementOffer:
    offer = read_offer(_fixture("fep-offer.json"))
    return dataclasses.replace(offer, **changes)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"proposal": "https://bazaar.example/proposals/other"}, "agreement_not_this_proposal"),
        (
            {"primary": Commitment("https://bazaar.example/proposals/9a41d7b3#other", Quantity("one"))},
            "agreement_intent_mismatch",
        ),
        (
            {
                "primary": Commitment(
                    "https://bazaar.example/proposals/9a41d7b3#primary", Quantity("kilogram", Decimal(1))
                )
            },
            "agreement_unit_mismatch",
        ),
        (
            {"primary": Commitment("https://bazaar.example/proposals/9a41d7b3#primary", Quantity("one", Decimal(2)))},
            "agreement_amount_mismatch",  # unitBased false: the amount is the proposal's
        ),
        ({"reciprocal": None}, "agreement_reciprocal_missing"),
        (
            {
                "reciprocal": Commitment(
                    "https://bazaar.example/proposals/9a41d7b3#reciprocal", Quantity("one", Decimal(40))
                )
            },
            "agreement_amount_mismatch",
        ),
        (
            {
                "reciprocal": Commitment(
                    "https://bazaar.example/proposals/9a41d7b3#primary", Quantity("one", Decimal(45))
                )
            },
            "agreement_intent_mismatch",
        ),
    ],
)
def test_an_offer_that_does_not_fit_the_proposal_is_refused(changes: dict[str, Any], code: str) -> None:
    proposal = read_proposal(_fixture("fep-full.json"))
    with pytest.raises(ProposalRefused) as caught:
        check_offer_against(proposal, _offer_with(**changes))
    assert caught.value.code == code


def test_unit_based_proposals_take_multiples_only() -> None:
    proposal = read_proposal(_fixture("mitra-subscription.json"))
    offer = read_offer(_fixture("mitra-offer.json"))
    assert offer.reciprocal is not None
    odd = Commitment(offer.reciprocal.satisfies, Quantity("one", Decimal(50001)))
    with pytest.raises(ProposalRefused) as caught:
        check_offer_against(proposal, dataclasses.replace(offer, reciprocal=odd))
    assert caught.value.code == "agreement_amount_mismatch"


def test_a_reciprocal_the_proposal_does_not_ask_for_is_refused() -> None:
    proposal = read_proposal(_fixture("fep-minimal.json"))
    offer = AgreementOffer(
        "https://social.example/o/1",
        "https://social.example/users/pau",
        proposal.id,
        Commitment(proposal.intent_id, Quantity("one", Decimal(1))),
        Commitment(f"{proposal.id}#reciprocal", Quantity("one", Decimal(5))),
    )
    with pytest.raises(ProposalRefused) as caught:
        check_offer_against(proposal, offer)
    assert caught.value.code == "agreement_reciprocal_unexpected"


@pytest.mark.parametrize(
    ("path", "value", "proposer", "code"),
    [
        ((), None, "https://bazaar.example/users/other", "agreement_not_proposer"),
        (("object",), "https://social.example/objects/other/offer", None, "agreement_not_this_offer"),
        (("result", "stipulates", "resourceQuantity", "hasNumericalValue"), "2", None, "agreement_amount_mismatch"),
        (("result", "stipulatesReciprocal"), _DROP, None, "agreement_intent_mismatch"),
    ],
)
def test_an_answer_that_does_not_fit_the_offer_is_refused(
    path: tuple[str, ...], value: Any, proposer: str | None, code: str
) -> None:
    document = _changed("fep-accept.json", path, value) if path else _fixture("fep-accept.json")
    with pytest.raises(ProposalRefused) as caught:
        check_answer_against(
            read_offer(_fixture("fep-offer.json")),
            read_answer(document),
            proposer=proposer or "https://bazaar.example/users/mar",
        )
    assert caught.value.code == code


# --- Random values ------------------------------------------------------------------------------------------


def _random_value(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            7,
            -1.5,
            True,
            "",
            "x",
            "https://bazaar.example/p#primary",
            "https://social.example/u",
            [],
            [1, 2],
            {},
            {"id": 3},
        ]
    )


@pytest.mark.parametrize("name", ["fep-offer.json", "fep-accept.json", "mitra-accept.json", "fep-reject.json"])
def test_random_values_raise_nothing_but_proposal_refused(name: str) -> None:
    rng = random.Random(name)
    read = read_offer if "offer" in name else read_answer
    for _ in range(1000):
        document = _fixture(name)
        target = document
        for _ in range(rng.randint(0, 3)):
            inner = [value for value in target.values() if isinstance(value, dict)]
            target = rng.choice(inner) if inner else target
        key = rng.choice(sorted(target))
        target[key] = _random_value(rng)
        try:
            read(document)
        except ProposalRefused as refusal:
            assert refusal.code.startswith(("agreement_", "proposal_"))
