"""The match index scores every candidate as the pairwise model does, after updates and removals too
(``matching.index``)."""

import math
import random

import pytest

from dsi4bcn.matching.index import MatchIndex
from dsi4bcn.matching.model import PARTS, Profile, normalise_weights, pair_parts, tokens
from tests.support.concepts import SDG, SECTOR
from vocab.concepts import concept_index


def _random_profile(rng: random.Random, number: int) -> Profile:
    index = concept_index()
    skills = [c.iri for c in index.in_scheme("skill")]
    areas = [c.iri for c in index.in_scheme("area")]
    places = index.in_scheme("neighbourhood")
    place = rng.choice(places)
    return Profile(
        id=f"https://n.example/projects/p{number}",
        kind="project",
        organisation=f"https://n.example/organisations/o{number % 7}",
        active=rng.random() > 0.1,
        areas=frozenset(rng.sample(areas, rng.randint(0, 3))),
        needs=frozenset(rng.sample(skills, rng.randint(0, 4))),
        offers=frozenset(rng.sample(skills, rng.randint(0, 4))),
        sdgs=frozenset(f"{SDG}{n}" for n in rng.sample(range(1, 18), rng.randint(0, 3))),
        sectors=frozenset(
            rng.sample([SECTOR + s for s in ("industry", "academia", "civil-society")], rng.randint(0, 2))
        ),
        neighbourhood=None if number % 11 == 0 else place.iri,
        district=place.broader[0],
        # Some profiles of the base block have no coordinates; the delta block's all have.
        latitude=None if number % 6 == 0 and number < 250 else place.latitude,
        longitude=None if number % 6 == 0 and number < 250 else place.longitude,
        text=" ".join(rng.choices(_WORDS, k=rng.randint(0, 8))),
    )


_WORDS = [
    "taller",
    "obert",
    "fabricació",
    "dades",
    "obertes",
    "barri",
    "cooperativa",
    "plataforma",
    "veïnal",
    "energia",
    "solar",
    "escola",
    "robòtica",
    "mapa",
    "accessible",
    "participació",
    "ciutadana",
    "privadesa",
    "programari",
    "lliure",
]


def _reference_text_similarity(asker: Profile, other: Profile, base: list[Profile]) -> float:
    """TF-IDF cosine written out from docs/matching.md, independently of the index's sparse matrices: IDF
    over the profiles the base block was built from, (1 + log tf) weights, words unknown to it ignored."""
    frequency: dict[str, int] = {}
    for profile in base:
        for word in set(tokens(profile.text)):
            frequency[word] = frequency.get(word, 0) + 1

    def vector(text: str) -> dict[str, float]:
        counts: dict[str, int] = {}
        for word in tokens(text):
            if word in frequency:
                counts[word] = counts.get(word, 0) + 1
        weights = {
            word: (1 + math.log(count)) * (math.log((1 + len(base)) / (1 + frequency[word])) + 1)
            for word, count in counts.items()
        }
        norm = math.sqrt(sum(value * value for value in weights.values()))
        return {word: value / norm for word, value in weights.items()} if norm else {}

    first, second = vector(asker.text), vector(other.text)
    return sum(value * second.get(word, 0.0) for word, value in first.items())


def test_the_index_scores_every_candidate_as_the_pairwise_model_does() -> None:
    rng = random.Random(5)
    index = MatchIndex()
    profiles = [_random_profile(rng, number) for number in range(300)]
    for profile in profiles[:250]:
        index.profiles[profile.id] = profile
    index.rebuild()
    for profile in profiles[250:]:  # these go to the delta block
        index.upsert(profile)
    index.upsert(profiles[3])  # a changed profile: its base row is masked, its delta row counts
    weights = normalise_weights(None)
    for asker in profiles[:10]:
        ranked = index.top(asker, weights, limit=300)
        assert ranked, asker.id
        assert asker.id not in {c.id for c in ranked}
        assert all(index.profiles[c.id].active for c in ranked)
        assert all(index.profiles[c.id].organisation != asker.organisation for c in ranked)
        assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
        assert len({c.id for c in ranked}) == len(ranked)
        for candidate in ranked[:25]:
            other = index.profiles[candidate.id]
            expected = pair_parts(asker, other, _reference_text_similarity(asker, other, profiles[:250]))
            for name in PARTS:
                assert candidate.parts[name] == pytest.approx(expected[name], abs=1e-9), (name, candidate.id)
    with_own = index.top(profiles[0], weights, limit=300, include_own=True)
    assert any(index.profiles[c.id].organisation == profiles[0].organisation for c in with_own)
    index.remove(profiles[5].id)
    assert profiles[5].id not in {c.id for c in index.top(profiles[0], weights, limit=300)}


SKILL = "https://w3id.org/dsi4bcn/skill/"
AREA = "https://w3id.org/dsi4bcn/area/"


def _index(*profiles: Profile) -> MatchIndex:
    index = MatchIndex()
    for profile in profiles:
        index.profiles[profile.id] = profile
    index.rebuild()
    return index


def test_only_partners_with_a_reason_are_suggested_whatever_the_weights() -> None:
    asker = Profile("a", "project", organisation="o1", needs=frozenset({SKILL + "web-development"}))
    helper = Profile("h", "project", organisation="o2", offers=frozenset({SKILL + "web-development"}))
    sectors_only = Profile("s", "organisation", sectors=frozenset({SECTOR + "industry"}))
    nearby_only = Profile("n", "project", organisation="o3", neighbourhood="68")
    index = _index(asker, helper, sectors_only, nearby_only)
    asker_here = Profile("a", "project", organisation="o1", needs=asker.needs, neighbourhood="68")
    ranked = index.top(asker_here, normalise_weights(None), limit=10)
    assert [candidate.id for candidate in ranked] == ["h"]  # place or sectors alone are no reason
    only_place = normalise_weights({name: 1.0 if name == "place" else 0.0 for name in PARTS})
    assert [c.id for c in index.top(asker_here, only_place, limit=10)] == []  # a reason, but a score of 0


def test_complementary_sectors_never_rank_a_partner_who_meets_no_need_above_one_who_does() -> None:
    needs = frozenset({SKILL + "web-development", SKILL + "funding"})
    asker = Profile("a", "project", organisation="o1", needs=needs, sectors=frozenset({SECTOR + "civil-society"}))
    meets_one = Profile(
        "meets",
        "project",
        organisation="o2",
        offers=frozenset({SKILL + "web-development"}),
        sectors=frozenset({SECTOR + "civil-society"}),
    )
    other_sector = Profile(
        "sector",
        "project",
        organisation="o3",
        areas=frozenset({AREA + "maker"}),
        sectors=frozenset({SECTOR + "industry"}),
    )
    asker_with_area = Profile(
        "a", "project", organisation="o1", needs=needs, areas=frozenset({AREA + "maker"}), sectors=asker.sectors
    )
    ranked = _index(asker_with_area, meets_one, other_sector).top(asker_with_area, normalise_weights(None), limit=10)
    assert [candidate.id for candidate in ranked] == ["meets", "sector"]
    assert ranked[1].parts["sectors"] == 0.0  # another sector, but nothing they can do for each other
