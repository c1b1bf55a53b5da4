"""FEP-0837 proposals: every fixture read, the canonical form round-trips and conforms to the shapes, each
refusal triggered by one changed field, and random values never raise anything but ``ProposalRefused``."""

import copy
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from federation.activities import PUBLIC
from federation.proposals import (
    MAX_CONCEPTS,
    MAX_CONTENT_LENGTH,
    MAX_DEPTH,
    MAX_TITLE_LENGTH,
    Proposal,
    ProposalRefused,
    Quantity,
    Reciprocal,
    read_proposal,
    render_proposal,
)
from vocab.contexts import proposal_context
from vocab.fastld import document_triples
from vocab.fastshapes import validate_triples

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "fep0837"
PROPOSALS = ["dsi4bcn-call.json", "fep-minimal.json", "fep-full.json", "mitra-subscription.json"]
SKILL = "https://w3id.org/dsi4bcn/skill/"
CALL = "https://node.example/calls/3d-printing-fair"
Document = dict[str, Any]


def _fixture(name: str) -> Document:
    document: Document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


def _call(**changes: Any) -> Document:
    document = _fixture("dsi4bcn-call.json")
    document.update(changes)
    return document


def _intent(**changes: Any) -> Document:
    intent: Document = copy.deepcopy(_call()["publishes"])
    intent.update(changes)
    return intent


def _refusal(document: Any) -> ProposalRefused:
    with pytest.raises(ProposalRefused) as caught:
        read_proposal(document)
    return caught.value


# --- Each form found in the wild ----------------------------------------------------------------------------


def test_our_call_is_read_with_compact_iris_expanded() -> None:
    proposal = read_proposal(_call())
    assert proposal.id == CALL
    assert proposal.actor == "https://node.example/actors/fem-barri"
    assert proposal.purpose == "request"
    assert proposal.concepts == (SKILL + "3d-printing", SKILL + "laser-cutting")
    assert proposal.action == "deliverService"
    assert proposal.quantity == Quantity("one", Decimal(2))
    assert proposal.reciprocal == Reciprocal(
        f"{CALL}#reciprocal", "transfer", Quantity("one", Decimal(1200)), "http://www.wikidata.org/entity/Q4916"
    )
    assert proposal.names["es"] == "Voluntarias de impresión 3D para la feria"
    assert "" not in proposal.names  # the plain name repeats the Catalan title
    assert proposal.based_in == "https://w3id.org/dsi4bcn/neighbourhood/8"
    assert (proposal.latitude, proposal.longitude, proposal.place_name) == (41.38, 2.17, "Ateneu del barri")
    assert proposal.deadline == "2026-12-10T12:00:00+01:00"
    assert proposal.to == (PUBLIC,)


def test_the_fep_minimal_example_is_read() -> None:
    proposal = read_proposal(_fixture("fep-minimal.json"))
    assert (proposal.purpose, proposal.action, proposal.concepts) == ("offer", "transfer", ())
    assert proposal.quantity == Quantity("one", Decimal(1))
    assert proposal.names == {} and proposal.reciprocal is None and proposal.unit_based is None
    assert proposal.to == (PUBLIC,)


def test_the_fep_full_example_is_read() -> None:
    proposal = read_proposal(_fixture("fep-full.json"))
    assert proposal.names == {"": "Sewing machine, lightly used"}
    assert proposal.contents == {"": "Works well; the pedal squeaks a little."}
    assert proposal.concepts == ("https://www.wikidata.org/wiki/Q49013",)
    assert proposal.reciprocal is not None and proposal.reciprocal.quantity == Quantity("one", Decimal(45))
    assert proposal.unit_based is False
    assert proposal.published == "2026-03-04T08:15:42.123456Z"
    assert (proposal.latitude, proposal.longitude) == (41.3874, 2.1686)


def test_mitras_subscription_is_read_with_its_asset_iri() -> None:
    proposal = read_proposal(_fixture("mitra-subscription.json"))
    assert proposal.quantity == Quantity("second", Decimal(1))
    assert proposal.reciprocal is not None
    assert proposal.reciprocal.conforms_to == "caip:19:monero:418015bb9ae982a1975da7d79277c270/slip44:128"
    assert proposal.reciprocal.quantity == Quantity("one", Decimal(40000))
    assert proposal.unit_based is True


