"""How fast and how good matching calls for collaboration is: 100k profiles, 10k open calls.

The synthetic directory (``bench/synthetic.py``) goes through the node's own path (actor document -> RDF
triples -> matching features, as ``bench/match_eval.py`` does), and so do the synthetic calls (an FEP-0837
proposal document -> ``vocab.fastld.document_triples`` -> ``call_from_triples``, with the author's sectors
and organisation passed in as the node's matcher does). Calls name 1-3 Zipf-popular skills, sit in their
author's neighbourhood, and close 1-60 days after the clock used; another tenth are already closed (hidden
by every query). Then:

- for ``--queries`` new calls (not in the index; half requests, half offers): the ranking over every
  profile and every open call (``CallMatching.rank``), and the full answer with the explanations
  (``CallMatching.match``);
- for ``--queries`` random profiles: the open calls they could answer (``CallMatching.for_profile``);
- recall: for each new request, a planted profile that offers exactly the requested concepts, in the
  call's neighbourhood, of another sector than the call's author, its other features a random profile's;
  recall@1 and recall@10 of it in the ranking (profiles and calls together) and among profiles alone, and
  for the misses, how many of those ranked above it meet every concept with another sector too.

    .venv/bin/python bench/call_match.py --profiles 100000 --calls 10000 --queries 200
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.match_eval import load_profiles  # noqa: E402
from bench.synthetic import _weighted  # noqa: E402
from dsi4bcn.matching.callfeatures import call_from_triples  # noqa: E402
from dsi4bcn.matching.callindex import CALL_REASONS, CallIndex  # noqa: E402
from dsi4bcn.matching.callmatching import CallMatching  # noqa: E402
from dsi4bcn.matching.callmodel import CallFeatures, as_profile, index_weights  # noqa: E402
from dsi4bcn.matching.index import MatchIndex  # noqa: E402
from dsi4bcn.matching.model import Profile  # noqa: E402
from vocab.concepts import concept_index  # noqa: E402
from vocab.contexts import proposal_context  # noqa: E402
from vocab.fastld import document_triples  # noqa: E402

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SECTORS = [f"https://w3id.org/dsi4bcn/sector/{code}" for code in ("industry", "academia", "civil-society")]


def call_document(rng: random.Random, number: int, author: Profile, skills: list[str], closed: bool) -> dict[str, Any]:
    """A call as a node publishes it (the shape of ``tests/unit/vocab/test_fastshapes.py``'s)."""
    iri = f"https://calls.example/calls/c{number}"
    purpose = "request" if number % 2 == 0 else "offer"
    concepts = _weighted(rng, skills, rng.choice([1, 1, 2, 3]))
    labels = ", ".join(concept_index().resolve(curie).label("ca") for curie in concepts)  # type: ignore[union-attr]
    days = -rng.randint(1, 30) if closed else rng.randint(1, 60)
    document: dict[str, Any] = {
        "@context": proposal_context(),
        "id": iri,
        "type": ["Proposal", "Note"],
        "purpose": purpose,
        "attributedTo": author.id,
        "nameMap": {"ca": f"{'Busquem' if purpose == 'request' else 'Oferim'} {labels}"},
        "contentMap": {"ca": f"<p>Crida {number}: {labels} al barri.</p>"},
        "publishes": {
            "id": f"{iri}#primary",
            "type": "Intent",
            "action": "deliverService",
            "resourceConformsTo": concepts,
            "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": rng.randint(1, 4)},
        },
        "deadline": (NOW + timedelta(days=days)).isoformat().replace("+00:00", "Z"),
    }
    if author.neighbourhood:
        code = author.neighbourhood.rsplit("/", 1)[-1]
        document["basedIn"] = f"neighbourhood:{code}"
    return document


def make_calls(profiles: list[Profile], count: int, rng: random.Random, start: int, closed: bool) -> list[CallFeatures]:
    """``count`` calls by random authors, through the node's path from the published document."""
    skills = [concept.curie for concept in concept_index().in_scheme("skill")]
    calls = []
    for number in range(start, start + count):
        author = rng.choice(profiles)
        triples, _ = document_triples(call_document(rng, number, author, skills, closed))
        organisation = author.organisation if author.kind == "project" else None
        call = call_from_triples(f"https://calls.example/calls/c{number}", triples, author.sectors, organisation)
        assert call is not None
        calls.append(call)
    return calls


