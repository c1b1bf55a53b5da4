"""Collaboration matching: the scoring model, pair by pair, with its explanation.

Every part of the score is in [0, 1]; the score is their weighted sum, the weights normalised to sum 1.

- ``needs``: how well the partner's offers cover the asker's needs: the mean, over the asker's needs, of
  the best concept similarity to any of the partner's offers;
- ``offers``: the other way round, how well the asker's offers cover the partner's needs;
- ``areas``: shared DSI areas, both ways (the mean of best similarities, averaged over both sides);
- ``sdgs``: shared Sustainable Development Goals (cosine of the two sets);
- ``place``: 1 in the same neighbourhood, 0.6 in the same district, else ``exp(-km / 3)``;
- ``sectors``: 1 when the partner brings a quadruple-helix sector the asker lacks, 0.3 within one sector,
  0.5 when unknown; times how well they meet each other's needs (the larger of ``needs`` and ``offers``),
  so that complementary sectors add to a partner who can help and never rank one who cannot;
- ``text``: cosine similarity of the multilingual names and summaries (TF-IDF of accent-folded stems).

Concept similarity along ``skos:broader``: 1 for the same concept, 0.5 between a concept and its broader
or narrower one, 0.25 between siblings (same broader), 0 otherwise. An explanation says a need is *met*
only by the same, a broader or a narrower concept; a sibling is *related*. A partner is suggested only for
a reason (``has_reason``): a need met or related either way, an area, an SDG or words in common. Default
weights and their bounds are in ``DEFAULT_WEIGHTS`` and ``WEIGHT_BOUNDS``; docs/matching.md has the formula.
"""

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from vocab.concepts import concept_index

__all__ = [
    "DEFAULT_WEIGHTS",
    "PARTS",
    "REASONS",
    "WEIGHT_BOUNDS",
    "Profile",
    "concept_label",
    "concept_neighbours",
    "concept_pairs",
    "cover",
    "explain",
    "has_reason",
    "normalise_weights",
    "pair_parts",
    "place_score",
    "reach",
    "sector_score",
    "tokens",
]

PARTS = ("needs", "offers", "areas", "sdgs", "place", "sectors", "text")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "needs": 0.35,
    "offers": 0.15,
    "areas": 0.15,
    "sdgs": 0.05,
    "place": 0.10,
    "sectors": 0.10,
    "text": 0.10,
}
WEIGHT_BOUNDS = (0.0, 1.0)
SAME_NEIGHBOURHOOD, SAME_DISTRICT, DISTANCE_KM = 1.0, 0.6, 3.0
EARTH_RADIUS_KM = 6371.0
CROSS_SECTOR, SAME_SECTOR, UNKNOWN_SECTOR = 1.0, 0.3, 0.5
# Function words of Catalan, Spanish and English, left out of the text part.
_FUNCTION_WORDS = (
    "a al als amb de del dels el els en i la les per que un una uns unes the and of for to"
    " in on with by from is are our we es se lo los las y o con por para su sus este esta this that"
)
_STOPWORDS = frozenset(_FUNCTION_WORDS.split())


@dataclass(frozen=True)
class Profile:
    """What matching knows of an organisation or project (concepts as IRIs)."""

    id: str
    kind: str  # project or organisation
    organisation: str | None = None
    active: bool = True
    areas: frozenset[str] = frozenset()
    sdgs: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    neighbourhood: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    text: str = ""


@cache
def concept_neighbours(iri: str) -> Mapping[str, float]:
    """Concepts similar to ``iri`` and how much: itself 1, broader/narrower 0.5, siblings 0.25."""
    index = concept_index()
    concept = index.by_iri(iri)
    if concept is None:
        return {iri: 1.0}
    similar: dict[str, float] = {}
    for parent in concept.broader:
        parent_concept = index.by_iri(parent)
        for sibling in parent_concept.narrower if parent_concept else ():
            similar[sibling] = max(similar.get(sibling, 0.0), 0.25)
    for relative in (*concept.broader, *concept.narrower):
        similar[relative] = 0.5
    similar[iri] = 1.0
    return similar


def reach(concepts: Iterable[str]) -> dict[str, float]:
    """For every concept, its best similarity to any of ``concepts``."""
    reached: dict[str, float] = {}
    for iri in concepts:
        for other, similarity in concept_neighbours(iri).items():
            if similarity > reached.get(other, 0.0):
                reached[other] = similarity
    return reached


def cover(wanted: Iterable[str], available: Iterable[str]) -> float:
    """Mean over ``wanted`` of the best similarity to anything ``available`` (0 if nothing is wanted)."""
    wanted = list(wanted)
    if not wanted:
        return 0.0
    reached = reach(available)
    return sum(reached.get(iri, 0.0) for iri in wanted) / len(wanted)


def _distance_km(a: Profile, b: Profile) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def place_score(a: Profile, b: Profile) -> tuple[float, float | None]:
    """The place part and the distance in km (None if a location is missing)."""
    distance = _distance_km(a, b)
    score = 0.0
    if a.neighbourhood and a.neighbourhood == b.neighbourhood:
        score = SAME_NEIGHBOURHOOD
    elif a.district and a.district == b.district:
        score = SAME_DISTRICT
    if distance is not None:
        score = max(score, math.exp(-distance / DISTANCE_KM))
    return score, distance


def sector_score(a: Profile, b: Profile) -> float:
    """Quadruple-helix complementarity: the partner brings a sector the asker lacks."""
    if not a.sectors or not b.sectors:
        return UNKNOWN_SECTOR
    return CROSS_SECTOR if b.sectors - a.sectors else SAME_SECTOR


