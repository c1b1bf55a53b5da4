"""The directory over HTTP against a plain Python reference: for generated combinations of filters on a demo
node, ``/api/directory`` gives the results and facet counts that the reference computes from every profile's
concepts, and the HTML page shows the same results, total and counts.

The reference reads the profiles from the API itself (every result with its concepts as the API lists them, and
the vocabulary's broader areas and skills): a filter keeps a profile holding any of its values, filters
combine with AND, and a facet's counts leave out its own filter, as in any faceted search.
"""

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.http import fetch
from tests.support.nodes import Node, start_node
from vocab.concepts import concept_index

pytestmark = pytest.mark.network
CONCEPT_FACETS = ("area", "needs", "offers", "district", "neighbourhood", "sector", "sdg", "status")
HIERARCHIES = {"area": "area", "needs": "skill", "offers": "skill"}  # facets whose concepts have broader ones


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    demo = start_node(tmp_path_factory.mktemp("agreement") / "node", demo=True)
    yield demo
    demo.stop()


def _api(node: Node, params: Mapping[str, Any]) -> dict[str, Any]:
    answer = fetch(f"{node.base_url}/api/directory?{urlencode(params, doseq=True)}")
    assert answer.status == 200, answer.body[:300]
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture(scope="module")
def profiles(node: Node) -> list[dict[str, Any]]:
    """Every profile the directory holds, with its concepts (one page of 100 is enough for the demo)."""
    everything = _api(node, {"per_page": 100, "sort": "name"})
    assert everything["total"] == len(everything["results"]) > 20
    return list(everything["results"])


def _holds(profile: Mapping[str, Any], facet: str) -> set[str]:
    """What a profile holds in a facet; an area or a skill also puts it in every broader one (the
    vocabulary's)."""
    if facet == "kind":
        return {profile["kind"]}
    if facet == "source":
        return {profile["source"]["node"]}
    keys = {item["key"] for item in profile["concepts"].get(facet, [])}
    scheme = HIERARCHIES.get(facet)
    if scheme is not None:
        index = concept_index()
        for key in list(keys):
            concept = index.get(scheme, key)
            keys |= {c.code for c in index.ancestors(concept.iri) if c.scheme == scheme} if concept else set()
    return keys


def _reference(
    profiles: list[dict[str, Any]], filters: Mapping[str, list[str]]
) -> tuple[set[str], dict[str, Counter[str]]]:
    """The ids a query keeps, and each facet's counts over the profiles every other filter keeps."""

    def keeps(profile: Mapping[str, Any], leave_out: str | None) -> bool:
        return all(_holds(profile, f) & set(values) for f, values in filters.items() if f != leave_out)

    kept = {p["id"] for p in profiles if keeps(p, None)}
    counts = {
        facet: Counter(key for p in profiles if keeps(p, facet) for key in _holds(p, facet))
        for facet in (*CONCEPT_FACETS, "kind", "source")
    }
    return kept, counts


def _page_state(html: str) -> tuple[list[str], int, dict[str, dict[str, int]]]:
    ids = re.findall(r'<li class="result" data-id="([^"]+)"', html)
    total = int(re.search(r'data-total="(\d+)"', html).group(1))  # type: ignore[union-attr]
    facets: dict[str, dict[str, int]] = {}
    for facet, body in re.findall(r'<details class="facet" data-facet="([a-z]+)".*?>(.*?)</details>', html, re.S):
        counts = re.findall(r'<span class="count" data-key="([^"]+)">(\d+)</span>', body)
        facets[facet] = {key: int(count) for key, count in counts}
    return ids, total, facets


@st.composite
def _filters(draw: st.DrawFn, profiles: list[dict[str, Any]]) -> dict[str, list[str]]:
    present = {facet: sorted({k for p in profiles for k in _holds(p, facet)}) for facet in (*CONCEPT_FACETS, "kind")}
    chosen = draw(st.lists(st.sampled_from(sorted(f for f, keys in present.items() if keys)), max_size=3, unique=True))
    return {
        facet: draw(st.lists(st.sampled_from(present[facet]), min_size=1, max_size=2, unique=True)) for facet in chosen
    }


def test_the_api_and_the_page_agree_with_the_reference(node: Node, profiles: list[dict[str, Any]]) -> None:
    @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(filters=_filters(profiles), sort=st.sampled_from(["name", "updated"]))
    def check(filters: dict[str, list[str]], sort: str) -> None:
        params = {**filters, "sort": sort, "per_page": 100, "lang": "en"}
        data = _api(node, params)
        kept, counts = _reference(profiles, filters)
        assert {result["id"] for result in data["results"]} == kept and data["total"] == len(kept), filters
        for facet, values in data["facets"].items():
            shown = {value["key"]: value["count"] for value in values if value["count"]}
            assert shown == dict(counts[facet]), (filters, facet)
        page = fetch(f"{node.base_url}/directory?{urlencode(params, doseq=True)}", headers={"Accept": "text/html"})
        assert page.status == 200
        stages = [item.split(";")[0] for item in page.headers["server-timing"].split(", ")]
        assert stages == ["search", "facets", "map", "logos", "render", "total"]
        ids, total, facets = _page_state(page.body.decode("utf-8"))
        assert ids == [result["id"] for result in data["results"]] and total == data["total"], filters
        for facet, values in data["facets"].items():
            if values:
                assert facets[facet] == {value["key"]: value["count"] for value in values}, (filters, facet)

    check()