def test_mitras_2023_form_without_purpose_is_refused() -> None:
    assert _refusal(_fixture("mitra-2023-without-purpose.json")).code == "proposal_purpose_invalid"


@pytest.mark.parametrize("name", PROPOSALS)
def test_rendering_round_trips(name: str) -> None:
    proposal = read_proposal(_fixture(name))
    rendered = render_proposal(proposal, context=proposal_context())
    assert read_proposal(rendered) == proposal
    assert read_proposal(json.loads(json.dumps(rendered))) == proposal


@pytest.mark.parametrize("name", PROPOSALS)
def test_the_canonical_form_has_our_shape(name: str) -> None:
    rendered = render_proposal(read_proposal(_fixture(name)), context=proposal_context())
    assert rendered["type"] == ["Proposal", "Note"]
    assert rendered["@context"] == proposal_context()
    triples, _fast = document_triples(rendered)
    result = validate_triples(triples)
    names_missing = "name" not in rendered  # dsish:Proposal wants a title; the FEP only recommends one
    assert result.conforms or names_missing, result.violations
    if names_missing:
        assert {violation.message for violation in result.violations} == {"a call has a title"}


def test_a_hand_made_proposal_round_trips() -> None:
    proposal = Proposal(
        id="https://a.example/c/1",
        actor="https://a.example/u/x",
        purpose="offer",
        intent_id="https://a.example/c/1#primary",
        action="work",
        quantity=Quantity("hour", Decimal("2.5")),
        names={"": "untagged", "ca": "Títol"},
        contents={"en": "<p>Body</p>"},
        unit_based=True,
        place_name="Somewhere",
        url="https://a.example/c/1.html",
        cc=("https://a.example/u/x/followers",),
    )
    assert read_proposal(render_proposal(proposal, context=proposal_context())) == proposal


# --- Each refusal, from one changed field -------------------------------------------------------------------

