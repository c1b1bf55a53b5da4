"""Confirm the store choice: rdflib's memory store against Oxigraph on the same synthetic directory.

Loads the directory's quads into an rdflib Dataset and into pyoxigraph (in memory and on disk), and times a
per-topic count query; memory is measured in a fresh child process for each store.

    .venv/bin/python bench/store_compare.py --projects 10000
"""

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERY = """PREFIX dsi: <https://w3id.org/dsi4bcn/ns#>
SELECT ?area (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?p a dsi:Project ; dsi:area ?area } } GROUP BY ?area"""


def write_nquads(projects: int, path: Path) -> int:
    from bench.synthetic import directory
    from dsi4bcn.profiles.ntriples import to_ntriples
    from vocab.fastld import document_triples

    lines = 0
    with path.open("w", encoding="utf-8") as handle:
        for document in directory(projects):
            triples, _ = document_triples(document)
            for line in to_ntriples(triples, document["id"]).splitlines():
                handle.write(f"{line[:-2]} <{document['id']}> .\n")
                lines += 1
    return lines


def measure(kind: str, path: str, queue: "multiprocessing.Queue[dict[str, float]]") -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if kind == "rdflib":
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(path, format="nquads")
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        rows = len(list(dataset.query(QUERY)))
    else:
        import pyoxigraph as ox

        store = ox.Store(tempfile.mkdtemp()) if kind == "oxigraph (disk)" else ox.Store()
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        rows = len(list(store.query(QUERY)))
    queried = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"load": loaded, "query": queried, "rows": rows, "memory": (after - before) / 1024})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.nq"
        quads = write_nquads(args.projects, path)
        print(f"{args.projects} projects: {quads} quads")
        for kind in ("rdflib", "oxigraph (memory)", "oxigraph (disk)"):
            queue: multiprocessing.Queue[dict[str, float]] = multiprocessing.Queue()
            process = multiprocessing.Process(target=measure, args=(kind, str(path), queue))
            process.start()
            result = queue.get(timeout=1800)
            process.join(60)
            print(json.dumps({"store": kind, **{k: round(v, 2) for k, v in result.items()}}))


if __name__ == "__main__":
    main()
