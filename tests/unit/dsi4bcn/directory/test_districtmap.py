"""The district map as HTML: one focusable link per neighbourhood named with its count, shades by class, the
chosen neighbourhood, points placed by latitude and longitude, legend, attribution, table, and escaping."""

import itertools
import xml.etree.ElementTree as ET

import pytest

from dsi4bcn.directory.districtmap import (
    ACCENT,
    HALO,
    OUTLINE,
    map_data,
    map_legend,
    map_table,
    neighbourhood_code,
    render_map,
)
from dsi4bcn.directory.mapshades import EMPTY_FILL, SHADES, shade_classes
from tests.unit.dsi4bcn.directory.mapgeometry import inside, read_path

SVG = "{http://www.w3.org/2000/svg}"


HREF = "/directory?neighbourhood={code}&lang=ca"


def _href(code: str) -> str:
    return HREF.format(code=code)


def _render(counts: dict[str, int] | None = None, points: list | None = None, **options) -> ET.Element:
    options = {"language": "en", "title": "Results on the map"} | options
    html = render_map(counts or {}, points or [], HREF, **options)
    return ET.fromstring(str(html))  # the output is well-formed XML, which also proves the escaping holds


def _areas(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}a[@class='dm-area']")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_neighbourhood_is_a_link_named_with_its_results() -> None:
    root = _render({"1": 3, "02": 1, "neighbourhood:73": 12})
    areas = _areas(root)
    assert len(areas) == 73
    assert [a.get("href") for a in areas] == [_href(str(n)) for n in range(1, 74)]
    names = {a.get("data-code"): a.get("aria-label") for a in areas}
    assert names["1"] == "el Raval: 3 results"
    assert names["2"] == "Gothic Quarter: 1 result"
    assert names["73"] == "la Verneda i la Pau: 12 results"
    assert names["40"].endswith(": 0 results")
    assert all(a.find(f"{SVG}title").text == a.get("aria-label") for a in areas)
    svg = root.find(f"{SVG}svg")
    assert svg is not None and svg.get("role") == "group" and svg.get("aria-labelledby") == "dm-title"
    assert svg.find(f"{SVG}title").text == "Results on the map"
    assert svg.get("viewBox") == "0 0 874 1000" and svg.get("width") is None and svg.get("height") is None
    assert len(svg.findall(f"./{SVG}g[@class='dm-districts']/{SVG}path")) == 10


def test_names_follow_the_language() -> None:
    names = {a.get("data-code"): a.get("aria-label") for a in _areas(_render({"2": 2}, language="es"))}
    assert names["2"] == "el Barrio Gótico: 2 resultados"
    names = {a.get("data-code"): a.get("aria-label") for a in _areas(_render({"2": 1}, language="ca"))}
    assert names["2"] == "el Barri Gòtic: 1 resultat"


def test_classes_grow_geometrically_and_cover_every_count() -> None:
    assert [s.label() for s in shade_classes(0)] == ["0"]
    assert [s.label() for s in shade_classes(2)] == ["0", "1", "2"]
    assert [s.label() for s in shade_classes(4)] == ["0", "1", "2", "3", "4"]
    assert [s.label() for s in shade_classes(100)] == ["0", "1–3", "4–10", "11–32", "33–100"]
    for highest in range(0, 300):
        classes = shade_classes(highest)
        assert classes[0].fill == EMPTY_FILL and classes[-1].high == highest
        assert all(a.high + 1 == b.low and b.low <= b.high for a, b in itertools.pairwise(classes))
        assert classes[-1].fill == (SHADES[-1] if highest else EMPTY_FILL)  # the busiest is always darkest


def test_counts_shade_as_their_class() -> None:
    root = _render({"1": 100, "2": 3, "3": 4, "4": 11, "5": 33})
    fills = {a.get("data-code"): a.find(f"{SVG}path").get("fill") for a in _areas(root)}
    assert (fills["6"], fills["2"], fills["3"], fills["4"], fills["5"], fills["1"]) == (EMPTY_FILL, *SHADES, SHADES[-1])
    legend = root.findall(".//div[@class='dm-legend']/ul/li")
    assert ["".join(li.itertext()) for li in legend] == ["0", "1–3", "4–10", "11–32", "33–100"]
    assert [li.find("svg/rect").get("fill") for li in legend] == [EMPTY_FILL, *SHADES]
    counts = {t.text for t in root.findall(f".//{SVG}g[@class='dm-counts']/{SVG}text")}
    assert counts == {"100", "3", "4", "11", "33"}


def test_the_palette_keeps_borders_points_and_the_accent_visible() -> None:
    for fill in (EMPTY_FILL, *SHADES):
        assert _contrast(fill, OUTLINE) >= 3, fill  # every border shows
        assert max(_contrast(fill, ACCENT), _contrast(fill, HALO)) >= 3, fill  # a point or the chosen border too
    assert _contrast(HALO, ACCENT) >= 4.5
    assert all(_luminance(a) > _luminance(b) for a, b in itertools.pairwise((EMPTY_FILL, *SHADES)))  # sequential


def test_the_chosen_neighbourhood_is_marked() -> None:
    for reference in ("11", "011", "neighbourhood:11", "https://w3id.org/dsi4bcn/neighbourhood/11"):
        root = _render({"11": 2}, selected=reference)
        current = [a.get("data-code") for a in _areas(root) if a.get("aria-current") == "true"]
        assert current == ["11"]
        chosen = root.findall(f".//{SVG}g[@class='dm-chosen']/{SVG}path")
        assert [p.get("stroke") for p in chosen] == [HALO, ACCENT]
        assert chosen[0].get("d") == next(s.d for s in map_data().neighbourhoods if s.code == "11")
        assert "Chosen neighbourhood" in "".join(root.find(".//div[@class='dm-legend']").itertext())
    assert _render({}).find(f".//{SVG}g[@class='dm-chosen']") is None