ONE_FIELD: list[tuple[str, Any, str]] = [
    ("id", None, "proposal_id_invalid"),
    ("id", 42, "proposal_id_invalid"),
    ("id", "urn:uuid:1", "proposal_id_invalid"),
    ("id", [CALL, CALL + "2"], "proposal_id_invalid"),
    ("type", "Note", "proposal_type_invalid"),
    ("type", [], "proposal_value_invalid"),
    ("type", [["Proposal"]], "proposal_value_invalid"),
    ("purpose", "gift", "proposal_purpose_invalid"),
    ("purpose", ["offer", "request"], "proposal_purpose_invalid"),
    ("purpose", None, "proposal_purpose_invalid"),
    ("attributedTo", None, "proposal_actor_invalid"),
    ("attributedTo", "https://elsewhere.example/actors/fem-barri", "proposal_actor_origin"),
    ("attributedTo", "http://node.example/actors/fem-barri", "proposal_actor_origin"),
    ("attributedTo", ["https://node.example/a", "https://node.example/b"], "proposal_actor_invalid"),
    ("publishes", None, "proposal_intent_missing"),
    ("publishes", [], "proposal_intent_missing"),
    ("publishes", [_intent(), _intent(id=f"{CALL}#second")], "proposal_intent_multiple"),
    ("publishes", f"{CALL}#primary", "proposal_intent_invalid"),
    ("publishes", _intent(type="Commitment"), "proposal_intent_invalid"),
    ("publishes", _intent(action="give"), "proposal_intent_invalid"),
    ("publishes", _intent(id=None), "proposal_intent_invalid"),
    ("publishes", _intent(id="https://elsewhere.example/calls/x#primary"), "proposal_intent_origin"),
    ("publishes", _intent(resourceQuantity=None), "proposal_quantity_invalid"),
    ("publishes", _intent(resourceQuantity={"hasNumericalValue": 2}), "proposal_quantity_invalid"),
    ("publishes", _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": -1}), "proposal_quantity_negative"),
    (
        "publishes",
        _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": "-3"}),
        "proposal_quantity_negative",
    ),
    (
        "publishes",
        _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": "two"}),
        "proposal_quantity_invalid",
    ),
    (
        "publishes",
        _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": "1e3"}),
        "proposal_quantity_invalid",
    ),
    ("publishes", _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": True}), "proposal_quantity_invalid"),
    (
        "publishes",
        _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": 10**16}),
        "proposal_quantity_invalid",
    ),
    (
        "publishes",
        _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": "0.1234567891"}),
        "proposal_quantity_invalid",
    ),
    (
        "publishes",
        _intent(resourceQuantity={"hasUnit": "one two", "hasNumericalValue": 1}),
        "proposal_quantity_invalid",
    ),
    (
        "publishes",
        _intent(resourceConformsTo=[f"skill:s{n}" for n in range(MAX_CONCEPTS + 1)]),
        "proposal_concepts_too_many",
    ),
    ("publishes", _intent(resourceConformsTo=["3d printing"]), "proposal_iri_invalid"),
    ("publishes", _intent(resourceConformsTo=[{"@value": "x"}]), "proposal_iri_invalid"),
    ("reciprocal", [_intent(id=f"{CALL}#r1"), _intent(id=f"{CALL}#r2")], "proposal_intent_multiple"),
    ("reciprocal", _intent(action=None), "proposal_intent_invalid"),
    ("reciprocal", _intent(resourceConformsTo=["a b"]), "proposal_iri_invalid"),
    ("hasBeginning", "tomorrow", "proposal_datetime_invalid"),
    ("hasBeginning", "2026-12-01T09:00:00", "proposal_datetime_invalid"),
    ("hasBeginning", "2026-12-16T09:00:00Z", "proposal_ends_before_beginning"),
    ("hasEnd", "2026-02-30T00:00:00Z", "proposal_datetime_invalid"),
    ("hasEnd", "2026-12-15T24:00:00Z", "proposal_datetime_invalid"),
    ("hasEnd", "2026-12-15T20:00:00+15:00", "proposal_datetime_invalid"),
    ("deadline", ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"], "proposal_value_multiple"),
    ("published", "yesterday", "proposal_datetime_invalid"),
    ("updated", "２０２６-11-30T11:00:00Z", "proposal_datetime_invalid"),
    ("basedIn", "not an iri", "proposal_iri_invalid"),
    ("nameMap", {"ca": "x" * (MAX_TITLE_LENGTH + 1)}, "proposal_text_too_long"),
    ("nameMap", {"not a tag": "x"}, "proposal_text_invalid"),
    ("nameMap", ["x"], "proposal_text_invalid"),
    ("nameMap", {"ca": 42}, "proposal_text_invalid"),
    ("name", "\ud800", "proposal_text_invalid"),
    ("contentMap", {"ca": "x" * (MAX_CONTENT_LENGTH + 1)}, "proposal_text_too_long"),
    ("location", {"type": "Place", "latitude": 95, "longitude": 2}, "proposal_location_invalid"),
    ("location", {"type": "Place", "latitude": 41}, "proposal_location_invalid"),
    ("location", {"type": "Place", "latitude": "41", "longitude": 2}, "proposal_location_invalid"),
    ("location", [{"type": "Place", "latitude": 41, "longitude": 2}] * 2, "proposal_location_invalid"),
    ("location", {"type": "Person"}, "proposal_location_invalid"),
    ("unitBased", "yes", "proposal_value_invalid"),
    ("to", [f"https://node.example/u/{n}" for n in range(101)], "proposal_value_invalid"),
    ("to", [42], "proposal_iri_invalid"),
    ("url", "ftp://node.example/x", "proposal_iri_invalid"),
    ("@context", [42], "proposal_context_invalid"),
    ("@graph", [], "proposal_keyword_forbidden"),
]


@pytest.mark.parametrize(("key", "value", "code"), ONE_FIELD, ids=[f"{k}={v!r}"[:60] for k, v, _ in ONE_FIELD])
def test_one_changed_field_is_refused_with_its_code(key: str, value: Any, code: str) -> None:
    refusal = _refusal(_call(**{key: copy.deepcopy(value)}))
    assert refusal.code == code
    assert str(refusal) and "{" not in str(refusal)  # an English reason with its parameters filled in


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert _refusal([_call()]).code == "proposal_not_object"


def test_nesting_past_the_bound_is_refused() -> None:
    nested: Any = "x"
    for _ in range(MAX_DEPTH):
        nested = [nested]
    assert _refusal(_call(tag=nested)).code == "proposal_too_deep"


def test_reasons_name_the_field_and_the_bound() -> None:
    refusal = _refusal(_call(nameMap={"ca": "x" * (MAX_TITLE_LENGTH + 1)}))
    assert refusal.params == {"field": "nameMap", "limit": MAX_TITLE_LENGTH}
    assert str(refusal) == f"nameMap is longer than {MAX_TITLE_LENGTH} characters"


# --- Tolerated forms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("type", "Proposal"),
        ("type", ["vf:Proposal", "Note"]),
        ("type", "https://w3id.org/valueflows/ont/vf#Proposal"),
        ("attributedTo", {"id": "https://node.example/actors/fem-barri", "type": "Organization"}),
        ("attributedTo", ["https://node.example/actors/fem-barri"]),
        ("to", PUBLIC),
        ("to", "as:Public"),
        ("url", {"type": "Link", "href": "https://node.example/x", "mediaType": "text/html"}),
        ("@context", "https://www.w3.org/ns/activitystreams"),
        ("@context", ["https://unknown.example/context.jsonld"]),  # never fetched: terms are read by name
        ("location", {"type": "Place", "name": "Online"}),
    ],
)
def test_variants_seen_in_the_wild_are_read(key: str, value: Any) -> None:
    proposal = read_proposal(_call(**{key: value}))
    assert read_proposal(render_proposal(proposal, context=proposal_context())) == proposal


def test_an_intent_typed_with_a_compact_iri_is_read() -> None:
    proposal = read_proposal(_call(publishes=_intent(type="vf:Intent", resourceConformsTo="skill:3d-printing")))
    assert proposal.concepts == (SKILL + "3d-printing",)


def test_a_string_quantity_and_a_number_quantity_are_the_same() -> None:
    text = read_proposal(_call(publishes=_intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": "2.50"})))
    number = read_proposal(_call(publishes=_intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": 2.5})))
    assert text == number


def test_a_quantity_without_a_value_means_any_amount() -> None:
    proposal = read_proposal(_call(publishes=_intent(resourceQuantity={"hasUnit": "hour"})))
    assert proposal.quantity == Quantity("hour")


# --- Random values ------------------------------------------------------------------------------------------


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    choices: list[Any] = [
        None,
        True,
        rng.randint(-(10**20), 10**20),
        rng.uniform(-1e6, 1e6),
        float("nan"),
        "",
        "skill:x",
        "https://node.example/calls/3d-printing-fair#primary",
        "https://elsewhere.example/x",
        "2026-12-01T09:00:00Z",
        "one",
        "\ud800",
        "x" * rng.randint(0, 300),
    ]
    if depth < 4:
        choices.append([_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))])
        keys = ["id", "type", "hasUnit", "hasNumericalValue", "href", "latitude", "longitude", "ca", "@value"]
        choices.append({rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))})
    return rng.choice(choices)


def _mutate(document: Document, rng: random.Random) -> None:
    target = document
    for _ in range(rng.randint(0, 2)):  # into an intent, then into its quantity
        inner = [value for value in target.values() if isinstance(value, dict)]
        target = rng.choice(inner) if inner else target
    if not target:
        return
    key = rng.choice(sorted(target))
    if rng.random() < 0.2:
        del target[key]
    else:
        target[key] = _random_value(rng)


def test_random_values_raise_nothing_but_proposal_refused() -> None:
    rng = random.Random(837)
    for _ in range(3000):
        document = _call()
        for _ in range(rng.randint(1, 3)):
            _mutate(document, rng)
        try:
            proposal = read_proposal(document)
        except ProposalRefused as refusal:
            assert refusal.code.startswith("proposal_")
            continue
        assert read_proposal(render_proposal(proposal, context=proposal_context())) == proposal
