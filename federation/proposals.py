"""Calls for collaboration on the wire: FEP-0837 ``Proposal`` documents read from any server, and rendered in
the one canonical form a node stores, graphs and publishes.

FEP-0837 (Federated Marketplace): https://codeberg.org/fediverse/fep/src/branch/main/fep/0837/fep-0837.md.
``read_proposal`` understands the forms found in the wild: ours (``type: ["Proposal", "Note"]``, language
maps, JSON numbers, compact IRIs such as ``skill:3d-printing``), the FEP's minimal and full examples (``type``
alone, inline contexts of their own, ``hasNumericalValue: "1"``, ``to`` as a string) and Mitra's (the same,
plus ``unitBased``, ``minimumQuantity`` and ``caip:19:…`` asset IRIs). Terms are read by name, as the FEP
and every implementation do, never through a JSON-LD processor: no context is fetched, so a context URL we
do not bundle (Mitra names ``https://w3id.org/security/data-integrity/v2``) is harmless and ignored; only
the canonical form ``render_proposal`` writes, whose context is ours, ever reaches the graph.

Trust follows FEP-fe34 (https://codeberg.org/fediverse/fep/src/branch/main/fep/fe34/fep-fe34.md): the
actor and the intents must be on the proposal id's origin. What the FEP leaves open is bounded here (the
constants below). ``minimumQuantity`` and ``availableQuantity`` are not kept. Pure: no I/O, no clock.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from federation.activities import PUBLIC
from federation.hosts import same_origin
from federation.valueflows import (
    MAX_DEPTH,
    VF,
    ProposalRefused,
    Quantity,
    check_document,
    read_datetime,
    read_http_iri,
    read_iri,
    read_quantity,
    read_text,
    read_text_map,
    read_types,
    render_quantity,
    single,
    values_of,
)

__all__ = [
    "ACTIONS",
    "MAX_AUDIENCE",
    "MAX_CONCEPTS",
    "MAX_CONTENT_LENGTH",
    "MAX_DEPTH",
    "MAX_TITLE_LENGTH",
    "PURPOSES",
    "Proposal",
    "ProposalRefused",
    "Quantity",
    "Reciprocal",
    "read_proposal",
    "render_proposal",
]

PURPOSES = frozenset({"offer", "request"})
# The ValueFlows actions a call may publish: the ones vocab/shapes.ttl's dsish:Intent accepts.
ACTIONS = frozenset({"deliverService", "transfer", "use", "work"})
MAX_CONCEPTS = 20  # resource types (skills, products) one intent conforms to
MAX_TITLE_LENGTH = 200  # characters of a title, per language; also of a place name
MAX_CONTENT_LENGTH = 20_000  # characters of a description (raw HTML), per language
MAX_AUDIENCE = 100  # IRIs in ``to`` plus ``cc``
_TYPES = frozenset({"Proposal", VF + "Proposal"})
_INTENT_TYPES = frozenset({"Intent", VF + "Intent"})


@dataclass(frozen=True)
class Reciprocal:
    """What is expected (or offered) in return: a reciprocal intent, e.g. a budget in euros."""

    id: str
    action: str
    quantity: Quantity
    conforms_to: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A call for collaboration as read: texts raw (sanitising HTML is the app's job), IRIs expanded, dates
    as written (checked xsd:dateTime with a timezone). ``names``/``contents`` map language tags to text; the
    key "" holds a text given without a language. ``intent_id``, ``action``, ``concepts`` and ``quantity``
    describe the primary intent."""

    id: str
    actor: str
    purpose: str
    intent_id: str
    action: str
    quantity: Quantity
    concepts: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)
    contents: dict[str, str] = field(default_factory=dict)
    reciprocal: Reciprocal | None = None
    unit_based: bool | None = None
    begins: str | None = None
    ends: str | None = None
    deadline: str | None = None
    published: str | None = None
    updated: str | None = None
    url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_name: str | None = None
    based_in: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


