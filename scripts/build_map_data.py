"""Build the district map's data file from CartoBCN's official boundaries of Barcelona (run once; committed).

Reads the GeoJSON of the 10 districts and 73 neighbourhoods (``tests/fixtures/barcelona-boundaries.geojson``,
Ajuntament de Barcelona, CartoBCN, CC BY 4.0), projects longitude and latitude to a plane (equirectangular,
x scaled by cos 41.39°, y pointing south), simplifies the boundaries and writes
``dsi4bcn/directory/data/barcelona-map.json``: each neighbourhood's code, district, SVG path and label
anchor, each district's outline, the projection (so that a latitude and longitude can be placed) and the
attribution. The node reads only that file; nothing here runs at run time.

Simplification keeps the shapes' topology: every boundary shared by two neighbourhoods (or by a
neighbourhood and its district) is cut into arcs between the points where the set of shapes sharing it
changes, and each arc is simplified once (Douglas–Peucker) and rounded once, so that neighbours still meet
without gaps or overlaps and district outlines lie exactly on neighbourhood borders.

Deterministic: the same source gives the identical file (``tests/unit/dsi4bcn/directory`` checks it).
Usage: ``python scripts/build_map_data.py [--source FILE] [--output FILE]``.
"""

import argparse
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "fixtures" / "barcelona-boundaries.geojson"
OUTPUT = ROOT / "dsi4bcn" / "directory" / "data" / "barcelona-map.json"

REFERENCE_LATITUDE = 41.39  # cos of it scales longitude, so that a unit is as long east-west as north-south
EXTENT = 1000  # the longer side of the view box, in units (one unit is about 17 m)
MARGIN = 8  # units of empty border around the city
TOLERANCE = 0.7  # Douglas–Peucker tolerance, in units
ATTRIBUTION = "© Ajuntament de Barcelona — CartoBCN, CC BY 4.0"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_URL = "https://opendata-ajuntament.barcelona.cat/data/ca/dataset/20170706-districtes-barris"

Point = tuple[float, float]
Ring = list[Point]


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    """The polygons (each a list of rings: outer first, then holes) of a Polygon or MultiPolygon."""
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    polygons = []
    for part in parts:
        rings = []
        for ring in part:
            points: Ring = []
            for lon, lat in ring:
                if not points or points[-1] != (lon, lat):
                    points.append((lon, lat))
            if points[0] == points[-1]:
                points.pop()  # rings are closed implicitly from here on
            rings.append(points)
        polygons.append(rings)
    return polygons


