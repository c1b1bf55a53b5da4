"""The calls' list: entries read from canonical proposals (local and received forms), and search against a
plain Python reference for generated calls and queries (open at a moment, purpose, skill with its narrower
ones, district, deadline, order, paging), with counts that ignore their own filter."""

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dsi4bcn.directory.calllist import CallEntry, CallList, answer_json, call_entry
from dsi4bcn.directory.callquery import CallQuery, deadline_limit
from dsi4bcn.profiles.calldocuments import CallRecord, render_call
from dsi4bcn.profiles.callvalidation import normalise_call
from federation.proposals import read_proposal, render_proposal
from vocab.concepts import concept_index
from vocab.contexts import proposal_context

BASE = "https://node.example"
NOW = "2027-01-01T12:00:00Z"


def _local(**changes: Any) -> dict[str, Any]:
    body = {
        "purpose": "request",
        "nameMap": {"ca": "Voluntàries", "en": "Volunteers"},
        "concepts": ["skill:3d-printing", "skill:volunteers"],
        "basedIn": "neighbourhood:64",
        "validUntil": "2027-01-10",
        "deadline": "2027-01-05",
        **changes,
    }
    fields = normalise_call(body, concepts=concept_index())
    record = CallRecord("abc234", "project", "fira", fields, "2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z")
    return render_call(record, base_url=BASE, language="ca")


def test_a_local_call_becomes_an_entry() -> None:
    entry = call_entry(_local(), source="node.example", local=True)
    assert entry is not None
    assert entry.page == entry.iri == f"{BASE}/calls/abc234"
    assert entry.skills == ("3d-printing", "volunteers") and entry.purpose == "request"
    assert entry.district == "10" and entry.place == "https://w3id.org/dsi4bcn/neighbourhood/64"
    assert entry.title("en") == "Volunteers" and entry.title("es") == "Voluntàries"
    assert entry.deadline is not None and entry.deadline.startswith("2027-01-05")
    assert entry.author == f"{BASE}/projects/fira"
    assert entry.is_open(NOW) and not entry.is_open("2027-02-01T00:00:00Z")


def test_a_received_call_in_canonical_form_becomes_the_same_entry_with_its_page_here() -> None:
    canonical = render_proposal(read_proposal(_local()), context=proposal_context())
    received = call_entry(canonical, source="node.example", local=False)
    local = call_entry(_local(), source="node.example", local=True)
    assert received is not None and local is not None
    assert received.page == "/network/call?id=https%3A%2F%2Fnode.example%2Fcalls%2Fabc234"
    assert (received.skills, received.district, received.ends, received.deadline) == (
        local.skills,
        local.district,
        local.ends,
        local.deadline,
    )


def test_what_a_listed_call_needs() -> None:
    document = _local()
    assert call_entry({**document, "purpose": "maybe"}, source="n", local=True) is None
    assert call_entry({**document, "attributedTo": None}, source="n", local=True) is None
    nothing = {**document["publishes"], "resourceConformsTo": ["https://w3id.org/dsi4bcn/area/maker"]}
    assert call_entry({**document, "publishes": nothing}, source="n", local=True) is None
    bad_time = call_entry({**document, "hasEnd": "soon"}, source="n", local=True)
    assert bad_time is not None and bad_time.ends is None


def test_deadline_days_are_barcelona_days() -> None:
    assert deadline_limit("2027-01-31") == "2027-01-31T23:00:00Z"  # winter: UTC+1
    assert deadline_limit("2027-07-31") == "2027-07-31T22:00:00Z"  # summer: UTC+2


SKILLS = ["3d-printing", "hardware", "web-development", "software-development", "translation"]
PLACES = [None, "district:1", "district:10", "neighbourhood:64", "neighbourhood:1"]
MOMENTS = [None, "2026-12-31T00:00:00Z", "2027-01-01T12:00:00Z", "2027-01-02T00:00:00Z", "2027-03-01T00:00:00Z"]


def _entry(
    number: int, purpose: str, skills: list[str], place: str | None, ends: str | None, deadline: str | None
) -> CallEntry:
    document: dict[str, Any] = {
        "id": f"https://peer.example/calls/{number}",
        "purpose": purpose,
        "attributedTo": f"https://peer.example/projects/p{number % 3}",
        "name": f"call {number}",
        "publishes": {"resourceConformsTo": [f"https://w3id.org/dsi4bcn/skill/{code}" for code in skills]},
        "published": f"2026-12-{number % 28 + 1:02d}T00:00:00Z",
    }
    for key, value in (("basedIn", place), ("hasEnd", ends), ("deadline", deadline)):
        if value is not None:
            document[key] = value
    entry = call_entry(document, source="peer.example", local=False)
    assert entry is not None
    return entry


entries_strategy = st.lists(
    st.tuples(
        st.sampled_from(["request", "offer"]),
        st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True),
        st.sampled_from(PLACES),
        st.sampled_from(MOMENTS),
        st.sampled_from(MOMENTS),
    ),
    max_size=25,
)
queries_strategy = st.builds(
    lambda purposes, skills, districts, deadline, state, sort, page, per_page: CallQuery(
        filters={
            key: frozenset(values)
            for key, values in (("purpose", purposes), ("skill", skills), ("district", districts))
            if values
        },
        deadline_before=deadline,
        state=state,
        sort=sort,
        page=page,
        per_page=per_page,
    ),
    st.sets(st.sampled_from(["request", "offer"])),
    st.sets(st.sampled_from(SKILLS)),
    st.sets(st.sampled_from(["1", "10", "3"])),
    st.sampled_from([None, "2027-01-01", "2027-02-01"]),
    st.sampled_from(["open", "all"]),
    st.sampled_from(["newest", "deadline"]),
    st.integers(1, 3),
    st.integers(1, 10),
)


