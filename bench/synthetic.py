"""Realistic synthetic DSI directories: organisations and projects as published actor documents.

Distributions follow the demo set's shape: a few popular DSI areas and many rare ones, needs and offers
drawn from the skills scheme (two levels), projects spread over all 73 neighbourhoods with more in the
central districts, mostly active. Deterministic for a seed. Also usable from the command line:

    .venv/bin/python bench/synthetic.py --projects 10000 --out /tmp/directory.jsonl
"""

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dsi4bcn.profiles.actorrecords import ActorRecord  # noqa: E402
from dsi4bcn.profiles.documents import render_actor  # noqa: E402
from vocab.concepts import concept_index  # noqa: E402

FAKE_PEM = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsynthetic\n-----END PUBLIC KEY-----\n"
)
WORDS = {
    "ca": [
        "Taller",
        "Xarxa",
        "Laboratori",
        "Ateneu",
        "Cooperativa",
        "Observatori",
        "Escola",
        "Mapa",
        "Fàbrica",
        "Hort",
        "Ràdio",
        "Biblioteca",
        "Punt",
        "Comunitat",
        "Arxiu",
    ],
    "es": [
        "Taller",
        "Red",
        "Laboratorio",
        "Ateneo",
        "Cooperativa",
        "Observatorio",
        "Escuela",
        "Mapa",
        "Fábrica",
        "Huerto",
        "Radio",
        "Biblioteca",
        "Punto",
        "Comunidad",
        "Archivo",
    ],
    "en": [
        "Workshop",
        "Network",
        "Lab",
        "Athenaeum",
        "Cooperative",
        "Observatory",
        "School",
        "Map",
        "Factory",
        "Garden",
        "Radio",
        "Library",
        "Point",
        "Community",
        "Archive",
    ],
}
TOPICS = {
    "ca": ["obert", "digital", "del barri", "ciutadà", "lliure", "comunitari", "de dades", "maker"],
    "es": ["abierto", "digital", "del barrio", "ciudadano", "libre", "comunitario", "de datos", "maker"],
    "en": ["open", "digital", "neighbourhood", "civic", "free", "community", "data", "maker"],
}


def _weighted(rng: random.Random, items: list[Any], count: int) -> list[Any]:
    """``count`` distinct items, the first ones much more likely (a Zipf-like popularity)."""
    weights = [1.0 / (rank + 1) for rank in range(len(items))]
    chosen: list[Any] = []
    while len(chosen) < min(count, len(items)):
        pick = rng.choices(items, weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def directory(
    projects: int, *, origin: str = "https://peer.example", seed: int = 7, per_organisation: int = 5
) -> Iterator[dict[str, Any]]:
    """Organisation and project actor documents (organisations first for each group)."""
    rng = random.Random(seed)
    index = concept_index()
    areas = [c.curie for c in index.in_scheme("area")]
    skills = [c.curie for c in index.in_scheme("skill")]
    neighbourhoods = index.in_scheme("neighbourhood")
    sectors = [c.curie for c in index.in_scheme("sector")]
    sdgs = [c.curie for c in index.in_scheme("sdg")]
    rng.shuffle(areas)
    rng.shuffle(skills)
    authority = origin.split("://", 1)[1]
    for number in range(projects):
        if number % per_organisation == 0:
            organisation = f"org-{number // per_organisation}"
            place = rng.choice(neighbourhoods)
            fields = {
                "nameMap": {lang: f"{rng.choice(WORDS[lang])} {organisation}" for lang in ("ca", "es", "en")},
                "sectors": [rng.choice(sectors)],
                "areas": _weighted(rng, areas, rng.randint(1, 3)),
                "needs": _weighted(rng, skills, rng.randint(1, 3)),
                "offers": _weighted(rng, skills, rng.randint(1, 3)),
                "basedIn": place.curie,
                "manuallyApprovesFollowers": False,
                "discoverable": True,
                "indexable": True,
            }
            record = ActorRecord(
                "organisation", organisation, None, fields, FAKE_PEM, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z"
            )
            yield render_actor(record, base_url=origin, authority=authority, language="ca")
        place = rng.choice(neighbourhoods)
        word = rng.randrange(len(WORDS["ca"]))
        topic = rng.randrange(len(TOPICS["ca"]))
        fields = {
            "nameMap": {lang: f"{WORDS[lang][word]} {TOPICS[lang][topic]} {number}" for lang in ("ca", "es", "en")},
            "summaryMap": {
                lang: f"{WORDS[lang][word]} {TOPICS[lang][topic]}: project {number}." for lang in ("ca", "en")
            },
            "areas": _weighted(rng, areas, rng.randint(1, 3)),
            "needs": _weighted(rng, skills, rng.randint(1, 4)),
            "offers": _weighted(rng, skills, rng.randint(1, 4)),
            "sdgs": _weighted(rng, sdgs, rng.randint(0, 2)),
            "basedIn": place.curie,
            "location": {
                "type": "Place",
                "latitude": round((place.latitude or 41.39) + rng.uniform(-0.004, 0.004), 5),
                "longitude": round((place.longitude or 2.17) + rng.uniform(-0.004, 0.004), 5),
            },
            "projectStatus": rng.choices(
                ["status:active", "status:idea", "status:paused", "status:completed"], [80, 8, 5, 7]
            )[0],
            "startDate": f"20{rng.randint(14, 25)}-{rng.randint(1, 12):02d}-01",
            "manuallyApprovesFollowers": False,
            "discoverable": True,
            "indexable": True,
        }
        fields = {key: value for key, value in fields.items() if value}
        record = ActorRecord(
            "project",
            f"project-{number}",
            f"org-{number // per_organisation}",
            fields,
            FAKE_PEM,
            "2025-01-01T00:00:00Z",
            "2025-06-01T00:00:00Z",
        )
        yield render_actor(record, base_url=origin, authority=authority, language="ca")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--origin", default="https://peer.example")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as handle:
        for document in directory(args.projects, origin=args.origin):
            handle.write(json.dumps(document, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