def _read_intent(value: Any, field: str, proposal_id: str) -> dict[str, Any]:
    """The parts of an embedded intent every intent has: id (on the proposal's origin), action, quantity."""
    intent = single(value, field, "proposal_intent_multiple")
    if not isinstance(intent, Mapping):
        raise ProposalRefused("proposal_intent_invalid", field=field)
    if not read_types(intent.get("type"), f"{field}.type") & _INTENT_TYPES:
        raise ProposalRefused("proposal_intent_invalid", field=f"{field}.type")
    intent_id = read_http_iri(intent.get("id"), f"{field}.id", "proposal_intent_invalid")
    if not same_origin(intent_id, proposal_id):
        raise ProposalRefused("proposal_intent_origin", field=field)
    action = single(intent.get("action"), f"{field}.action", "proposal_intent_invalid")
    if not isinstance(action, str) or action not in ACTIONS:
        raise ProposalRefused("proposal_intent_invalid", field=f"{field}.action")
    quantity = read_quantity(intent.get("resourceQuantity"), f"{field}.resourceQuantity")
    return {"id": intent_id, "action": action, "quantity": quantity, "intent": intent}


def _read_primary(document: Mapping[str, Any], proposal_id: str) -> dict[str, Any]:
    if single(document.get("publishes"), "publishes", "proposal_intent_multiple") is None:
        raise ProposalRefused("proposal_intent_missing")
    primary = _read_intent(document["publishes"], "publishes", proposal_id)
    field_name = "publishes.resourceConformsTo"
    conforms = primary["intent"].get("resourceConformsTo")
    conforms = values_of(conforms, field_name, MAX_CONCEPTS, "proposal_concepts_too_many")
    concepts = tuple(dict.fromkeys(read_iri(concept, field_name) for concept in conforms))
    return {
        "intent_id": primary["id"],
        "action": primary["action"],
        "quantity": primary["quantity"],
        "concepts": concepts,
    }


def _read_reciprocal(value: Any, proposal_id: str) -> Reciprocal | None:
    if single(value, "reciprocal", "proposal_intent_multiple") is None:
        return None
    reciprocal = _read_intent(value, "reciprocal", proposal_id)
    conforms = reciprocal["intent"].get("resourceConformsTo")
    where = "reciprocal.resourceConformsTo"
    conforms_to = None if single(conforms, where) is None else read_iri(conforms, where)
    return Reciprocal(reciprocal["id"], reciprocal["action"], reciprocal["quantity"], conforms_to)


def _read_times(document: Mapping[str, Any]) -> dict[str, Any]:
    times = {key: read_datetime(document.get(key), key) for key in ("hasBeginning", "hasEnd", "deadline")}
    begins, ends = times["hasBeginning"], times["hasEnd"]
    if begins is not None and ends is not None and ends[1] < begins[1]:
        raise ProposalRefused("proposal_ends_before_beginning")
    stamps = {key: read_datetime(document.get(key), key) for key in ("published", "updated")}
    written = {key: value[0] if value else None for key, value in {**times, **stamps}.items()}
    return {
        "begins": written["hasBeginning"],
        "ends": written["hasEnd"],
        "deadline": written["deadline"],
        "published": written["published"],
        "updated": written["updated"],
    }


def _coordinate(value: Any, bound: int) -> float | None:
    value = single(value, "location")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
        raise ProposalRefused("proposal_location_invalid")
    return float(value)


def _read_location(value: Any) -> dict[str, Any]:
    place = single(value, "location", "proposal_location_invalid")
    if place is None:
        return {}
    if not isinstance(place, Mapping) or "Place" not in read_types(place.get("type", "Place"), "location.type"):
        raise ProposalRefused("proposal_location_invalid")
    latitude, longitude = _coordinate(place.get("latitude"), 90), _coordinate(place.get("longitude"), 180)
    if (latitude is None) != (longitude is None):
        raise ProposalRefused("proposal_location_invalid")
    name = read_text(place.get("name"), "location.name", MAX_TITLE_LENGTH)
    return {"latitude": latitude, "longitude": longitude, "place_name": name}


def _read_url(value: Any) -> str | None:
    links = values_of(value, "url", MAX_AUDIENCE)
    if not links:
        return None
    link = links[0]  # a Note's url may list several representations; the first is the page
    if isinstance(link, Mapping) and "href" in link:
        link = link["href"]
    return read_http_iri(link, "url", "proposal_iri_invalid")


def _read_audience(document: Mapping[str, Any]) -> dict[str, Any]:
    audience: dict[str, tuple[str, ...]] = {}
    for key in ("to", "cc"):
        members = values_of(document.get(key), key, MAX_AUDIENCE)
        iris = (PUBLIC if member in ("Public", "as:Public") else read_iri(member, key) for member in members)
        audience[key] = tuple(dict.fromkeys(iris))
    if len(audience["to"]) + len(audience["cc"]) > MAX_AUDIENCE:
        raise ProposalRefused("proposal_value_invalid", field="to", limit=MAX_AUDIENCE)
    return audience


