"""Every worked query in docs/data-model.md runs against the demo node and returns what its ``# expect``
comment says, so the documentation cannot drift from the data."""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.http import fetch
from tests.support.nodes import Node, start_node

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"
QUERIES = re.findall(r"```sparql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("model") / "node", demo=True)
    yield running
    running.stop()


def test_the_page_has_worked_queries() -> None:
    assert len(QUERIES) >= 8
    assert all(query.startswith("# expect: ") for query in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{number}" for number in range(len(QUERIES))])
def test_each_worked_query_returns_what_it_says(node: Node, query: str) -> None:
    expect = query.splitlines()[0].removeprefix("# expect: ").strip()
    answer = fetch(
        f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status == 200, answer.body
    result = answer.json()
    if expect == "true":
        assert result["boolean"] is True
        return
    rows = result["results"]["bindings"]
    exact = re.fullmatch(r"(\d+) rows?", expect)
    at_least = re.fullmatch(r"at least (\d+) rows?", expect)
    assert exact or at_least, f"unknown expectation {expect!r}"
    if exact:
        assert len(rows) == int(exact.group(1)), rows[:5]
    else:
        assert at_least is not None and len(rows) >= int(at_least.group(1)), rows[:5]


def test_the_language_trap_is_real(node: Node) -> None:
    # What the page warns about: without a language filter every project is counted several times.
    query = (
        "PREFIX as: <https://www.w3.org/ns/activitystreams#> PREFIX dsi: <https://w3id.org/dsi4bcn/ns#> "
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a dsi:Project ; as:name ?name }"
    )
    answer = fetch(f"{node.base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/json"})
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 20
