"""Matching calls for collaboration: the model, pair by pair, with its explanation.

A call (an FEP-0837 proposal) is a *request* ("we need two volunteers who know 3D printing") or an *offer*
("our workshop is free on Tuesdays") naming concepts of the skills scheme. It is matched against profiles
and against open calls of the other purpose. Whoever requests *wants* concepts; whoever offers makes them
*available*: a request wants its concepts, an offer makes its concepts available, a profile wants its
``needs`` and makes its ``offers`` available. Every part is in [0, 1]:

- ``concepts``: ``cover(wanted, available)`` with the requesting side's wanted concepts and the other
  side's available ones: a request's concepts against a profile's offers (or an offer call's concepts);
  a profile's needs (or a request call's concepts) against an offer's concepts. Two calls of the same
  purpose, or a call and a profile with nothing to exchange that way, score 0;
- ``place``, ``sectors`` and ``text`` as in ``dsi4bcn.matching.model`` (sectors of the call's author, and
  times ``concepts``, so that another sector adds to a candidate who can help and never ranks one who
  cannot).

``score = 0.6·concepts + 0.2·place + 0.1·sectors + 0.1·text`` (``CALL_WEIGHTS``). A candidate is suggested
only with ``concepts`` above 0 (a concept met or related: ``has_call_reason``); an explanation says a
concept is *met* by the same, a broader or a narrower concept and *related* to a sibling. A call is open
from its beginning (``vf:hasBeginning``, when it is valid from) until its end (``vf:hasEnd``) or its
deadline (the last moment to answer), whichever comes first (``open_at``): the "open" of
``profiles.callvalidation.call_state``, with the deadline also closing it to answers. docs/matching.md has
the formula.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dsi4bcn.matching.model import Profile, concept_label, concept_pairs, cover, place_score, sector_score

__all__ = [
    "CALL_PARTS",
    "CALL_REASON_LABELS",
    "CALL_WEIGHTS",
    "PURPOSES",
    "CallFeatures",
    "as_profile",
    "call_parts",
    "closes_at",
    "explain_call",
    "has_call_reason",
    "index_weights",
    "open_at",
    "opens_at",
    "parse_time",
    "same_side",
]

PURPOSES = ("request", "offer")
CALL_PARTS = ("concepts", "place", "sectors", "text")
CALL_WEIGHTS: Mapping[str, float] = {"concepts": 0.6, "place": 0.2, "sectors": 0.1, "text": 0.1}
# Each explanation code (a key of ``explain_call``) and the label that puts it into words (``i18n.UI``).
CALL_REASON_LABELS: Mapping[str, str] = {
    "requestMetByTheirOffers": "call_request_met_by_their_offers",
    "requestRelatedToTheirOffers": "call_request_related_to_their_offers",
    "theirNeedsMetByOffer": "call_offer_meets_their_needs",
    "theirNeedsRelatedToOffer": "call_offer_related_to_their_needs",
    "requestMetByYourOffers": "call_request_met_by_your_offers",
    "requestRelatedToYourOffers": "call_request_related_to_your_offers",
    "yourNeedsMetByOffer": "call_offer_meets_your_needs",
    "yourNeedsRelatedToOffer": "call_offer_related_to_your_needs",
}


@dataclass(frozen=True)
class CallFeatures:
    """What matching knows of a call for collaboration (concepts as IRIs, times as ISO 8601 text)."""

    id: str
    author: str
    purpose: str  # request or offer
    concepts: frozenset[str] = frozenset()
    organisation: str | None = None  # the author's organisation, when the author is one of its projects
    sectors: frozenset[str] = frozenset()  # the author's
    neighbourhood: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    begins: str | None = None
    ends: str | None = None
    deadline: str | None = None


Side = Profile | CallFeatures


def as_profile(call: CallFeatures) -> Profile:
    """A call as the profile model sees it: a request needs its concepts, an offer offers them; its side
    (``organisation``) is its author's organisation, or the author itself."""
    request = call.purpose == "request"
    return Profile(
        id=call.id,
        kind="call",
        organisation=call.organisation or call.author,
        needs=call.concepts if request else frozenset(),
        offers=frozenset() if request else call.concepts,
        sectors=call.sectors,
        neighbourhood=call.neighbourhood,
        district=call.district,
        latitude=call.latitude,
        longitude=call.longitude,
        names=call.names,
        text=call.text,
    )


def _profile(side: Side) -> Profile:
    return as_profile(side) if isinstance(side, CallFeatures) else side


def call_parts(asker: Side, candidate: Side, text_similarity: float = 0.0) -> dict[str, float]:
    """Every part of the score of ``candidate`` for ``asker``, at least one of them a call (the text part
    is computed by the index)."""
    if not isinstance(asker, CallFeatures) and not isinstance(candidate, CallFeatures):
        raise ValueError("call_parts needs a call on at least one side")
    a, b = _profile(asker), _profile(candidate)
    # At most one term is above 0: a call wants or makes available, never both.
    concepts = cover(a.needs, b.offers) + cover(b.needs, a.offers)
    return {
        "concepts": concepts,
        "place": place_score(a, b)[0],
        "sectors": sector_score(a, b) * concepts,
        "text": text_similarity,
    }


