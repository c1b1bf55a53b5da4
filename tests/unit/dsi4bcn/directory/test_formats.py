"""The directory's JSON and CSV: labels in the reader's language, the source node, no formulas in CSV."""

import csv
import io

from dsi4bcn.directory.engine import DirectoryIndex
from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.formats import answer_csv, answer_json, safe_cell
from dsi4bcn.directory.query import DirectoryQuery

HOSTILE = Entry(
    id="https://b.example/projects/x",
    kind="project",
    names={"ca": '=HYPERLINK("http://evil")'},
    summaries={"ca": "@SUM(A1)"},
    source="b.example",
    local=False,
    updated="2025-01-01T00:00:00Z",
    concepts={"offers": frozenset({"3d-printing"}), "district": frozenset({"10"})},
)


def test_safe_cells() -> None:
    assert [safe_cell(text) for text in ("=1", "+1", "-1", "@x", "\tx", "ok", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "ok",
        "",
    ]


def test_json_and_csv() -> None:
    index = DirectoryIndex()
    index.upsert(HOSTILE)
    query = DirectoryQuery(filters={"district": frozenset({"10"})})
    answer = index.search(query, "es")
    data = answer_json(answer, query, "es", own_source="a.example")
    [result] = data["results"]
    assert result["source"] == {"node": "b.example", "local": False, "label": "b.example"}
    assert result["concepts"]["offers"] == [{"key": "3d-printing", "label": "Impresión 3D"}]
    assert data["facets"]["district"] == [{"key": "10", "label": "San Martín", "count": 1, "selected": True}]
    assert data["facets"]["kind"][0]["label"] == "Proyecto"
    assert (data["total"], data["pages"]) == (1, 1)
    [row] = list(csv.DictReader(io.StringIO(answer_csv(answer, "en", own_source="a.example"))))
    assert row["name"].startswith("'=") and row["summary"] == "'@SUM(A1)"
    assert row["offers"] == "3D printing" and row["url"] == HOSTILE.id