def _skills_with_broader(entry: CallEntry) -> set[str]:
    index = concept_index()
    found = set(entry.skills)
    for code in entry.skills:
        concept = index.get("skill", code)
        assert concept is not None
        found |= {parent.code for parent in index.ancestors(concept.iri)}
    return found


def _passes(entry: CallEntry, query: CallQuery, ignoring: str = "") -> bool:
    if query.state == "open" and not entry.is_open(NOW):
        return False
    if query.deadline_before and (entry.deadline is None or entry.deadline >= deadline_limit(query.deadline_before)):
        return False
    checks = {
        "purpose": lambda wanted: entry.purpose in wanted,
        "skill": lambda wanted: bool(_skills_with_broader(entry) & wanted),
        "district": lambda wanted: entry.district in wanted,
    }
    return all(checks[facet](wanted) for facet, wanted in query.filters.items() if facet != ignoring)


def _reference(entries: list[CallEntry], query: CallQuery) -> tuple[list[str], dict[str, list[tuple[str, int]]]]:
    newest = sorted(entries, key=lambda entry: entry.iri)
    newest.sort(key=lambda entry: entry.published, reverse=True)
    found = [entry for entry in newest if _passes(entry, query)]
    if query.sort == "deadline":
        found.sort(key=lambda entry: entry.deadline or "9999")
    start = (query.page - 1) * query.per_page
    counts: dict[str, Counter[str]] = {"purpose": Counter(), "skill": Counter(), "district": Counter()}
    for entry in entries:
        if _passes(entry, query, "purpose"):
            counts["purpose"][entry.purpose] += 1
        if _passes(entry, query, "skill"):
            counts["skill"].update(_skills_with_broader(entry))
        if _passes(entry, query, "district") and entry.district:
            counts["district"][entry.district] += 1
    facets = {facet: sorted(counter.items()) for facet, counter in counts.items()}
    return [entry.iri for entry in found[start : start + query.per_page]], facets


@settings(max_examples=200, deadline=None)
@given(entries_strategy, queries_strategy)
def test_search_and_counts_agree_with_a_plain_reference(rows: list[Any], query: CallQuery) -> None:
    entries = [_entry(number, *row) for number, row in enumerate(rows)]
    listed = CallList(entries)
    answer = listed.search(query, NOW)
    page, facets = _reference(entries, query)
    assert [entry.iri for entry in answer.entries] == page
    assert answer.total == sum(1 for entry in entries if _passes(entry, query))
    assert {facet: sorted(pairs) for facet, pairs in answer.facets.items()} == facets


@settings(max_examples=150, deadline=None)
@given(entries_strategy, entries_strategy, st.sets(st.integers(0, 24)), queries_strategy)
def test_changes_in_place_answer_as_a_fresh_list(
    rows: list[Any], replacements: list[Any], removed: set[int], query: CallQuery
) -> None:
    # Given calls added one by one in any order, some replaced by another version, some removed
    listed = CallList()
    current = {}
    for number, row in reversed(list(enumerate(rows))):
        listed.upsert(entry := _entry(number, *row))
        current[entry.iri] = entry
    for number, row in enumerate(replacements[: len(rows)]):
        listed.upsert(entry := _entry(number, *row))
        current[entry.iri] = entry
    for number in removed:
        listed.remove(f"https://peer.example/calls/{number}")
        current.pop(f"https://peer.example/calls/{number}", None)
    # Then it answers as a list made of what is left
    changed, fresh = listed.search(query, NOW), CallList(current.values()).search(query, NOW)
    assert [entry.iri for entry in changed.entries] == [entry.iri for entry in fresh.entries]
    assert (changed.total, changed.facets) == (fresh.total, fresh.facets)
    assert _reference(list(current.values()), query)[0] == [entry.iri for entry in changed.entries]


def test_changes_in_place_and_calls_of_an_author() -> None:
    first = _entry(1, "request", ["hardware"], None, "2027-03-01T00:00:00Z", None)
    later = _entry(4, "offer", ["translation"], None, None, None)
    listed = CallList([first])
    assert listed.search(CallQuery(filters={}), NOW).total == 1
    listed.upsert(later)
    changed = _entry(1, "offer", ["hardware"], None, "2026-12-31T00:00:00Z", None)  # now ended
    listed.upsert(changed)
    assert [entry.iri for entry in listed.search(CallQuery(filters={}), NOW).entries] == [later.iri]
    assert listed.of_author(first.author, NOW) == [later]  # p1: calls 1 and 4, and 1 has ended
    assert listed.of_author(first.author, None) == [later, changed]
    listed.remove(later.iri)
    assert listed.search(CallQuery(filters={}, state="all"), NOW).entries == [changed]
    assert listed.of_author(first.author, NOW) == []


def test_the_json_names_labels_and_authors() -> None:
    entry = call_entry(_local(), source="node.example", local=True)
    assert entry is not None
    query = CallQuery(filters={"skill": frozenset({"hardware"})})
    answer = CallList([entry]).search(query, NOW)
    body = answer_json(answer, query, "en", {entry.author: "Fira maker"})
    call = body["calls"][0]
    assert call["author"] == {"id": entry.author, "name": "Fira maker"}
    assert call["skills"][0] == {"id": "https://w3id.org/dsi4bcn/skill/3d-printing", "label": "3D printing"}
    assert call["district"]["label"] == "Sant Martí" and call["place"]["id"].endswith("/neighbourhood/64")
    assert body["query"]["filters"] == {"skill": ["hardware"]} and body["total"] == 1
    assert {"key": "hardware", "label": "Hardware", "count": 1} in body["facets"]["skill"]