def tokens(text: str) -> list[str]:
    """Accent-folded, lower-case word stems (six letters) without stop words: shared across ca/es/en."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return [word[:6] for word in re.findall(r"[a-z]{3,}", plain) if word not in _STOPWORDS]


def normalise_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Defaults overridden by ``weights`` (each within ``WEIGHT_BOUNDS``), scaled to sum 1."""
    chosen = dict(DEFAULT_WEIGHTS)
    for name, value in (weights or {}).items():
        if name not in chosen:
            raise ValueError(f"unknown weight {name!r}; known: {', '.join(PARTS)}")
        if not WEIGHT_BOUNDS[0] <= value <= WEIGHT_BOUNDS[1]:
            raise ValueError(f"weight {name} must be between {WEIGHT_BOUNDS[0]} and {WEIGHT_BOUNDS[1]}")
        chosen[name] = float(value)
    total = sum(chosen.values())
    if total <= 0:
        raise ValueError("at least one weight must be above 0")
    return {name: value / total for name, value in chosen.items()}


def _sets_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def pair_parts(a: Profile, b: Profile, text_similarity: float = 0.0) -> dict[str, float]:
    """Every part of the score of partner ``b`` for asker ``a`` (the text part is computed by the index)."""
    areas = 0.0
    if a.areas and b.areas:
        areas = (cover(a.areas, b.areas) + cover(b.areas, a.areas)) / 2
    needs, offers = cover(a.needs, b.offers), cover(b.needs, a.offers)
    return {
        "needs": needs,
        "offers": offers,
        "areas": areas,
        "sdgs": _sets_cosine(a.sdgs, b.sdgs),
        "place": place_score(a, b)[0],
        "sectors": sector_score(a, b) * max(needs, offers),
        "text": text_similarity,
    }


REASONS = ("needs", "offers", "areas", "sdgs", "text")  # the parts that are a reason to suggest a partner


def has_reason(parts: Mapping[str, float]) -> bool:
    """Whether a partner with these parts has a reason to be suggested: place and sectors alone are not one."""
    return any(parts[name] > 0 for name in REASONS)


def concept_label(iri: str, language: str) -> dict[str, str]:
    """A concept as the explanation shows it: its IRI, its CURIE and its label in ``language``."""
    concept = concept_index().by_iri(iri)
    return {"id": iri, "code": concept.curie if concept else iri, "label": concept.label(language) if concept else iri}


_MEETS = 0.5  # the least similarity that meets a need (a broader or narrower concept); below, related


def concept_pairs(
    wanted: Iterable[str],
    available: Iterable[str],
    language: str,
    keys: tuple[str, str] = ("need", "offer"),
    related: bool = False,
) -> list[dict[str, Any]]:
    """Which wanted concept is met by which available one, and how well (best match for each): those met
    (the same, a broader or a narrower concept), or with ``related`` those only related (siblings)."""
    matches = []
    available = list(available)
    for iri in sorted(wanted):
        best = max(((concept_neighbours(iri).get(other, 0.0), other) for other in available), default=(0.0, ""))
        if best[0] > 0 and (best[0] < _MEETS) == related:
            kind = "same" if best[0] == 1.0 else "broader or narrower" if best[0] == 0.5 else "sibling"
            matches.append(
                {
                    keys[0]: concept_label(iri, language),
                    keys[1]: concept_label(best[1], language),
                    "similarity": best[0],
                    "relation": kind,
                }
            )
    return matches


def explain(
    a: Profile, b: Profile, parts: Mapping[str, float], weights: Mapping[str, float], language: str
) -> dict[str, Any]:
    """Why ``b`` is suggested to ``a``: matched needs and offers, shared areas, place, sectors, and each
    part's share of the score (concept labels in ``language``)."""
    score = sum(weights[name] * parts[name] for name in PARTS)
    _, distance = place_score(a, b)
    same = (
        "neighbourhood"
        if a.neighbourhood and a.neighbourhood == b.neighbourhood
        else ("district" if a.district and a.district == b.district else None)
    )
    return {
        "needsMetByTheirOffers": concept_pairs(a.needs, b.offers, language),
        "needsRelatedToTheirOffers": concept_pairs(a.needs, b.offers, language, related=True),
        "theirNeedsMetByYourOffers": concept_pairs(b.needs, a.offers, language),
        "theirNeedsRelatedToYourOffers": concept_pairs(b.needs, a.offers, language, related=True),
        "sharedAreas": [concept_label(iri, language) for iri in sorted(a.areas & b.areas)],
        "relatedAreas": [
            *concept_pairs(a.areas - b.areas, b.areas - a.areas, language, ("yours", "theirs")),
            *concept_pairs(a.areas - b.areas, b.areas - a.areas, language, ("yours", "theirs"), related=True),
        ],
        "sharedSdgs": [concept_label(iri, language) for iri in sorted(a.sdgs & b.sdgs)],
        "place": {"same": same, "distanceKm": round(distance, 2) if distance is not None else None},
        "sectors": {
            "yours": [concept_label(iri, language) for iri in sorted(a.sectors)],
            "theirs": [concept_label(iri, language) for iri in sorted(b.sectors)],
        },
        "parts": {name: round(parts[name], 4) for name in PARTS},
        "shares": {name: round(weights[name] * parts[name] / score, 4) if score else 0.0 for name in PARTS},
    }
