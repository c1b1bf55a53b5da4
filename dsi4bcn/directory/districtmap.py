"""Barcelona's 73 neighbourhoods and 10 districts as an inline SVG map, shaded by counts, without tiles.

Pure: the shapes come from ``data/barcelona-map.json`` (built once from CartoBCN's boundaries by
``scripts/build_map_data.py`` and committed), the names from the concept index, the words from ``ui.toml``.
``render_map`` gives one block of HTML: the SVG (each neighbourhood a link, keyboard-focusable, named
"el Raval: 3 results"), the legend, the attribution and the same data as a table. Every name, label and
link is escaped, since profiles and their places are data from strangers.
"""

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

from dsi4bcn.directory.mapshades import Shade, fills_of, shade_classes
from dsi4bcn.i18n import LANGUAGES, UI
from vocab.concepts import Concept, concept_index

__all__ = [
    "ACCENT",
    "HALO",
    "OUTLINE",
    "MapData",
    "map_data",
    "map_legend",
    "map_table",
    "neighbourhood_code",
    "project",
    "render_map",
]

OUTLINE = "#1c2b29"
ACCENT = "#9b1142"  # the chosen neighbourhood's border and the profiles' points
HALO = "#ffffff"  # around the accent, so that it stands out on light and dark shades alike
Point = tuple[float, float, str, str | None]


@dataclass(frozen=True)
class Shape:
    """A district or neighbourhood: official code ("01"), district code, SVG path and label anchor."""

    code: str
    district: str
    d: str
    label: tuple[int, int]


@dataclass(frozen=True)
class MapData:
    """The committed map data: view box, projection, shapes and attribution."""

    view_box: tuple[int, int, int, int]
    projection: Mapping[str, float]
    districts: tuple[Shape, ...]
    neighbourhoods: tuple[Shape, ...]
    attribution: str
    licence: str
    source: str


@cache
def map_data() -> MapData:
    """The map data bundled in the package (read once)."""
    raw: dict[str, Any] = json.loads(
        resources.files("dsi4bcn.directory").joinpath("data/barcelona-map.json").read_text(encoding="utf-8")
    )

    def shape(entry: dict[str, Any]) -> Shape:
        label = entry.get("label", [0, 0])
        return Shape(entry["code"], entry.get("district", entry["code"]), entry["d"], (label[0], label[1]))

    return MapData(
        view_box=(raw["view_box"][0], raw["view_box"][1], raw["view_box"][2], raw["view_box"][3]),
        projection=raw["projection"],
        districts=tuple(shape(entry) for entry in raw["districts"]),
        neighbourhoods=tuple(shape(entry) for entry in raw["neighbourhoods"]),
        attribution=raw["attribution"],
        licence=raw["licence"],
        source=raw["source"],
    )


