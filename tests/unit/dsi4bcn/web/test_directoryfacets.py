"""The directory's facets as HTML: in order, largest count first, open when filtered or short, every text
escaped."""

import re
from html import unescape

from dsi4bcn.web.directoryfacets import facet_lists


def _value(key: str, label: str, count: int, selected: bool = False) -> dict[str, object]:
    return {"key": key, "label": label, "count": count, "selected": selected}


def _facets(html: str) -> list[tuple[str, bool, str]]:
    return re.findall(r'<details class="facet" data-facet="([a-z]+)"( open)?>(.*?)</details>', html)


def test_facets_list_their_values_largest_first_with_boxes_and_counts() -> None:
    values = {
        "kind": [_value("organisation", "Organisation", 2), _value("project", "Project", 9)],
        "area": [_value(f"a{n}", f"Area {n}", n % 3, selected=n == 4) for n in range(6)],
        "sdg": [],
    }
    html = str(facet_lists(("area", "kind", "sdg", "status"), values, {"area"}, "en"))
    facets = _facets(html)
    assert [(facet, opened) for facet, opened, _ in facets] == [("area", " open"), ("kind", " open")]
    area = facets[0][2]
    summary, legend = re.search(r"<summary>(.*?)</summary>.*?<legend[^>]*>(.*?)</legend>", area).groups()
    assert summary == legend != ""
    boxes = re.findall(r'<input type="checkbox" name="area" value="([^"]+)"( checked)?>', area)
    assert [key for key, _ in boxes] == ["a2", "a5", "a1", "a4", "a0", "a3"]  # stable among equal counts
    assert [key for key, checked in boxes if checked] == ["a4"]
    assert re.findall(r'<span class="count" data-key="[^"]+">(\d+)</span>', area) == ["2", "2", "1", "1", "0", "0"]
    assert re.findall(r'value="([a-z]+)"', facets[1][2]) == ["project", "organisation"]


def test_a_long_unfiltered_facet_starts_closed_and_texts_are_escaped() -> None:
    hostile = 'x"><script>alert(1)</script>'
    values = {"source": [_value(hostile, hostile, n) for n in range(5)]}
    html = str(facet_lists(("source",), values, set(), "ca"))
    assert "<script>" not in html
    [(facet, opened, body)] = _facets(html)
    assert facet == "source" and not opened
    assert unescape(re.search(r'value="([^"]+)"', body).group(1)) == hostile
    assert unescape(re.search(r"> (.*?) <span", body).group(1)) == hostile