def _read_unit_based(value: Any) -> bool | None:
    value = single(value, "unitBased")
    if value is not None and not isinstance(value, bool):
        raise ProposalRefused("proposal_value_invalid", field="unitBased")
    return value


def read_proposal(document: Mapping[str, Any]) -> Proposal:
    """Read a proposal received from another server, in any of the forms described in the module header;
    raise ``ProposalRefused`` (stable ``code``, ``params``) for anything malformed, unbounded or foreign."""
    document = check_document(document, "proposal")
    if not read_types(document.get("type"), "type") & _TYPES:
        raise ProposalRefused("proposal_type_invalid")
    proposal_id = read_http_iri(document.get("id"), "id")
    purpose = single(document.get("purpose"), "purpose", "proposal_purpose_invalid")
    if not isinstance(purpose, str) or purpose not in PURPOSES:
        raise ProposalRefused("proposal_purpose_invalid")
    actor = read_http_iri(document.get("attributedTo"), "attributedTo", "proposal_actor_invalid")
    if not same_origin(actor, proposal_id):
        raise ProposalRefused("proposal_actor_origin")
    based_in = document.get("basedIn")
    return Proposal(
        id=proposal_id,
        actor=actor,
        purpose=purpose,
        **_read_primary(document, proposal_id),
        names=read_text_map(document, "name", MAX_TITLE_LENGTH),
        contents=read_text_map(document, "content", MAX_CONTENT_LENGTH),
        reciprocal=_read_reciprocal(document.get("reciprocal"), proposal_id),
        unit_based=_read_unit_based(document.get("unitBased")),
        **_read_times(document),
        url=_read_url(document.get("url")),
        **_read_location(document.get("location")),
        based_in=None if single(based_in, "basedIn") is None else read_iri(based_in, "basedIn"),
        **_read_audience(document),
    )


def _render_intent(intent_id: str, action: str, quantity: Quantity, conforms: Any) -> dict[str, Any]:
    intent: dict[str, Any] = {"id": intent_id, "type": "Intent", "action": action}
    if conforms:
        intent["resourceConformsTo"] = conforms
    intent["resourceQuantity"] = render_quantity(quantity)
    return intent


def _render_texts(rendered: dict[str, Any], key: str, texts: Mapping[str, str]) -> None:
    mapped = {language: text for language, text in texts.items() if language}
    if mapped:
        rendered[f"{key}Map"] = mapped
    if texts:
        rendered[key] = texts.get("", next(iter(texts.values())))


def _render_place(proposal: Proposal) -> dict[str, Any]:
    place: dict[str, Any] = {"type": "Place"}
    if proposal.latitude is not None:
        place["latitude"] = proposal.latitude
        place["longitude"] = proposal.longitude
    if proposal.place_name is not None:
        place["name"] = proposal.place_name
    return place


def render_proposal(proposal: Proposal, *, context: Sequence[Any]) -> dict[str, Any]:
    """The canonical document of ``proposal`` (full IRIs, amounts as decimal strings, ``type: [Proposal, Note]``
    so that Mastodon shows it) under ``context`` (``vocab.contexts.proposal_context()``). ``read_proposal``
    of the result gives ``proposal`` back."""
    rendered: dict[str, Any] = {"@context": list(context), "id": proposal.id, "type": ["Proposal", "Note"]}
    rendered |= {"purpose": proposal.purpose, "attributedTo": proposal.actor}
    _render_texts(rendered, "name", proposal.names)
    _render_texts(rendered, "content", proposal.contents)
    if proposal.url is not None:
        rendered["url"] = proposal.url
    concepts = list(proposal.concepts)
    place = _render_place(proposal)
    rendered["publishes"] = _render_intent(proposal.intent_id, proposal.action, proposal.quantity, concepts)
    if (reciprocal := proposal.reciprocal) is not None:
        rendered["reciprocal"] = _render_intent(
            reciprocal.id, reciprocal.action, reciprocal.quantity, reciprocal.conforms_to
        )
    optional = {
        "unitBased": proposal.unit_based,
        "hasBeginning": proposal.begins,
        "hasEnd": proposal.ends,
        "deadline": proposal.deadline,
        "basedIn": proposal.based_in,
        "location": place if len(place) > 1 else None,
        "published": proposal.published,
        "updated": proposal.updated,
        "to": list(proposal.to) or None,
        "cc": list(proposal.cc) or None,
    }
    rendered |= {key: value for key, value in optional.items() if value is not None}
    return rendered
