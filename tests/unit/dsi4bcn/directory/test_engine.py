"""The directory engine: text in three languages, facets with hierarchy, counts that ignore their own
filter, order, paging, and rows that change in place."""

import dataclasses

from dsi4bcn.directory.engine import DirectoryIndex
from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.query import DirectoryQuery


def _entry(
    iri: str,
    kind: str = "project",
    *,
    name: str = "",
    summaries: dict[str, str] | None = None,
    source: str = "a.example",
    updated: str = "2025-01-01T00:00:00Z",
    **concepts: set[str],
) -> Entry:
    return Entry(
        id=iri,
        kind=kind,
        names={"ca": name or iri},
        summaries=summaries or {},
        source=source,
        local=source == "a.example",
        updated=updated,
        concepts={facet: frozenset(keys) for facet, keys in concepts.items()},
    )


PRINTER = _entry(
    "https://a.example/projects/printer",
    name="Reparem al Barri",
    summaries={
        "ca": "Peces fetes amb impressió 3D al taller.",
        "es": "Piezas hechas con impresión 3D en el taller.",
        "en": "Parts made by 3D printing in the workshop.",
    },
    area={"digital-fabrication"},
    district={"10"},
    neighbourhood={"68"},
    offers={"3d-printing"},
    status={"active"},
)
GARDEN = _entry(
    "https://b.example/projects/garden",
    name="Hort Comunitari",
    summaries={"en": "A community garden with open data sensors."},
    source="b.example",
    area={"open-data"},
    district={"10"},
    neighbourhood={"69"},
    needs={"3d-printing"},
    status={"idea"},
    updated="2026-01-01T00:00:00Z",
)
COOP = _entry(
    "https://b.example/organisations/coop",
    "organisation",
    name="Cooperativa Teixit",
    source="b.example",
    district={"6"},
    sector={"industry"},
)


def _index(*entries: Entry) -> DirectoryIndex:
    index = DirectoryIndex()
    index.upsert_many(entries)
    return index


def _ids(index: DirectoryIndex, **asked: object) -> list[str]:
    return [entry.id for entry in index.search(DirectoryQuery(**asked)).entries]  # type: ignore[arg-type]


def test_text_in_any_language_finds_the_3d_printing_project_accents_and_case_aside() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    for text in ("impressió 3D", "IMPRESSIO", "impresion", "3d printing", "3D-print", "Reparem", "rep bar"):
        assert _ids(index, text=text) == [PRINTER.id], text
    assert _ids(index, text="impression") == []  # every word must match
    assert _ids(index, text="printing garden") == []


def test_a_concept_label_matches_what_holds_the_concept() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    assert _ids(index, text="dades obertes") == [GARDEN.id]  # the label of area open-data in Catalan


def test_query_syntax_is_only_text() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    for text in ('"', "*", "NEAR(a b)", "a OR b", "^x", "-", "{names}: x", "' OR 1=1 --"):
        answer = index.search(DirectoryQuery(text=text))
        assert answer.total in (0, 3), text


def test_a_broader_area_includes_the_narrower_and_a_district_its_neighbourhoods() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    # digital-fabrication is narrower than maker in the areas scheme
    assert _ids(index, filters={"area": frozenset({"maker"})}) == [PRINTER.id]
    assert ("maker", 1) in index.search(DirectoryQuery()).facets["area"]
    assert _ids(index, filters={"offers": frozenset({"hardware"})}) == [PRINTER.id]  # 3d-printing's broader
    assert sorted(_ids(index, filters={"district": frozenset({"10"})})) == sorted([PRINTER.id, GARDEN.id])
    assert _ids(index, filters={"neighbourhood": frozenset({"68"})}) == [PRINTER.id]


def test_counts_follow_the_other_filters_but_not_their_own() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    answer = index.search(DirectoryQuery(filters={"kind": frozenset({"project"}), "source": frozenset({"b.example"})}))
    assert [entry.id for entry in answer.entries] == [GARDEN.id]
    assert dict(answer.facets["kind"]) == {"organisation": 1, "project": 1}  # source b only
    assert dict(answer.facets["source"]) == {"a.example": 1, "b.example": 1}  # projects only
    assert dict(answer.facets["status"]) == {"idea": 1}
    nothing = index.search(DirectoryQuery(filters={"status": frozenset({"paused"})}))
    assert nothing.total == 0 and ("paused", 0) in nothing.facets["status"]  # a chosen key shows at 0


def test_values_of_one_facet_are_alternatives() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    assert len(_ids(index, filters={"status": frozenset({"active", "idea"})})) == 2


def test_order_and_paging() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    assert _ids(index, sort="name") == [COOP.id, GARDEN.id, PRINTER.id]
    assert _ids(index, sort="updated")[0] == GARDEN.id
    assert _ids(index, sort="name", page=2, per_page=2) == [PRINTER.id]
    assert _ids(index, sort="name", page=3, per_page=2) == []
    assert index.search(DirectoryQuery(page=3, per_page=2)).total == 3


def test_relevance_puts_a_name_match_before_a_summary_match() -> None:
    named = _entry("https://a.example/projects/taller", name="Taller obert")
    described = _entry("https://a.example/projects/other", name="Una altra cosa", summaries={"ca": "Un taller."})
    index = _index(described, named)
    assert _ids(index, text="taller", sort="relevance") == [named.id, described.id]


def test_rows_change_in_place_and_removed_entries_leave() -> None:
    index = _index(PRINTER, GARDEN, COOP)
    index.remove(GARDEN.id)
    assert GARDEN.id not in _ids(index) and len(index) == 2
    assert dict(index.search(DirectoryQuery()).facets["district"]) == {"10": 1, "6": 1}
    renamed = _entry(PRINTER.id, name="Fablab del Poblenou", district={"1"})
    index.upsert(renamed)
    assert _ids(index, text="impressio") == []
    assert _ids(index, text="fablab", filters={"district": frozenset({"1"})}) == [PRINTER.id]
    index.upsert(GARDEN)  # takes the freed row
    assert sorted(_ids(index)) == sorted([PRINTER.id, GARDEN.id, COOP.id])
    assert _ids(index, text="garden") == [GARDEN.id]


def test_an_organisations_projects_follow_changes_and_survive_a_snapshot() -> None:
    org_a, org_b = "https://a.example/organisations/a", "https://a.example/organisations/b"
    first = dataclasses.replace(_entry("https://a.example/projects/one"), organisation=org_a)
    second = dataclasses.replace(_entry("https://a.example/projects/two"), organisation=org_a)
    index = DirectoryIndex()
    index.upsert_many([first, second, _entry(org_a, "organisation")])
    assert index.projects_of(org_a) == [first.id, second.id]
    index.upsert(dataclasses.replace(second, organisation=org_b))  # moved to another organisation
    assert index.projects_of(org_a) == [first.id] and index.projects_of(org_b) == [second.id]
    index.remove(first.id)
    assert index.projects_of(org_a) == []
    third = dataclasses.replace(_entry("https://a.example/projects/three"), organisation=org_b)
    index.upsert(third)  # takes the free row the removed project left
    restored = DirectoryIndex.restore(index.state())
    assert restored.projects_of(org_b) == index.projects_of(org_b)
    assert set(index.projects_of(org_b)) == {second.id, third.id}
    assert restored.projects_of(org_a) == []
