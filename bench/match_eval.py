"""How good and how fast collaboration matching is, on synthetic directories with planted partners.

For each size, a synthetic directory (``bench/synthetic.py``: Zipf-popular areas and skills, all 73
neighbourhoods) goes through the node's own path: actor document -> RDF triples -> matching features. Then,
for ``--askers`` random active projects, a complementary partner is planted among the distractors: it
offers what the asker needs, needs something the asker offers, shares the asker's areas and sits in another
neighbourhood within 3 km, while its other features (name, summary, SDGs, status of its organisation) are
those of a random directory project. Decoys make it harder: for each asker, projects that meet only one of
its needs and nothing else, and projects that share its areas and place but offer nothing it needs.

Reported: recall@1 and recall@10 of the planted partner, MRR, and the latency of one ranking (``top``) and
of one full answer with its explanations, as the node computes them; plus the index build time, the cost of
an incremental update, and, at the smallest size, the pure-Python pairwise model for comparison.

    .venv/bin/python bench/match_eval.py --sizes 10000 100000
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import directory  # noqa: E402
from dsi4bcn.matching.features import profile_from_triples  # noqa: E402
from dsi4bcn.matching.index import MatchIndex  # noqa: E402
from dsi4bcn.matching.model import DEFAULT_WEIGHTS, Profile, explain, normalise_weights, pair_parts  # noqa: E402
from vocab.concepts import concept_index  # noqa: E402
from vocab.fastld import document_triples  # noqa: E402

DECOYS_PER_ASKER = 4


def load_profiles(projects: int, seed: int) -> dict[str, Profile]:
    """The directory's organisations and projects as matching features, through the node's own path."""
    profiles: dict[str, Profile] = {}
    for document in directory(projects, seed=seed):
        triples, _ = document_triples(document)
        profile = profile_from_triples(document["id"], triples)
        if profile is None:
            continue
        if profile.kind == "project" and not profile.sectors and profile.organisation in profiles:
            profile = replace(profile, sectors=profiles[profile.organisation].sectors)
        profiles[profile.id] = profile
    return profiles


def _nearby_neighbourhoods(asker: Profile) -> list[tuple[str, str, float, float]]:
    """Other neighbourhoods whose centre lies within 3 km of the asker: (iri, district, lat, lon)."""
    found = []
    for place in concept_index().in_scheme("neighbourhood"):
        if place.iri == asker.neighbourhood or place.latitude is None or place.longitude is None:
            continue
        if asker.latitude is None or asker.longitude is None:
            continue
        north = (place.latitude - asker.latitude) * 111.2
        east = (place.longitude - asker.longitude) * 111.2 * math.cos(math.radians(asker.latitude))
        if math.hypot(north, east) <= 3.0:
            found.append((place.iri, place.broader[0], place.latitude, place.longitude))
    return found


def plant(profiles: dict[str, Profile], askers: int, rng: random.Random) -> dict[str, str]:
    """Add a planted partner and decoys for ``askers`` random projects; return asker -> planted partner."""
    projects = [p for p in profiles.values() if p.kind == "project" and p.active and p.needs and p.offers]
    chosen = rng.sample(projects, askers)
    planted: dict[str, str] = {}
    for number, asker in enumerate(chosen):
        nearby = _nearby_neighbourhoods(asker)
        if not nearby:
            continue
        template = rng.choice(projects)
        place = rng.choice(nearby)
        partner = replace(
            template,
            id=f"https://planted.example/projects/partner-{number}",
            organisation=f"https://planted.example/organisations/partner-{number}",
            active=True,
            offers=asker.needs | frozenset(rng.sample(sorted(template.offers), min(1, len(template.offers)))),
            needs=frozenset([rng.choice(sorted(asker.offers))]),
            areas=asker.areas,
            neighbourhood=place[0],
            district=place[1],
            latitude=place[2],
            longitude=place[3],
        )
        profiles[partner.id] = partner
        planted[asker.id] = partner.id
        for decoy in range(DECOYS_PER_ASKER):
            base = rng.choice(projects)
            features: dict[str, Any]
            if decoy % 2 == 0:  # meets one need, nothing else in common
                features = {"offers": frozenset([rng.choice(sorted(asker.needs))]), "areas": base.areas - asker.areas}
            else:  # same areas and place, offers nothing the asker needs
                features = {
                    "offers": base.offers - asker.needs,
                    "areas": asker.areas,
                    "neighbourhood": asker.neighbourhood,
                    "district": asker.district,
                    "latitude": asker.latitude,
                    "longitude": asker.longitude,
                }
            profiles[f"https://decoy.example/{number}/{decoy}"] = replace(
                base,
                id=f"https://decoy.example/{number}/{decoy}",
                organisation=f"https://decoy.example/organisations/{number}-{decoy}",
                active=True,
                **features,
            )
    return planted


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def evaluate(projects: int, askers: int, seed: int, compare_pairwise: bool) -> dict[str, float]:
    """Build, plant, index and measure one directory size."""
    rng = random.Random(seed)
    started = time.perf_counter()
    profiles = load_profiles(projects, seed)
    features_seconds = time.perf_counter() - started
    planted = plant(profiles, askers, rng)
    index = MatchIndex()
    index.profiles.update(profiles)
    started = time.perf_counter()
    index.rebuild()
    build_seconds = time.perf_counter() - started
    weights = normalise_weights(DEFAULT_WEIGHTS)

    ranks: list[int | None] = []
    several_needs: list[bool] = []
    top_ms: list[float] = []
    answer_ms: list[float] = []
    for asker_id, partner_id in planted.items():
        asker = profiles[asker_id]
        several_needs.append(len(asker.needs) > 1)
        started = time.perf_counter()
        found = index.top(asker, weights, 10)
        top_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for candidate in index.top(asker, weights, 10):
            explain(asker, profiles[candidate.id], candidate.parts, weights, "ca")
        answer_ms.append((time.perf_counter() - started) * 1000)
        ids = [candidate.id for candidate in found]
        if partner_id in ids:
            ranks.append(ids.index(partner_id) + 1)
        else:
            deeper = [candidate.id for candidate in index.top(asker, weights, 100)]
            ranks.append(deeper.index(partner_id) + 1 if partner_id in deeper else None)

    # An incremental change: one profile edited, then a query that sees it (the delta block is built).
    asker = profiles[next(iter(planted))]
    edited = replace(rng.choice(list(profiles.values())), needs=asker.offers)
    started = time.perf_counter()
    index.upsert(edited)
    index.top(asker, weights, 10)
    update_ms = (time.perf_counter() - started) * 1000

    result = {
        "projects": projects,
        "profiles": len(profiles),
        "askers": len(planted),
        "features_s": features_seconds,
        "build_s": build_seconds,
        "recall@1": sum(1 for rank in ranks if rank == 1) / len(ranks),
        "recall@10": sum(1 for rank in ranks if rank is not None and rank <= 10) / len(ranks),
        "mrr": statistics.fmean(1 / rank if rank else 0.0 for rank in ranks),
        # An asker with a single, popular need has many equally good partners in a large directory.
        "recall@10_2+needs": statistics.fmean(
            1.0 if rank is not None and rank <= 10 else 0.0
            for rank, several in zip(ranks, several_needs, strict=True)
            if several
        ),
        "top_median_ms": statistics.median(top_ms),
        "top_p95_ms": _percentile(top_ms, 0.95),
        "answer_median_ms": statistics.median(answer_ms),
        "update_then_query_ms": update_ms,
    }
    if compare_pairwise:
        sample = list(planted)[:5]
        started = time.perf_counter()
        for asker_id in sample:
            asker = profiles[asker_id]
            scored = []
            for other in profiles.values():
                if other.id == asker_id or not other.active or other.organisation == asker.organisation:
                    continue
                parts = pair_parts(asker, other)
                scored.append((sum(weights[n] * parts[n] for n in weights), other.id))
            scored.sort(reverse=True)
        result["pairwise_python_ms"] = (time.perf_counter() - started) * 1000 / len(sample)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--askers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(f"# match_eval on {os.cpu_count()} CPUs, askers={args.askers}, seed={args.seed}")
    for number, size in enumerate(args.sizes):
        result = evaluate(size, args.askers, args.seed, compare_pairwise=number == 0)
        print(
            " ".join(
                f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in result.items()
            )
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
