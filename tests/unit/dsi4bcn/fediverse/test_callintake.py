"""What is kept of a received call (``dsi4bcn.fediverse.callintake.checked_call``): every form of FEP-0837
found in the wild becomes the canonical proposal, whose RDF conforms to the shapes; texts are sanitised,
times bounded by arrival, and a proposal speaking for another actor is refused."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dsi4bcn.fediverse.callintake import CallRefused, checked_call
from federation.valueflows import ProposalRefused
from vocab.fastld import document_triples
from vocab.fastshapes import validate_triples

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "fep0837"
RECEIVED = "2026-12-01T10:00:00Z"


def _fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("name", ["dsi4bcn-call", "fep-full", "fep-minimal", "mitra-subscription"])
def test_every_form_in_the_wild_is_kept_in_canonical_form(name: str) -> None:
    document = _fixture(name)
    call = checked_call(document, author=document["attributedTo"], peer="https://peer.example/actor", received=RECEIVED)
    assert call.iri == document["id"] and call.document["type"] == ["Proposal", "Note"]
    triples, _ = document_triples(call.document)
    assert validate_triples(triples).conforms
    assert call.document["name"] or call.document["nameMap"]  # a title, even for the FEP's minimal example
    assert call.updated <= RECEIVED


def test_markup_is_sanitised_and_the_future_is_not_believed() -> None:
    document = _fixture("fep-full")
    document["content"] = '<p onclick="x()">Bici</p><script>alert(1)</script><img src="https://t.example/p.gif">'
    document["published"] = "2099-01-01T00:00:00Z"
    call = checked_call(document, author=document["attributedTo"], peer="https://p.example/actor", received=RECEIVED)
    content = json.dumps(call.document)
    assert "script" not in content and "onclick" not in content and "<img" not in content
    assert call.document["published"] == RECEIVED


def test_a_call_for_another_actor_or_a_broken_one_is_refused() -> None:
    document = _fixture("fep-full")
    with pytest.raises(CallRefused):
        checked_call(document, author="https://bazaar.example/users/other", peer="p", received=RECEIVED)
    broken = copy.deepcopy(document)
    broken["purpose"] = "gift"
    with pytest.raises(ProposalRefused):
        checked_call(broken, author=document["attributedTo"], peer="p", received=RECEIVED)
    unshaped = copy.deepcopy(document)
    unshaped["basedIn"] = "https://w3id.org/dsi4bcn/district/99"
    with pytest.raises(CallRefused, match="shapes"):
        checked_call(unshaped, author=document["attributedTo"], peer="p", received=RECEIVED)