def _projection(features: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The projection's parameters: origin at the north-west corner of the city's bounding box."""
    lons = [lon for f in features for poly in _polygons(f["geometry"]) for ring in poly for lon, _ in ring]
    lats = [lat for f in features for poly in _polygons(f["geometry"]) for ring in poly for _, lat in ring]
    factor = math.cos(math.radians(REFERENCE_LATITUDE))
    span = max((max(lons) - min(lons)) * factor, max(lats) - min(lats))
    scale = round((EXTENT - 2 * MARGIN) / span, 3)
    return {
        "reference_latitude": REFERENCE_LATITUDE,
        "west": min(lons),
        "north": max(lats),
        "scale_x": round(scale * factor, 3),
        "scale_y": scale,
        "margin": MARGIN,
        "width": math.ceil((max(lons) - min(lons)) * scale * factor + 2 * MARGIN),
        "height": math.ceil((max(lats) - min(lats)) * scale + 2 * MARGIN),
    }


def _project(point: Point, projection: dict[str, float]) -> Point:
    lon, lat = point
    return (
        (lon - projection["west"]) * projection["scale_x"] + projection["margin"],
        (projection["north"] - lat) * projection["scale_y"] + projection["margin"],
    )


def _distance_to_segment(point: Point, start: Point, end: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: the points of a polyline that keep it within ``tolerance`` of the original; the
    first and last points always stay (iterative, so long lines do not exhaust the stack)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = first, -1.0
        for index in range(first + 1, last):
            candidate = _distance_to_segment(points[index], points[first], points[last])
            if candidate > distance:
                farthest, distance = index, candidate
        if distance > tolerance:
            keep[farthest] = True
            stack.extend(((first, farthest), (farthest, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _edge(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a <= b else (b, a)


class _Topology:
    """Rings cut into arcs where the set of rings sharing an edge changes; each arc simplified once."""

    def __init__(self, rings: Iterable[Ring]) -> None:
        self.sharing: dict[tuple[Point, Point], set[int]] = defaultdict(set)
        for number, ring in enumerate(rings):
            for index, point in enumerate(ring):
                self.sharing[_edge(point, ring[(index + 1) % len(ring)])].add(number)
        self.arcs: dict[tuple[Point, ...], list[Point]] = {}

    def _junctions(self, ring: Ring) -> list[int]:
        count = len(ring)
        edges = [frozenset(self.sharing[_edge(ring[i], ring[(i + 1) % count])]) for i in range(count)]
        return [i for i in range(count) if edges[i] != edges[i - 1]]

    def _arc(self, points: list[Point]) -> list[Point]:
        backwards = points[::-1]
        key = tuple(min(points, backwards))
        if key not in self.arcs:
            self.arcs[key] = simplify(list(key), TOLERANCE)
        simplified = self.arcs[key]
        return simplified if tuple(points) == key else simplified[::-1]

    def simplify_ring(self, ring: Ring) -> Ring:
        """The ring, simplified arc by arc (a ring shared whole starts at its smallest point)."""
        junctions = self._junctions(ring) or [ring.index(min(ring))]
        result: Ring = []
        for number, start in enumerate(junctions):
            end = junctions[(number + 1) % len(junctions)]
            stop = end if end > start else end + len(ring)
            arc = [ring[i % len(ring)] for i in range(start, stop + 1)]
            result.extend(self._arc(arc)[:-1])
        return result


def _rounded(ring: Ring) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x), round(y))
        if not points or points[-1] != point:
            points.append(point)
    while len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def _path(rings: Sequence[Sequence[tuple[int, int]]]) -> str:
    """An SVG path: an absolute move to each ring's first point, then relative lines, closed."""
    parts = []
    for ring in rings:
        (x, y), steps = ring[0], []
        for nx, ny in ring[1:]:
            steps.append(f"{nx - x} {ny - y}")
            x, y = nx, ny
        parts.append(f"M{ring[0][0]} {ring[0][1]}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def _area(ring: Sequence[tuple[int, int]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True))) / 2


def _inside(x: float, y: float, rings: Sequence[Sequence[tuple[int, int]]]) -> bool:
    inside = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


def _clearance(x: float, y: float, rings: Sequence[Sequence[tuple[int, int]]]) -> float:
    if not _inside(x, y, rings):
        return -1.0
    return min(
        _distance_to_segment((x, y), a, b) for ring in rings for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def label_anchor(rings: Sequence[Sequence[tuple[int, int]]]) -> tuple[int, int]:
    """A point well inside the largest ring (far from its edges): a coarse grid, then finer grids around the
    best point so far."""
    largest = max(rings, key=_area)
    xs, ys = [x for x, _ in largest], [y for _, y in largest]
    step = max(max(xs) - min(xs), max(ys) - min(ys)) / 12
    best = (-2.0, (sum(xs) / len(xs), sum(ys) / len(ys)))
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    for _ in range(4):
        cx, cy = centre
        for i in range(-6, 7):
            for j in range(-6, 7):
                x, y = cx + i * step, cy + j * step
                best = max(best, (_clearance(x, y, [largest]), (x, y)))
        centre, step = best[1], step / 3
    return (round(best[1][0]), round(best[1][1]))


def build(source: dict[str, Any]) -> dict[str, Any]:
    """The map's data from the boundaries' GeoJSON (a pure function of it)."""
    features = sorted(
        source["features"],
        key=lambda f: (
            f["properties"]["level"],
            f["properties"].get("neighbourhood_code") or "",
            f["properties"]["district_code"],
        ),
    )
    projection = _projection(features)
    shapes = [
        [[_project(p, projection) for p in ring] for poly in _polygons(f["geometry"]) for ring in poly]
        for f in features
    ]
    topology = _Topology(ring for shape in shapes for ring in shape)
    districts, neighbourhoods = [], []
    for feature, shape in zip(features, shapes, strict=True):
        rings = [r for r in (_rounded(topology.simplify_ring(ring)) for ring in shape) if len(r) >= 3]
        properties = feature["properties"]
        if properties["level"] == "district":
            districts.append({"code": properties["district_code"], "name": properties["name"], "d": _path(rings)})
        else:
            x, y = label_anchor(rings)
            neighbourhoods.append(
                {
                    "code": properties["neighbourhood_code"],
                    "district": properties["district_code"],
                    "name": properties["name"],
                    "d": _path(rings),
                    "label": [x, y],
                }
            )
    return {
        "attribution": ATTRIBUTION,
        "licence": LICENCE,
        "source": SOURCE_URL,
        "projection": projection,
        "view_box": [0, 0, projection["width"], projection["height"]],
        "districts": districts,
        "neighbourhoods": neighbourhoods,
    }


def serialise(data: dict[str, Any]) -> str:
    """The data file's text: compact, one district or neighbourhood a line, ending in a newline."""
    lines = ["{"]
    head = {key: value for key, value in data.items() if key not in ("districts", "neighbourhoods")}
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    for key in ("districts", "neighbourhoods"):
        items = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in data[key]]
        closing = "]," if key == "districts" else "]"
        lines.append(f'"{key}": [\n' + ",\n".join(items) + "\n" + closing)
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Read the GeoJSON, write the data file and say how large it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    text = serialise(build(json.loads(arguments.source.read_text(encoding="utf-8"))))
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    print(f"{arguments.output}: {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
