"""The directory's facets as HTML: in order, largest count first, open when filtered or short, every text
escaped."""

import re
from html import unescape

from dsi4bcn.web.directoryfacets import facet_lists


def _facets(html: str) -> list[tuple[str, bool, str]]:
    return re.findall(r'<details class="facet" data-facet="([a-z]+)"( open)?>(.*?)</details>', html)


def test_facets_list_their_values_largest_first_with_boxes_and_counts() -> None:
    counts = {"kind": [("organisation", 2), ("project", 9)], "area": [(f"a{n}", n % 3) for n in range(6)], "sdg": []}
    html = str(facet_lists(("area", "kind", "sdg", "status"), counts, {"area": {"a4"}}, "en", "here.example"))
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
    assert re.findall(r"> ([A-Z][a-z]+) <span", facets[1][2]) == ["Project", "Organisation"]


def test_values_are_labelled_in_the_language_asked_and_this_node_is_named() -> None:
    counts = {"area": [("open-data", 3)], "source": [("here.example", 2), ("peer.example", 1)]}
    html = str(facet_lists(("area", "source"), counts, {}, "ca", "here.example"))
    labels = re.findall(r"> ([^<]+?) <span", html)
    assert labels[0] == "Dades obertes"
    assert labels[1:] == ["aquest node", "peer.example"]


def test_a_long_unfiltered_facet_starts_closed_and_texts_are_escaped() -> None:
    hostile = 'x"><script>alert(1)</script>'
    counts = {"source": [(hostile, n) for n in range(5)]}
    html = str(facet_lists(("source",), counts, {}, "ca", "here.example"))
    assert "<script>" not in html
    [(facet, opened, body)] = _facets(html)
    assert facet == "source" and not opened
    assert unescape(re.search(r'value="([^"]+)"', body).group(1)) == hostile
    assert unescape(re.search(r"> (.*?) <span", body).group(1)) == hostile