def plant(requests: list[CallFeatures], profiles: list[Profile], rng: random.Random) -> dict[str, str]:
    """A planted helper per request: its concepts exactly, its neighbourhood, another sector."""
    planted = {}
    for number, call in enumerate(requests):
        template = rng.choice(profiles)
        other_sectors = [sector for sector in SECTORS if sector not in call.sectors]
        helper = replace(
            template,
            id=f"https://planted.example/projects/helper-{number}",
            kind="project",
            organisation=f"https://planted.example/organisations/helper-{number}",
            active=True,
            offers=call.concepts,
            sectors=frozenset([rng.choice(other_sectors)]),
            neighbourhood=call.neighbourhood,
            district=call.district,
            latitude=call.latitude,
            longitude=call.longitude,
        )
        profiles.append(helper)
        planted[call.id] = helper.id
    return planted


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def _summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{name}_median_ms={statistics.median(values):.2f} {name}_p95_ms={p95:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"# call_match on {os.cpu_count()} CPUs, seed={args.seed}")
    started = time.perf_counter()
    profiles = list(load_profiles(args.profiles * 5 // 6, args.seed).values())[: args.profiles]
    calls = make_calls(profiles, args.calls, rng, 0, closed=False)
    calls += make_calls(profiles, args.calls // 10, rng, args.calls, closed=True)
    queries = make_calls(profiles, args.queries, rng, 2 * args.calls, closed=False)
    features_s = time.perf_counter() - started
    planted = plant([call for call in queries if call.purpose == "request"], profiles, rng)
    index = MatchIndex()
    index.profiles.update((profile.id, profile) for profile in profiles)
    call_index = CallIndex()
    build_s, _ = _timed(index.rebuild)
    calls_build_s, _ = _timed(lambda: call_index.load(calls))
    matching = CallMatching(index, call_index)
    print(
        f"profiles={len(profiles)} open_calls={len(call_index.open_at(NOW))} closed_calls={len(calls) - args.calls}"
        f" features_s={features_s:.1f} profile_index_s={build_s / 1000:.1f} call_index_s={calls_build_s / 1000:.2f}"
    )
    rank_ms, answer_ms, ranks = [], [], []
    as_good: list[bool] = []
    profile_ranks: list[int | None] = []
    for call in queries:
        elapsed, found = _timed(lambda call=call: matching.rank(call, 10, NOW))
        rank_ms.append(elapsed)
        answer_ms.append(_timed(lambda call=call: matching.match(call, 10, NOW, "ca"))[0])
        if call.id in planted:
            ids = [candidate.id for candidate in found]
            ranks.append(ids.index(planted[call.id]) + 1 if planted[call.id] in ids else None)
            if planted[call.id] not in ids:  # were those ranked above it as good partners?
                as_good.extend(c.parts["needs"] + c.parts["offers"] == 1.0 and c.parts["sectors"] == 1.0 for c in found)
            alone = index.top(as_profile(call), index_weights(), 10, reasons=CALL_REASONS)  # profiles only
            profile_ids = [candidate.id for candidate in alone]
            profile_ranks.append(profile_ids.index(planted[call.id]) + 1 if planted[call.id] in profile_ids else None)
    several = [
        rank
        for rank, call in zip(ranks, [q for q in queries if q.id in planted], strict=True)
        if len(call.concepts) > 1
    ]
    for_profile_ms = [
        _timed(lambda profile=profile: matching.for_profile(profile, 10, NOW, "ca"))[0]
        for profile in rng.sample(profiles, args.queries)
    ]
    print(_summary("match_call_rank", rank_ms), _summary("match_call_answer", answer_ms))
    print(_summary("calls_for_profile_answer", for_profile_ms))
    print(
        f"planted={len(ranks)} recall@1={sum(rank == 1 for rank in ranks) / len(ranks):.3f}"
        f" recall@10={sum(rank is not None for rank in ranks) / len(ranks):.3f}"
        f" recall@10_2+concepts={sum(rank is not None for rank in several) / max(1, len(several)):.3f}"
        f" (of {len(several)})"
    )
    print(
        f"profiles_only: recall@1={sum(rank == 1 for rank in profile_ranks) / len(profile_ranks):.3f}"
        f" recall@10={sum(rank is not None for rank in profile_ranks) / len(profile_ranks):.3f};"
        f" misses: share of the ten ranked above that meet every concept with another sector"
        f" {sum(as_good) / max(1, len(as_good)):.3f}"
    )


if __name__ == "__main__":
    main()
