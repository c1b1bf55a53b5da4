"""A call published as an FEP-0837 ``Proposal`` (``dsi4bcn.profiles.calldocuments``)."""

from dsi4bcn.profiles.calldocuments import CallRecord, call_iri, parse_call_iri, plain_paragraphs, render_call
from dsi4bcn.profiles.callvalidation import normalise_call
from vocab.concepts import concept_index
from vocab.fastld import document_triples, reference_triples
from vocab.fastshapes import validate_triples

BASE = "https://node.example"


def _record(**changes: object) -> CallRecord:
    body = {
        "purpose": "request",
        "nameMap": {"ca": "Voluntàries <3D>", "en": "Volunteers"},
        "contentMap": {"ca": "Línia u\nLínia dos\n\n<script>x</script>"},
        "concepts": ["skill:3d-printing"],
        "quantity": 2,
        "basedIn": "district:10",
        "validUntil": "2027-01-10",
        "budget": "1200",
        **changes,
    }
    fields = normalise_call(body, concepts=concept_index())
    return CallRecord("abc234", "project", "fira", fields, "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z")


def test_the_proposal_conforms_and_reads_the_same_both_ways() -> None:
    document = render_call(_record(), base_url=BASE, language="ca")
    assert document["type"] == ["Proposal", "Note"] and document["attributedTo"] == f"{BASE}/projects/fira"
    assert document["publishes"]["resourceQuantity"] == {"hasUnit": "one", "hasNumericalValue": "2"}
    assert document["reciprocal"]["resourceQuantity"]["hasNumericalValue"] == "1200"
    triples, _ = document_triples(document)
    assert validate_triples(triples).conforms
    assert sorted(map(str, triples)) == sorted(map(str, reference_triples(document)))


def test_the_content_is_escaped_text_in_each_language() -> None:
    document = render_call(_record(), base_url=BASE, language="en")
    assert document["name"] == "Volunteers"
    assert "<script>" not in document["content"] and "&lt;script&gt;" in document["content"]
    assert "<strong>Voluntàries &lt;3D&gt;</strong>" in document["contentMap"]["ca"]
    assert "Request: 3D printing" in document["contentMap"]["en"]


def test_closing_ends_the_proposal() -> None:
    record = _record()
    closed = CallRecord(**{**record.__dict__, "closed": "2026-12-02T00:00:00Z"})
    assert render_call(closed, base_url=BASE, language="ca")["hasEnd"] == "2026-12-02T00:00:00Z"


def test_call_iris_round_trip() -> None:
    assert parse_call_iri(BASE, call_iri(BASE, "abc234")) == "abc234"
    assert parse_call_iri(BASE, f"{BASE}/calls/abc234#primary") is None
    assert parse_call_iri(BASE, "https://other.example/calls/abc234") is None


def test_plain_paragraphs() -> None:
    assert plain_paragraphs("a & b\nc\n\n\n d ") == "<p>a &amp; b<br>c</p><p>d</p>"