def test_points_are_placed_inside_barcelona_and_the_rest_left_out() -> None:
    points = [
        (41.40363, 2.17436, "Sagrada Família", "/projects/a"),
        (41.38087, 2.12282, "Camp Nou", None),
        (40.41650, -3.70256, "Madrid", "/projects/madrid"),
    ]
    root = _render(points=points)
    circles = root.findall(f".//{SVG}g[@class='dm-points']//{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == ["Sagrada Família", "Camp Nou"]
    shapes = {s.code: read_path(s.d) for s in map_data().neighbourhoods}
    sagrada, camp_nou = ((float(c.get("cx")), float(c.get("cy"))) for c in circles)
    assert inside(*sagrada, shapes["06"]) and inside(*camp_nou, shapes["20"])
    links = root.findall(f".//{SVG}g[@class='dm-points']/{SVG}a")
    assert [(a.get("href"), a.get("tabindex")) for a in links] == [("/projects/a", "-1")]
    assert "A profile at its location" in "".join(root.find(".//div[@class='dm-legend']").itertext())


def test_names_labels_and_links_are_escaped() -> None:
    hostile = "a <b>&\"'</b>"
    html = str(
        render_map(
            {},
            [(41.39, 2.17, hostile, '/p?x="><script>')],
            '/d?n={code}&x="<>',
            language="en",
            title=hostile,
        )
    )
    assert "<script" not in html and "<b>" not in html
    root = ET.fromstring(html)
    assert root.find(f".//{SVG}title").text == hostile
    assert root.find(f".//{SVG}g[@class='dm-points']/{SVG}a").get("href") == '/p?x="><script>'
    assert _areas(root)[0].get("href") == '/d?n=1&x="<>'
    ids = _render({}, id_prefix='x"y').find(f"{SVG}svg").get("aria-labelledby")
    assert ids == 'x"y-title'


def test_the_attribution_and_the_table_are_there() -> None:
    root = _render({"1": 5}, selected="1")
    attribution = root.find(".//p[@class='dm-attribution']")
    assert "".join(attribution.itertext()) == "Boundaries: © Ajuntament de Barcelona — CartoBCN, CC BY 4.0"
    assert [a.get("href") for a in attribution.findall("a")][1] == "https://creativecommons.org/licenses/by/4.0/"
    rows = root.findall(".//details[@class='dm-table']/table/tbody/tr")
    assert len(rows) == 73
    first = ["".join(td.itertext()) for td in rows[0]]
    assert first == ["Ciutat Vella", "el Raval", "5"]
    assert rows[0].find("td/a").get("aria-current") == "true"
    assert _render({}, table=False).find(".//details") is None


def test_the_table_and_legend_stand_alone() -> None:
    table = ET.fromstring(str(map_table({"neighbourhood:3": 2}, HREF, language="ca")))
    assert [th.text for th in table.findall("table/thead/tr/th")] == ["Districte", "Barri", "Resultats"]
    assert ["".join(td.itertext()) for td in table.findall("table/tbody/tr")[2]] == [
        "Ciutat Vella",
        "la Barceloneta",
        "2",
    ]
    legend = ET.fromstring(str(map_legend(shade_classes(1), language="es")))
    assert legend.find("p").text == "Resultados por barrio"


def test_unknown_neighbourhoods_and_languages_are_refused() -> None:
    with pytest.raises(ValueError, match="not a neighbourhood"):
        render_map({"74": 1}, [], HREF, language="en", title="t")
    with pytest.raises(ValueError, match="not a neighbourhood"):
        render_map({}, [], HREF, selected="district:1", language="en", title="t")
    with pytest.raises(ValueError, match="no such language"):
        render_map({}, [], HREF, language="fr", title="t")
    with pytest.raises(ValueError, match="code"):
        render_map({}, [], "/directory", language="en", title="t")
    assert neighbourhood_code("073") == "73"


def test_points_that_would_overlap_are_drawn_as_one_group_with_its_number_and_names() -> None:
    # Three profiles in one building, one a street away, and one across the city
    same = [(41.40363, 2.17436, f"Project {n} <&>", f"/projects/{n}") for n in range(3)]
    nearby = (41.40375, 2.17450, "Next door", "/projects/next")
    far = (41.38087, 2.12282, "Camp Nou", "/projects/far")
    root = _render(points=[*same, nearby, far])
    group = root.find(f".//{SVG}g[@class='dm-group']")
    assert group is not None
    assert group.find(f"{SVG}text").text == "4"
    assert group.find(f"{SVG}title").text == "Project 0 <&>\nProject 1 <&>\nProject 2 <&>\nNext door"
    alone = root.findall(f".//{SVG}g[@class='dm-points']/{SVG}a/{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in alone] == ["Camp Nou"]
    legend = "".join(root.find(".//div[@class='dm-legend']").itertext())
    assert "Several profiles at one place" in legend and "A profile at its location" in legend


def test_a_large_group_names_the_first_few_and_counts_the_rest() -> None:
    crowd = [(41.40363, 2.17436, f"P{n}", None) for n in range(11)]
    root = _render(points=crowd, language="ca")
    group = root.find(f".//{SVG}g[@class='dm-group']")
    assert group.find(f"{SVG}text").text == "11"
    assert group.find(f"{SVG}title").text.split("\n")[-2:] == ["P7", "i 3 més"]
    legend = "".join(root.find(".//div[@class='dm-legend']").itertext())
    assert "Diversos perfils" in legend and "Un perfil amb la seva ubicació" not in legend