def has_call_reason(parts: Mapping[str, float]) -> bool:
    """Whether a candidate has a reason to be suggested: a concept met or related (nothing else is one)."""
    return parts["concepts"] > 0


def index_weights() -> dict[str, float]:
    """``CALL_WEIGHTS`` over the profile model's parts, as the index computes them: ``concepts`` is the
    sum of ``needs`` and ``offers`` (one of them 0), areas and SDGs (calls have none) count nothing."""
    concepts = CALL_WEIGHTS["concepts"]
    return {"needs": concepts, "offers": concepts, "areas": 0.0, "sdgs": 0.0} | {
        name: CALL_WEIGHTS[name] for name in ("place", "sectors", "text")
    }


def same_side(asker: Side, candidate: Side) -> bool:
    """Whether ``candidate`` is on ``asker``'s own side, and so never suggested: the same call or profile,
    the same organisation (an organisation, its projects, their calls), a call and its author, or two
    calls of one author."""
    authors = {side.author if isinstance(side, CallFeatures) else side.id for side in (asker, candidate)}
    return asker.id == candidate.id or len(authors) == 1 or _owner(asker) == _owner(candidate)


def _owner(side: Side) -> str:
    if isinstance(side, CallFeatures):
        return side.organisation or side.author
    return side.id if side.kind == "organisation" else side.organisation or side.id


def parse_time(text: str) -> datetime | None:
    """An xsd:dateTime as an aware datetime (UTC when it names no time zone); None if it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def opens_at(call: CallFeatures) -> datetime | None:
    """When a call starts taking answers: its beginning; None if it names none (open at once)."""
    return parse_time(call.begins) if call.begins else None


def closes_at(call: CallFeatures) -> datetime | None:
    """When a call stops taking answers: its end or its deadline, whichever comes first; None if it names
    neither."""
    moments = [parse_time(text) for text in (call.deadline, call.ends) if text]
    return min((moment for moment in moments if moment is not None), default=None)


def open_at(call: CallFeatures, now: datetime) -> bool:
    """Whether ``call`` takes answers at ``now`` (an aware datetime): begun, and neither ended nor past
    its deadline."""
    opens, closes = opens_at(call), closes_at(call)
    return (opens is None or opens <= now) and (closes is None or now < closes)


def _concept_reasons(asker: Side, candidate: Side, language: str) -> dict[str, list[dict[str, Any]]]:
    """The concepts met and related, under the codes of ``CALL_REASON_LABELS`` for this direction."""
    a, b = _profile(asker), _profile(candidate)
    if isinstance(asker, CallFeatures):
        wanted, available = (a.needs, b.offers) if asker.purpose == "request" else (b.needs, a.offers)
        met, related = (
            ("requestMetByTheirOffers", "requestRelatedToTheirOffers")
            if asker.purpose == "request"
            else ("theirNeedsMetByOffer", "theirNeedsRelatedToOffer")
        )
    else:
        request = isinstance(candidate, CallFeatures) and candidate.purpose == "request"
        wanted, available = (b.needs, a.offers) if request else (a.needs, b.offers)
        met, related = (
            ("requestMetByYourOffers", "requestRelatedToYourOffers")
            if request
            else ("yourNeedsMetByOffer", "yourNeedsRelatedToOffer")
        )
    return {
        met: concept_pairs(wanted, available, language),
        related: concept_pairs(wanted, available, language, related=True),
    }


def explain_call(asker: Side, candidate: Side, parts: Mapping[str, float], language: str) -> dict[str, Any]:
    """Why ``candidate`` is suggested to ``asker`` (one of them a call): the concepts met and related (each
    wanted concept with the available one that meets it: ``need`` and ``offer``), place, sectors, and each
    part's share of the score (concept labels in ``language``)."""
    a, b = _profile(asker), _profile(candidate)
    score = sum(CALL_WEIGHTS[name] * parts[name] for name in CALL_PARTS)
    _, distance = place_score(a, b)
    same = (
        "neighbourhood"
        if a.neighbourhood and a.neighbourhood == b.neighbourhood
        else ("district" if a.district and a.district == b.district else None)
    )
    return {
        **_concept_reasons(asker, candidate, language),
        "place": {"same": same, "distanceKm": round(distance, 2) if distance is not None else None},
        "sectors": {
            "yours": [concept_label(iri, language) for iri in sorted(a.sectors)],
            "theirs": [concept_label(iri, language) for iri in sorted(b.sectors)],
        },
        "parts": {name: round(parts[name], 4) for name in CALL_PARTS},
        "shares": {name: round(CALL_WEIGHTS[name] * parts[name] / score, 4) if score else 0.0 for name in CALL_PARTS},
    }