def project(latitude: float, longitude: float, projection: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Where a WGS84 point falls in the map's view box (equirectangular, as the data was built)."""
    projection = projection or map_data().projection
    return (
        (longitude - projection["west"]) * projection["scale_x"] + projection["margin"],
        (projection["north"] - latitude) * projection["scale_y"] + projection["margin"],
    )


@lru_cache(maxsize=1024)  # a few forms of 73 codes
def neighbourhood_code(reference: str) -> str:
    """The concept code ("1") of a neighbourhood given as "1", "01", "neighbourhood:1" or its IRI; raise
    ``ValueError`` for anything else."""
    if reference.isdigit() and 1 <= int(reference) <= len(_concepts()):
        return str(int(reference))
    concept = concept_index().get("neighbourhood", reference) or concept_index().resolve(reference)
    if concept is None or concept.scheme != "neighbourhood":
        raise ValueError(f"not a neighbourhood of Barcelona: {reference!r}")
    return concept.code


def _text(key: str, language: str, **values: object) -> str:
    return UI[key][language].format(**values)


def _results_name(concept: Concept, count: int, language: str) -> str:
    key = "map_results_one" if count == 1 else "map_results_other"
    return _text(key, language, name=concept.label(language), count=count)


def _counts_by_code(counts: Mapping[str, int]) -> dict[str, int]:
    by_code: dict[str, int] = {}
    for reference, count in counts.items():
        code = neighbourhood_code(reference)
        by_code[code] = by_code.get(code, 0) + count
    return by_code


@cache
def _concepts() -> Mapping[str, Concept]:
    """Each neighbourhood's concept by its official code ("01"), looked up once."""
    concepts = {}
    for shape in map_data().neighbourhoods:
        concept = concept_index().get("neighbourhood", shape.code)
        if concept is None:
            raise ValueError(f"the map data names a neighbourhood the vocabulary lacks: {shape.code}")
        concepts[shape.code] = concept
    return concepts


def _concept(shape: Shape) -> Concept:
    return _concepts()[shape.code]


@cache
def _area_texts(language: str) -> tuple[tuple[str, list[str], list[str], str], ...]:
    """Per neighbourhood, what does not change between maps in ``language``: its code, its name for one
    result and for several (escaped, split where the count goes) and its path."""
    texts = []
    for shape in map_data().neighbourhoods:
        concept = _concept(shape)
        one, other = (
            str(escape(_text(key, language, name=concept.label(language), count="\0"))).split("\0")
            for key in ("map_results_one", "map_results_other")
        )
        texts.append((concept.code, one, other, shape.d))
    return tuple(texts)


def _areas(
    counts: Mapping[str, int],
    classes: Sequence[Shade],
    href_pattern: str,
    chosen: str | None,
    language: str,
) -> list[str]:
    parts = ['<g class="dm-areas">']
    fills = fills_of(counts, classes)
    before, after = _link_parts(href_pattern)
    for code, one, other, d in _area_texts(language):
        count = counts.get(code, 0)
        name = str(count).join(one if count == 1 else other)
        current = ' aria-current="true"' if code == chosen else ""
        href = f"{before}{code}{after}"  # a code is digits: nothing to encode or escape
        parts.append(
            f'<a class="dm-area" href="{href}" aria-label="{name}" data-code="{code}"{current}>'
            f'<title>{name}</title><path d="{d}" fill="{fills[count]}" stroke="{OUTLINE}"'
            ' stroke-width="1"/></a>'
        )
    parts.append("</g>")
    return parts


@cache
def _district_outlines() -> str:
    paths = "".join(f'<path d="{district.d}"/>' for district in map_data().districts)
    group = f'<g class="dm-districts" fill="none" stroke="{OUTLINE}" stroke-width="3" stroke-linejoin="round">'
    return f"{group}{paths}</g>"


def _overlays(chosen: str | None) -> list[str]:
    parts = [_district_outlines()]
    for shape in map_data().neighbourhoods:
        if _concept(shape).code == chosen:
            # A white halo under the accent border keeps it visible on every shade.
            parts.append(
                f'<g class="dm-chosen" fill="none" stroke-linejoin="round"><path d="{shape.d}" stroke="{HALO}"'
                f' stroke-width="10"/><path d="{shape.d}" stroke="{ACCENT}" stroke-width="5"/></g>'
            )
    return parts


def _count_labels(counts: Mapping[str, int]) -> list[str]:
    """Each count at its neighbourhood's label anchor, drawn last (over the points) and let clicks through."""
    parts = ['<g class="dm-counts" aria-hidden="true">']
    for code, (x, y) in _label_anchors():
        count = counts.get(code, 0)
        if count:
            parts.append(f'<text x="{x}" y="{y}">{count}</text>')
    parts.append("</g>")
    return parts


@cache
def _label_anchors() -> tuple[tuple[str, tuple[int, int]], ...]:
    return tuple((_concept(shape).code, shape.label) for shape in map_data().neighbourhoods)


_POINT_RADIUS = 6
_GROUP_RADIUS = 9
_GROUP_NAMES = 8  # names listed in a group's tooltip before "and N more"


def group_points(points: Sequence[Point], width: float, height: float) -> list[list[tuple[float, float, Point]]]:
    """The points inside the view box with their positions, those whose dots would overlap gathered into one
    group (at its first point), in the order given; O(points × groups), for a page of results."""
    projection = map_data().projection
    groups: list[list[tuple[float, float, Point]]] = []
    reach = (2 * _POINT_RADIUS) ** 2
    for point in points:
        x, y = project(point[0], point[1], projection)
        if not (0 <= x <= width and 0 <= y <= height):
            continue  # outside Barcelona: the list of results still has it
        near = next((g for g in groups if (g[0][0] - x) ** 2 + (g[0][1] - y) ** 2 < reach), None)
        if near is None:
            groups.append([(x, y, point)])
        else:
            near.append((x, y, point))
    return groups


def _points(groups: Sequence[Sequence[tuple[float, float, Point]]], language: str) -> list[str]:
    parts = [f'<g class="dm-points" fill="{ACCENT}" stroke="{HALO}" stroke-width="1.5">']
    for group in groups:
        x, y, (_, _, label, href) = group[0]
        if len(group) == 1:
            dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{_POINT_RADIUS}"><title>{html.escape(label)}</title></circle>'
            parts.append(f'<a href="{html.escape(href)}" tabindex="-1">{dot}</a>' if href else dot)
            continue
        names = [point[2] for _, _, point in group[:_GROUP_NAMES]]
        if len(group) > _GROUP_NAMES:
            names.append(_text("map_more", language, count=len(group) - _GROUP_NAMES))
        parts.append(
            f'<g class="dm-group"><title>{escape(chr(10).join(names))}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{_GROUP_RADIUS}"/>'
            f'<text x="{x:.1f}" y="{y:.1f}" aria-hidden="true">{len(group)}</text></g>'
        )
    parts.append("</g>")
    return parts


@lru_cache(maxsize=256)  # a map's legend depends on few things: its classes (up to five), language and keys
def map_legend(
    classes: tuple[Shade, ...], *, language: str, points: bool = False, groups: bool = False, chosen: bool = False
) -> Markup:
    """The legend: a swatch and a range for each class of counts, and the keys of the points, the groups of
    points and the chosen border that the map shows."""
    swatch = '<svg class="dm-swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">{}</svg>'
    square = '<rect x="0.5" y="0.5" width="15" height="15" fill="{}" stroke="' + OUTLINE + '"/>'
    items = [f"<li>{swatch.format(square.format(shade.fill))}{escape(shade.label())}</li>" for shade in classes]
    if chosen:
        box = f'<rect x="2" y="2" width="12" height="12" fill="none" stroke="{ACCENT}" stroke-width="3"/>'
        items.append(f"<li>{swatch.format(box)}{escape(_text('map_selected', language))}</li>")
    if points:
        dot = f'<circle cx="8" cy="8" r="5" fill="{ACCENT}" stroke="{HALO}" stroke-width="1.5"/>'
        items.append(f"<li>{swatch.format(dot)}{escape(_text('map_point', language))}</li>")
    if groups:
        group = (
            f'<circle cx="8" cy="8" r="7.5" fill="{ACCENT}"/>'
            '<text x="8" y="8" class="dm-group-number" font-size="10">2</text>'
        )
        items.append(f"<li>{swatch.format(group)}{escape(_text('map_group', language))}</li>")
    title = escape(_text("map_legend", language))
    return Markup(f'<div class="dm-legend"><p>{title}</p><ul>{"".join(items)}</ul></div>')  # noqa: S704 - escaped above


def _link_parts(href_pattern: str) -> tuple[str, str]:
    """The escaped link before and after ``{code}`` in ``href_pattern``."""
    before, marker, after = html.escape(href_pattern).partition("{code}")
    if not marker:
        raise ValueError(f"a neighbourhood's link names no {{code}}: {href_pattern!r}")
    return before, after


def map_table(counts: Mapping[str, int], href_pattern: str, *, selected: str | None = None, language: str) -> Markup:
    """The map's content as a table (district, neighbourhood as a link, results) in a disclosure, for
    screen readers and for anyone who prefers numbers to shades."""
    by_code = _counts_by_code(counts)
    chosen = neighbourhood_code(selected) if selected else None
    index = concept_index()
    before, after = _link_parts(href_pattern)
    rows = []
    for shape in map_data().neighbourhoods:
        concept = _concept(shape)
        district = index.get("district", shape.district)
        current = ' aria-current="true"' if concept.code == chosen else ""
        rows.append(
            f"<tr><td>{escape(district.label(language) if district else shape.district)}</td>"
            f'<td><a href="{before}{concept.code}{after}"{current}>{escape(concept.label(language))}</a></td>'
            f"<td>{by_code.get(concept.code, 0)}</td></tr>"
        )
    head = "".join(
        f'<th scope="col">{escape(_text(key, language))}</th>'
        for key in ("map_district", "map_neighbourhood", "map_results")
    )
    return Markup(  # noqa: S704 - every value escaped above
        f'<details class="dm-table"><summary>{escape(_text("map_table", language))}</summary>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></details>"
    )


def render_map(
    counts: Mapping[str, int],
    points: Sequence[Point],
    href_pattern: str,
    *,
    selected: str | None = None,
    language: str,
    title: str,
    table: bool = True,
    id_prefix: str = "dm",
) -> Markup:
    """The map as one block of HTML: the SVG, its legend, the attribution and (unless ``table`` is false)
    the same numbers as a table.

    ``counts`` maps neighbourhoods ("1", "01", "neighbourhood:1" or the IRI) to their number of results;
    ``points`` are ``(latitude, longitude, label, href or None)`` (points outside the city are left out);
    ``href_pattern`` is the link of each neighbourhood with ``{code}`` where its concept code ("1") goes
    (a URL whose other parts are already encoded; ``ValueError`` without ``{code}``); ``selected`` is the chosen
    neighbourhood, if any; ``id_prefix`` keeps ids unique if a page shows two maps. Raises ``ValueError``
    for an unknown language or neighbourhood."""
    if language not in LANGUAGES:
        raise ValueError(f"no such language: {language!r}")
    by_code = _counts_by_code(counts)
    chosen = neighbourhood_code(selected) if selected else None
    classes = shade_classes(max(by_code.values(), default=0))
    prefix = escape(id_prefix)
    data = map_data()
    groups = group_points(points, data.view_box[2], data.view_box[3])
    svg = [
        f'<svg class="dm-svg" xmlns="http://www.w3.org/2000/svg" viewBox="{" ".join(map(str, data.view_box))}"'
        f' role="group" aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(_text("map_description", language))}</desc>',
        *_areas(by_code, classes, href_pattern, chosen, language),
        *_overlays(chosen),
        *_points(groups, language),
        *_count_labels(by_code),
        "</svg>",
    ]
    attribution = (
        f'<p class="dm-attribution">{escape(_text("map_boundaries", language))} '
        f'<a href="{escape(data.source)}">© Ajuntament de Barcelona — CartoBCN</a>, '
        f'<a href="{escape(data.licence)}" rel="license">CC BY 4.0</a></p>'
    )
    legend = map_legend(
        classes,
        language=language,
        points=any(len(group) == 1 for group in groups),
        groups=any(len(group) > 1 for group in groups),
        chosen=chosen is not None,
    )
    extra = map_table(by_code, href_pattern, selected=chosen, language=language) if table else ""
    return Markup(f'<div class="dm">{"".join(svg)}<div class="dm-key">{legend}{attribution}</div>{extra}</div>')  # noqa: S704 - escaped above
