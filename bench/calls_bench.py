"""The calls' list at scale: N synthetic calls (canonical proposals, as a peer's would be stored), read into
entries, then searched with filters and every facet's counts, and made into a page's items and filter
links. Reports the time to read the entries and to build the list, and the median and p95 of a search, of
a page's view models and of a change followed by a search, in ms.

    .venv/bin/python bench/calls_bench.py --calls 10000
"""

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dsi4bcn.directory.calllist import CallList, call_entry  # noqa: E402
from dsi4bcn.directory.callquery import CallQuery  # noqa: E402
from dsi4bcn.web.callitems import call_items, facet_views  # noqa: E402
from dsi4bcn.web.conceptview import LinkView  # noqa: E402
from vocab.concepts import concept_index  # noqa: E402

NOW = "2027-06-01T12:00:00Z"  # about half the calls have ended
QUERIES = [
    CallQuery(filters={}),
    CallQuery(filters={"purpose": frozenset({"request"}), "skill": frozenset({"software-development"})}),
    CallQuery(filters={"district": frozenset({"10"}), "skill": frozenset({"3d-printing"})}, sort="deadline"),
    CallQuery(filters={"purpose": frozenset({"offer"})}, deadline_before="2027-09-01", page=5),
    CallQuery(filters={"skill": frozenset({"hardware", "design"})}, state="all", per_page=100),
]


def documents(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` proposals of 500 authors on 20 peers, with one to three skills, half with a place, most
    with an end (some past), a third with a deadline."""
    rng = random.Random(seed)
    index = concept_index()
    skills = [concept.iri for concept in index.in_scheme("skill")]
    places = [concept.iri for scheme in ("district", "neighbourhood") for concept in index.in_scheme(scheme)]
    found = []
    for number in range(count):
        peer = f"https://peer{number % 20}.example"
        day = rng.randrange(1, 28)
        document: dict[str, Any] = {
            "id": f"{peer}/calls/{number}",
            "type": ["Proposal", "Note"],
            "purpose": rng.choice(["request", "offer"]),
            "attributedTo": f"{peer}/projects/p{number % 500}",
            "name": f"Call {number}",
            "nameMap": {"ca": f"Crida {number}", "en": f"Call {number}"},
            "publishes": {"resourceConformsTo": rng.sample(skills, rng.randint(1, 3))},
            "published": f"2026-12-{day:02d}T10:00:00Z",
        }
        if rng.random() < 0.5:
            document["basedIn"] = rng.choice(places)
        if rng.random() < 0.9:
            document["hasEnd"] = f"2027-{rng.randrange(1, 13):02d}-{day:02d}T22:59:59Z"
        if rng.random() < 0.33:
            document["deadline"] = f"2027-{rng.randrange(1, 13):02d}-{day:02d}T22:59:59Z"
        found.append(document)
    return found


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 of ``repeat`` runs, in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    arguments = parser.parse_args()
    made = documents(arguments.calls)
    start = time.perf_counter()
    entries = [entry for document in made if (entry := call_entry(document, source="peer", local=False))]
    read = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    listed = CallList(entries)
    built = (time.perf_counter() - start) * 1000
    print(f"python {platform.python_version()}, {len(entries)} calls")
    print(f"read entries: {read:.0f} ms ({read * 1000 / len(entries):.0f} µs a call); build the list: {built:.0f} ms")
    for query in QUERIES:
        median, p95 = timed(lambda query=query: listed.search(query, NOW), arguments.repeat)
        answer = listed.search(query, NOW)
        print(
            f"search {dict(query.filters)} {query.sort}: {answer.total} found; median {median:.2f} ms, p95 {p95:.2f} ms"
        )
    answer = listed.search(QUERIES[1], NOW)
    authors = {entry.author: LinkView(entry.author, entry.author) for entry in answer.entries}
    parameters = [("purpose", "request"), ("skill", "software-development")]

    def page() -> None:
        call_items(answer.entries, "ca", authors)
        facet_views(answer.facets, QUERIES[1].filters, parameters, "ca")

    median, p95 = timed(page, arguments.repeat)
    print(f"page view models (20 items, every filter link): median {median:.2f} ms, p95 {p95:.2f} ms")
    victim = entries[len(entries) // 2]

    def change() -> None:
        listed.upsert(victim)
        listed.search(QUERIES[0], NOW)

    median, p95 = timed(change, 10)
    print(f"a change (its row replaced in place), then a search: median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
