"""The SVG chart renderer: bars proportional to values, empty, zero and single cases, escaping, texts."""

import re
import xml.etree.ElementTree as ET

from dsi4bcn.web.svgcharts import BAR, WIDTH, bar_chart, column_chart, truncate

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _bar_widths(svg: str) -> list[float]:
    return [float(rect.attrib["width"]) for rect in _parse(svg).iter(f"{SVG}rect")]


def _texts(svg: str) -> list[str]:
    return [text.text or "" for text in _parse(svg).iter(f"{SVG}text")]


def test_bars_are_proportional_to_their_values() -> None:
    widths = _bar_widths(bar_chart([("a", 10), ("b", 5), ("c", 1)], "T", "D"))
    assert widths[0] > 0
    assert widths[1] / widths[0] == 0.5
    assert abs(widths[2] / widths[0] - 0.1) < 1e-3
    assert widths[0] < WIDTH


def test_the_chart_scales_and_is_an_image_with_a_title_and_description() -> None:
    svg = bar_chart([("a", 3)], "Per àmbit", "Barres")
    root = _parse(svg)
    assert root.attrib["role"] == "img" and root.attrib["viewBox"].startswith("0 0 ")
    assert "width:100%" in root.attrib["style"] and "width" not in root.attrib and "height" not in root.attrib
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}title").text == "Per àmbit"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Barres"  # type: ignore[union-attr]
    assert all(rect.attrib["fill"] == BAR for rect in root.iter(f"{SVG}rect"))


def test_zero_single_and_empty_charts() -> None:
    assert _bar_widths(bar_chart([("a", 0), ("b", 0)], "T", "D")) == [0.0, 0.0]
    assert _bar_widths(bar_chart([("only", 7)], "T", "D")) == [WIDTH - 56]
    assert _bar_widths(bar_chart([], "T", "D")) == []
    assert _texts(bar_chart([], "T", "D")) == []
    assert [float(r.attrib["height"]) for r in _parse(column_chart([("2026-01", 0)], "T", "D")).iter(f"{SVG}rect")] == [
        0.0
    ]
    assert _texts(column_chart([], "T", "D")) == []


def test_columns_are_proportional_and_labelled_first_and_last() -> None:
    svg = column_chart([("2025-01", 2), ("2025-02", 4), ("2025-03", 8)], "T", "D")
    heights = [float(r.attrib["height"]) for r in _parse(svg).iter(f"{SVG}rect")]
    assert heights[0] / heights[2] == 0.25 and heights[1] / heights[2] == 0.5
    assert _texts(svg) == ["8", "2025-01", "2025-03"]


def test_labels_are_escaped() -> None:
    label = 'A<b>&"c"</b>'
    svg = bar_chart([(label, 1)], 'T<&"', 'D<&"')
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    assert _texts(svg)[0] == label
    assert _parse(svg).find(f"{SVG}title").text == 'T<&"'  # type: ignore[union-attr]


def test_long_labels_are_cut_and_every_text_is_in_the_data() -> None:
    items = [("Innovació social digital i economia col·laborativa als barris de Barcelona", 12), ("Salut", 3)]
    texts = _texts(bar_chart(items, "T", "D"))
    assert texts[0] == truncate(items[0][0]) and texts[0].endswith("…") and len(texts[0]) <= 40
    table = [cell for label, count in items for cell in (label, str(count))]
    for text in texts:
        assert any(cell.startswith(text.removesuffix("…")) for cell in table), text
    assert not re.search(r'width="\d+(px)?"', bar_chart(items, "T", "D").split(">", 1)[0])
