"""The committed map data: every district and neighbourhood with its official code, valid path data inside the
view box, borders that still meet after simplification, and a file that the build script reproduces exactly."""

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dsi4bcn.directory.districtmap import map_data, project
from tests.unit.dsi4bcn.directory.mapgeometry import inside, read_path
from vocab.concepts import concept_index

ROOT = Path(__file__).resolve().parents[4]
FIXTURES = ROOT / "tests" / "fixtures"
DATA = ROOT / "dsi4bcn" / "directory" / "data" / "barcelona-map.json"


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_map_data", ROOT / "scripts" / "build_map_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_map_data", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _build_script()


@pytest.fixture(scope="module")
def boundaries() -> dict:
    return json.loads((FIXTURES / "barcelona-boundaries.geojson").read_text(encoding="utf-8"))


def _official() -> list[dict[str, str]]:
    with (FIXTURES / "barcelona-territory.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def test_every_district_and_neighbourhood_is_there_with_its_official_code() -> None:
    data = map_data()
    official = _official()
    assert [(s.code, s.district) for s in data.neighbourhoods] == [
        (row["neighbourhood_code"], row["district_code"]) for row in official
    ]
    assert [s.code for s in data.districts] == [f"{n:02d}" for n in range(1, 11)]
    for shape in data.neighbourhoods:
        assert concept_index().get("neighbourhood", shape.code) is not None


def test_every_path_is_valid_path_data_inside_the_view_box() -> None:
    data = map_data()
    x0, y0, width, height = data.view_box
    assert (x0, y0) == (0, 0) and 800 <= max(width, height) <= 1000
    for shape in (*data.districts, *data.neighbourhoods):
        rings = read_path(shape.d)
        assert rings, shape.code
        for ring in rings:
            assert all(0 <= x <= width and 0 <= y <= height for x, y in ring), shape.code


def test_the_path_reader_refuses_what_is_not_path_data() -> None:
    assert read_path("M1 2l3 0 0 3z") == [[(1, 2), (4, 2), (4, 5)]]
    for bad in ("M1 2l3 0 0 3", "M1 2l3 0z", "M1 2l3 0 0 3zQ", "1 2 3", "M1 2l3 0 0z", "M1 2 L3 4 5 6z x"):
        with pytest.raises(ValueError):
            read_path(bad)


def test_label_anchors_and_official_centroids_fall_inside_their_neighbourhood() -> None:
    outside: list[str] = []
    for shape in map_data().neighbourhoods:
        rings = read_path(shape.d)
        assert inside(*shape.label, rings), shape.code
        concept = concept_index().get("neighbourhood", shape.code)
        assert concept is not None and concept.latitude is not None and concept.longitude is not None
        if not inside(*project(concept.latitude, concept.longitude), rings):
            outside.append(shape.code)
    assert outside == []


def test_simplified_borders_still_meet() -> None:
    data = map_data()
    corners = {point for shape in data.neighbourhoods for ring in read_path(shape.d) for point in ring}
    for district in data.districts:
        for ring in read_path(district.d):
            assert set(ring) <= corners, f"district {district.code} has a corner no neighbourhood has"
    # Each neighbourhood's edges are shared with a neighbour or lie on its district's outline.
    edges: dict[frozenset[tuple[float, float]], int] = {}
    for shape in data.neighbourhoods:
        for ring in read_path(shape.d):
            for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
                edges[frozenset((a, b))] = edges.get(frozenset((a, b)), 0) + 1
    outline = {
        frozenset((a, b))
        for district in data.districts
        for ring in read_path(district.d)
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)
    }
    lonely = [sorted(edge) for edge, count in edges.items() if count == 1 and edge not in outline]
    assert lonely == [], "edges of one neighbourhood only, inside the city (a gap between neighbours)"


def test_the_committed_file_is_what_the_build_script_makes(script: ModuleType, boundaries: dict) -> None:
    text = script.serialise(script.build(boundaries))
    assert text == DATA.read_text(encoding="utf-8"), "run: python scripts/build_map_data.py"
    assert len(text.encode()) < 150_000
    assert "FeatureCollection" not in text


def test_a_moved_boundary_changes_the_data(script: ModuleType, boundaries: dict) -> None:
    moved = json.loads(json.dumps(boundaries))
    raval = next(f for f in moved["features"] if f["properties"].get("neighbourhood_code") == "01")
    ring = raval["geometry"]["coordinates"][0]
    ring[len(ring) // 2] = [ring[len(ring) // 2][0] + 0.003, ring[len(ring) // 2][1]]
    built = script.build(moved)
    assert built["neighbourhoods"][0]["d"] != json.loads(DATA.read_text(encoding="utf-8"))["neighbourhoods"][0]["d"]


def test_simplify_keeps_ends_and_drops_points_within_tolerance(script: ModuleType) -> None:
    line = [(0.0, 0.0), (1.0, 0.2), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]
    assert script.simplify(line, 0.5) == [(0.0, 0.0), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0)]
    assert script.simplify(line, 10) == [(0.0, 0.0), (4.0, 0.0)]


def test_the_projection_places_known_places() -> None:
    # Sagrada Família, in la Sagrada Família (06); Camp Nou, in la Maternitat i Sant Ramon (20).
    shapes = {shape.code: read_path(shape.d) for shape in map_data().neighbourhoods}
    assert inside(*project(41.40363, 2.17436), shapes["06"])
    assert inside(*project(41.38087, 2.12282), shapes["20"])
    assert map_data().attribution == "© Ajuntament de Barcelona — CartoBCN, CC BY 4.0"
