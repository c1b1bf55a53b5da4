"""The directory's results as HTML: each result's logo or initials, kind, source, name, summary and areas, in
order, every text from a profile escaped."""

import re
from html import unescape
from xml.etree import ElementTree as ET

from dsi4bcn.directory.entries import Entry
from dsi4bcn.web.directoryresults import SUMMARY_LENGTH, result_items, shorten
from dsi4bcn.web.mediaview import ImageView


def _entry(number: int, **fields: object) -> Entry:
    values: dict[str, object] = {
        "id": f"https://peer.example/projects/p{number}",
        "kind": "project",
        "names": {"ca": f"Taller {number}", "en": f"Workshop {number}"},
        "summaries": {"en": f"About workshop {number}."},
        "source": "peer.example",
        "local": False,
        "updated": "2026-01-01T00:00:00Z",
        "concepts": {"area": frozenset({"open-data", "digital-fabrication"})},
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def _items(html: str) -> list[ET.Element]:
    return list(ET.fromstring(re.sub(r"(<img[^>]*)>", r"\1/>", f"<ol>{html}</ol>")))  # HTML's void <img> as XML


def test_results_keep_their_order_and_say_what_and_where_from() -> None:
    entries = [_entry(1), _entry(2, local=True, source="here.example", kind="organisation", summaries={})]
    logo = ImageView("/media/abc.png", 64, 64)
    items = _items(str(result_items(entries, "ca", {entries[0].id: logo})))
    assert [item.get("data-id") for item in items] == [entry.id for entry in entries]
    first, second = items
    assert first.find("img").get("src") == "/media/abc.png"  # type: ignore[union-attr]
    assert second.find("img") is None and second.find("span").get("class").startswith("logo mark")  # type: ignore[union-attr]
    assert "".join(first.find("p").itertext()).endswith("De peer.example")  # type: ignore[union-attr]
    assert second.find("p/span").get("class") == "source local"  # type: ignore[union-attr]
    assert first.find("h3/a").text == "Taller 1" and first.find("h3/a").get("href") == entries[0].id  # type: ignore[union-attr]
    assert first.find("p[@class='summary']").text == "About workshop 1."  # type: ignore[union-attr]
    assert second.find("p[@class='summary']") is None
    areas = first.findall("p[@class='concepts']/a")
    assert [area.get("href") for area in areas] == [
        "/concepts/area/digital-fabrication?lang=ca",
        "/concepts/area/open-data?lang=ca",
    ]
    assert [area.text for area in areas] == ["Fabricació digital", "Dades obertes"]


def test_every_text_from_a_profile_is_escaped() -> None:
    hostile = '"><script>alert(1)</script>'
    entry = _entry(1, id=f"https://peer.example/{hostile}", names={"ca": hostile}, summaries={"ca": hostile})
    html = str(result_items([entry], "ca", {}))
    assert "<script>" not in html
    [item] = _items(html)
    assert unescape(item.get("data-id") or "") == entry.id
    assert item.find("h3/a").text == hostile  # type: ignore[union-attr]


def test_long_summaries_are_cut_at_a_word_with_an_ellipsis() -> None:
    words = " ".join(["cooperativa"] * 60)
    cut = shorten(words)
    assert len(cut) <= SUMMARY_LENGTH and cut.endswith("cooperativa…")
    assert shorten("curt") == "curt"
    assert shorten("x" * 400) == "x" * (SUMMARY_LENGTH - 1) + "…"  # one long word is cut inside it
    assert re.fullmatch(r"(cooperativa )+cooperativa…", cut)
