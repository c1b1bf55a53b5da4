"""The matching model part by part, its explanation, and the index agreeing with the pairwise model."""

import itertools
import math
import random
import re

import pytest

from dsi4bcn.matching.features import profile_from_triples, strip_tags
from dsi4bcn.matching.index import MatchIndex
from dsi4bcn.matching.model import (
    DEFAULT_WEIGHTS,
    PARTS,
    Profile,
    concept_neighbours,
    cover,
    explain,
    normalise_weights,
    pair_parts,
    place_score,
    sector_score,
    tokens,
)
from vocab.concepts import concept_index

SKILL = "https://w3id.org/dsi4bcn/skill/"
AREA = "https://w3id.org/dsi4bcn/area/"
SECTOR = "https://w3id.org/dsi4bcn/sector/"
SDG = "https://w3id.org/dsi4bcn/sdg/"
POBLENOU = "https://w3id.org/dsi4bcn/neighbourhood/68"
SANT_MARTI = "https://w3id.org/dsi4bcn/district/10"
RAVAL = "https://w3id.org/dsi4bcn/neighbourhood/1"


def _profile(name: str, **fields: object) -> Profile:
    return Profile(id=f"https://n.example/projects/{name}", kind="project", **fields)  # type: ignore[arg-type]


def test_concept_similarity_follows_the_hierarchy() -> None:
    web = concept_neighbours(SKILL + "web-development")
    assert web[SKILL + "web-development"] == 1.0
    assert web[SKILL + "software-development"] == 0.5  # its broader
    assert web[SKILL + "mobile-development"] == 0.25  # a sibling
    assert SKILL + "3d-printing" not in web
    assert concept_neighbours(SKILL + "data")[SKILL + "data-visualisation"] == 0.5  # a narrower one


def test_needs_met_by_offers_with_partial_credit() -> None:
    assert cover({SKILL + "web-development"}, {SKILL + "web-development"}) == 1.0
    assert cover({SKILL + "data"}, {SKILL + "data-visualisation"}) == 0.5
    assert cover({SKILL + "web-development", SKILL + "grants"}, {SKILL + "web-development"}) == 0.5
    assert cover({SKILL + "web-development"}, {SKILL + "mobile-development"}) == 0.25
    assert cover(set(), {SKILL + "web-development"}) == 0.0
    assert cover({SKILL + "grants"}, {SKILL + "3d-printing"}) == 0.0


def test_place_sector_and_text_parts() -> None:
    here = _profile("a", neighbourhood=POBLENOU, district=SANT_MARTI, latitude=41.400, longitude=2.200)
    same = _profile("b", neighbourhood=POBLENOU, district=SANT_MARTI, latitude=41.401, longitude=2.201)
    district = _profile("c", neighbourhood="https://w3id.org/dsi4bcn/neighbourhood/65", district=SANT_MARTI)
    far = _profile(
        "d", neighbourhood=RAVAL, district="https://w3id.org/dsi4bcn/district/1", latitude=41.380, longitude=2.169
    )
    assert place_score(here, same)[0] == 1.0
    assert place_score(here, district)[0] == 0.6
    score, distance = place_score(here, far)
    assert distance is not None and 3.0 < distance < 4.0 and 0.2 < score < 0.4
    academia = _profile("e", sectors=frozenset({SECTOR + "academia"}))
    civil = _profile("f", sectors=frozenset({SECTOR + "civil-society"}))
    assert sector_score(civil, academia) == 1.0
    assert sector_score(civil, civil) == 0.3
    assert sector_score(civil, _profile("g")) == 0.5
    assert tokens("Dades obertes per al barri") == ["dades", "oberte", "barri"]
    assert tokens("Datos abiertos") == ["datos", "abiert"]
    assert tokens("Fàbrica digital") == tokens("fabrica DIGITAL")


