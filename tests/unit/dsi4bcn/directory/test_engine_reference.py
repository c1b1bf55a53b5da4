"""The engine against a plain Python reference: for generated profiles and generated queries (text, any
combination of filters, paging), the same results, totals and facet counts."""

import re
import unicodedata
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from dsi4bcn.directory.engine import DirectoryIndex
from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.query import FACETS, DirectoryQuery
from vocab.concepts import concept_index

WORDS = ["Impressió", "impresión", "printing", "Taller", "Hort", "Xarxa", "dades", "ÀNEC", "cafè", "3D", "lab"]
POOLS = {
    "area": ["maker", "digital-fabrication", "open-data", "citizen-sensing", "citizen-science"],
    "needs": ["3d-printing", "hardware", "design"],
    "offers": ["3d-printing", "cnc-machining", "hardware", "web-development"],
    "district": ["1", "10"],
    "neighbourhood": ["1", "68", "69"],
    "sector": ["industry", "academia"],
    "sdg": ["11", "12"],
    "status": ["active", "idea"],
}
SCHEMES = {
    "area": "area",
    "needs": "skill",
    "offers": "skill",
    "district": "district",
    "neighbourhood": "neighbourhood",
    "sector": "sector",
    "sdg": "sdg",
    "status": "status",
}


def _words(text: str) -> list[str]:
    """The reference's reading of words: Unicode letters and digits, lower case, no accents."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    return [word for word in re.split(r"[\W_]+", stripped) if word]


def _with_broader(facet: str, keys: frozenset[str]) -> set[str]:
    concepts = concept_index()
    found = set(keys)
    if facet in ("area", "needs", "offers"):
        for key in keys:
            iri = concepts.get(SCHEMES[facet], key).iri  # type: ignore[union-attr]
            found |= {c.code for c in concepts.ancestors(iri) if c.scheme == SCHEMES[facet]}
    return found


def _keys(entry: Entry, facet: str) -> set[str]:
    if facet == "kind":
        return {entry.kind}
    if facet == "source":
        return {entry.source}
    return _with_broader(facet, entry.concepts.get(facet, frozenset()))


def _matches_text(entry: Entry, text: str) -> bool:
    words = set(_words(" ".join([*entry.names.values(), *entry.summaries.values()])))
    concepts = concept_index()
    for facet in ("area", "offers"):
        for key in _keys(entry, facet):
            for label in concepts.get(SCHEMES[facet], key).labels.values():  # type: ignore[union-attr]
                words |= set(_words(label))
    return all(any(word.startswith(asked) for word in words) for asked in _words(text))


def _reference(entries: list[Entry], query: DirectoryQuery) -> tuple[list[str], dict[str, Counter[str]]]:
    found = [entry for entry in entries if _matches_text(entry, query.text)]
    counts: dict[str, Counter[str]] = {}
    for facet in FACETS:
        others = [
            entry for entry in found if all(_keys(entry, f) & keys for f, keys in query.filters.items() if f != facet)
        ]
        counts[facet] = Counter(key for entry in others for key in _keys(entry, facet))
    chosen = [entry for entry in found if all(_keys(entry, f) & keys for f, keys in query.filters.items())]
    chosen.sort(key=lambda entry: (" ".join(_words(entry.names["ca"])), entry.id))
    return [entry.id for entry in chosen], counts


@st.composite
def _entries(draw: st.DrawFn) -> list[Entry]:
    made = []
    for number in range(draw(st.integers(0, 25))):
        concepts = {
            facet: frozenset(
                draw(
                    st.lists(
                        st.sampled_from(pool), max_size=2 if facet not in ("district", "neighbourhood", "status") else 1
                    )
                )
            )
            for facet, pool in POOLS.items()
        }
        made.append(
            Entry(
                id=f"https://{draw(st.sampled_from(['a', 'b']))}.example/p/{number}",
                kind=draw(st.sampled_from(["organisation", "project"])),
                names={"ca": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))},
                summaries={"en": " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=4)))},
                source=draw(st.sampled_from(["a.example", "b.example"])),
                local=False,
                updated="2025-01-01T00:00:00Z",
                concepts=concepts,
            )
        )
    return made


@st.composite
def _queries(draw: st.DrawFn) -> DirectoryQuery:
    text_words = draw(st.lists(st.sampled_from(WORDS), max_size=2))
    text = " ".join(word[: draw(st.integers(1, len(word)))] for word in text_words)
    filters = {}
    for facet in draw(st.lists(st.sampled_from(FACETS), max_size=3, unique=True)):
        pool = {"kind": ["organisation", "project"], "source": ["a.example", "b.example"]}.get(facet) or POOLS[facet]
        filters[facet] = frozenset(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2)))
    return DirectoryQuery(text=text, filters=filters, sort="name", page=1, per_page=100)


@settings(max_examples=100, deadline=None)
@given(_entries(), _queries(), st.integers(0, 3))
def test_engine_and_reference_agree(entries: list[Entry], query: DirectoryQuery, removed: int) -> None:
    index = DirectoryIndex()
    index.upsert_many(entries)
    for entry in entries[:removed]:  # removals and re-additions leave no trace
        index.remove(entry.id)
        index.upsert(entry)
    answer = index.search(query)
    ids, counts = _reference(entries, query)
    assert [entry.id for entry in answer.entries] == ids
    assert answer.total == len(ids)
    for facet in FACETS:
        got = {key: count for key, count in answer.facets[facet] if count}
        assert got == dict(counts[facet]), facet
        assert {key for key, count in answer.facets[facet] if not count} <= query.filters.get(facet, frozenset())
