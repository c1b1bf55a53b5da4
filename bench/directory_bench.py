"""Directory queries at scale: text plus two filters plus every facet's counts, over N synthetic projects.

Builds the directory index in process from ``bench/synthetic.py`` documents (projects and their
organisations), then times the same queries through the engine and through a plain Python scan over the
same entries, prepared beforehand (each entry's facet keys and words as sets: the baseline), and reports
the median and p95 of each in ms, and the time to load the index.

    .venv/bin/python bench/directory_bench.py --projects 100000
"""

import argparse
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import directory  # noqa: E402
from dsi4bcn.directory.engine import LABELLED, DirectoryIndex, entry_texts, facet_keys, label_words  # noqa: E402
from dsi4bcn.directory.entries import Entry, entry_from_triples  # noqa: E402
from dsi4bcn.directory.query import FACETS, DirectoryQuery, text_tokens  # noqa: E402
from vocab.fastld import document_triples  # noqa: E402

QUERIES = [
    DirectoryQuery(text="taller", filters={"district": frozenset({"1"}), "offers": frozenset({"hardware"})}),
    DirectoryQuery(text="lab", filters={"status": frozenset({"active"}), "area": frozenset({"open-data"})}),
    DirectoryQuery(text="xarxa", filters={"kind": frozenset({"project"}), "sdg": frozenset({"11"})}),
    DirectoryQuery(text="huerto comu", filters={"district": frozenset({"2"}), "needs": frozenset({"design"})}),
]
Prepared = list[tuple[dict[str, frozenset[str]], set[str]]]


def prepare(entries: list[Entry]) -> Prepared:
    """Each entry's facet keys and words (its texts' and its concepts' labels'), for the baseline scan."""
    labels: dict[tuple[str, str], set[str]] = {}
    for word, facet, key in label_words():
        labels.setdefault((facet, key), set()).add(word)
    prepared = []
    for entry in entries:
        keys = {facet: facet_keys(entry, facet) for facet in FACETS}
        words = set(text_tokens(" ".join(entry_texts(entry))))
        for facet in LABELLED:
            for key in keys[facet]:
                words |= labels.get((facet, key), set())
        prepared.append((keys, words))
    return prepared


def scan(prepared: Prepared, query: DirectoryQuery) -> tuple[int, dict[str, Counter[str]]]:
    """The baseline: one pass in Python over every entry, counting as the engine does (words only)."""
    words = text_tokens(query.text)
    total = 0
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for keys, tokens in prepared:
        if not all(any(token.startswith(word) for token in tokens) for word in words):
            continue
        failing = [facet for facet, chosen in query.filters.items() if not keys[facet] & chosen]
        total += not failing
        for facet in FACETS:
            if not failing or failing == [facet]:
                counts[facet].update(keys[facet])
    return total, counts


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    entries = []
    for document in directory(args.projects):
        triples, _ = document_triples(document)
        entry = entry_from_triples(document["id"], triples, source="peer.example", local=False)
        if entry is not None:
            entries.append(entry)
    start = time.perf_counter()
    index = DirectoryIndex()
    index.upsert_many(entries)
    index.search(DirectoryQuery(sort="name"))  # the name order is computed at the first query
    load = time.perf_counter() - start
    print(f"entries: {len(entries)}; index load (text, facets, name order): {load:.2f} s")
    engine_times: list[float] = []
    for query in QUERIES:
        engine_times += timed(lambda query=query: index.search(query), args.repeat)  # type: ignore[misc]
    prepared = prepare(entries)
    scan_times: list[float] = []
    for query in QUERIES:
        scan_times += timed(lambda query=query: scan(prepared, query), 2)  # type: ignore[misc]
    engine_ms, scan_ms = statistics.median(engine_times), statistics.median(scan_times)
    print(f"engine: median {engine_ms:.2f} ms, p95 {statistics.quantiles(engine_times, n=20)[18]:.2f} ms")
    print(f"python scan: median {scan_ms:.0f} ms, p95 {statistics.quantiles(scan_times, n=20)[18]:.0f} ms")
    print(f"ratio engine / scan: {engine_ms / scan_ms:.4f}")
    for query in QUERIES:
        assert index.search(query).total == scan(prepared, query)[0], query


if __name__ == "__main__":
    main()