def test_the_score_parts_and_their_explanation() -> None:
    maker = _profile(
        "maker",
        needs=frozenset({SKILL + "web-development", SKILL + "data"}),
        offers=frozenset({SKILL + "workshop-space"}),
        areas=frozenset({AREA + "maker"}),
        sdgs=frozenset({SDG + "4", SDG + "11"}),
        sectors=frozenset({SECTOR + "civil-society"}),
        neighbourhood=POBLENOU,
        district=SANT_MARTI,
    )
    coop = _profile(
        "coop",
        needs=frozenset({SKILL + "space"}),
        offers=frozenset({SKILL + "web-development", SKILL + "data-visualisation"}),
        areas=frozenset({AREA + "digital-fabrication"}),
        sdgs=frozenset({SDG + "11"}),
        sectors=frozenset({SECTOR + "industry"}),
        neighbourhood="https://w3id.org/dsi4bcn/neighbourhood/65",
        district=SANT_MARTI,
    )
    parts = pair_parts(maker, coop, text_similarity=0.2)
    assert parts["needs"] == pytest.approx((1.0 + 0.5) / 2)
    assert parts["offers"] == 0.5  # their need "space" is the broader concept of our "workshop space"
    assert parts["areas"] == 0.5  # maker › digital fabrication, both ways
    assert parts["sdgs"] == pytest.approx(1 / 2**0.5)
    assert parts["place"] == 0.6 and parts["sectors"] == 1.0 and parts["text"] == 0.2
    weights = normalise_weights(None)
    why = explain(maker, coop, parts, weights, "ca")
    met = {(item["need"]["code"], item["offer"]["code"], item["relation"]) for item in why["needsMetByTheirOffers"]}
    assert met == {
        ("skill:web-development", "skill:web-development", "same"),
        ("skill:data", "skill:data-visualisation", "broader or narrower"),
    }
    assert why["needsMetByTheirOffers"][0]["need"]["label"] in ("Dades", "Desenvolupament web")
    assert why["theirNeedsMetByYourOffers"][0]["offer"]["code"] == "skill:workshop-space"
    assert why["place"]["same"] == "district"
    assert why["sectors"]["theirs"][0]["label"] == "Indústria"
    assert sum(why["shares"].values()) == pytest.approx(1.0, abs=1e-3)
    assert why["shares"]["needs"] > why["shares"]["text"]


def test_weights_are_bounded_and_normalised() -> None:
    weights = normalise_weights({"needs": 1.0})
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["needs"] > DEFAULT_WEIGHTS["needs"]
    for bad in ({"needs": 1.5}, {"needs": -0.1}, {"colour": 0.5}, dict.fromkeys(PARTS, 0.0)):
        with pytest.raises(ValueError):
            normalise_weights(bad)


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


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Fem <b>coses</b></p>", " Fem  coses  "),
        ("a < b > c", "a   c"),
        ("1 <> 2", "1 <> 2"),  # "<>" is no tag
        ("<><b>x", "<> x"),
        ("<a<b>x", " x"),  # a tag runs to the first ">"
        ("x < y", "x < y"),
        ("<" * 5000, "<" * 5000),  # no ">": nothing to strip (a regex retried from every "<")
    ],
)
def test_tags_are_replaced_by_spaces(html: str, text: str) -> None:
    assert strip_tags(html) == text


def test_tag_stripping_gives_what_the_regex_gave() -> None:
    # The scan replaced re.sub(r"<[^>]+>", " ", text): the same result on every string of up to 7 of these.
    reference = re.compile(r"<[^>]+>")
    for length in range(8):
        for characters in itertools.product("<>a ", repeat=length):
            text = "".join(characters)
            assert strip_tags(text) == reference.sub(" ", text), text


def test_a_received_summary_is_matched_as_text_without_its_markup() -> None:
    actor = "https://peer.example/projects/p"
    triples = [
        (
            ("iri", actor),
            ("iri", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ("iri", "https://w3id.org/dsi4bcn/ns#Project"),
        ),
        (
            ("iri", actor),
            ("iri", "https://www.w3.org/ns/activitystreams#summary"),
            ("literal", "<p>Reparem <b>bicicletes</b></p>" + "<" * 10_000, "", ""),
        ),
    ]
    profile = profile_from_triples(actor, triples)
    assert profile is not None
    assert profile.text.split()[:2] == ["Reparem", "bicicletes"]
