"""Atom feeds of posts, read back with ElementTree: RFC 4287's required elements, and escaping."""

import xml.etree.ElementTree as ET

from dsi4bcn.web.feeds import ATOM_NS, FeedEntry, atom_feed, entry_from_note, plain_text

A = f"{{{ATOM_NS}}}"
NOTE = {
    "id": "https://n.example/projects/aire/notes/1",
    "type": "Note",
    "content": "<p>Sensors &amp; <b>data</b> &lt;live&gt;</p>",
    "contentMap": {"ca": "<p>Sensors i <b>dades</b></p>"},
    "published": "2026-03-01T10:00:00Z",
}


def _feed(entries: list[FeedEntry], title: str = "Aire <Net> & co") -> ET.Element:
    body = atom_feed(
        feed_id="https://n.example/projects/aire/feed.atom",
        title=title,
        author=title,
        self_link="https://n.example/projects/aire/feed.atom",
        page="https://n.example/@aire",
        updated="2026-01-01T00:00:00Z",
        entries=entries,
        language="en",
    )
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)


def test_a_feed_has_every_element_atom_requires() -> None:
    feed = _feed([entry_from_note(NOTE, "en", "Aire")])
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{A}{name}") is not None, name
    assert feed.findtext(f"{A}author/{A}name") == "Aire <Net> & co"
    assert feed.find(f"{A}link[@rel='self']").get("href") == "https://n.example/projects/aire/feed.atom"  # type: ignore[union-attr]
    entry = feed.find(f"{A}entry")
    assert entry is not None
    for name in ("id", "title", "updated", "content"):
        assert entry.find(f"{A}{name}") is not None, name
    assert entry.find(f"{A}link").get("href") == NOTE["id"]  # type: ignore[union-attr]
    assert entry.find(f"{A}content").get("type") == "html"  # type: ignore[union-attr]
    # The feed is as new as its newest entry.
    assert feed.findtext(f"{A}updated") == "2026-03-01T10:00:00Z"


def test_markup_and_ampersands_are_escaped_and_read_back_unchanged() -> None:
    feed = _feed([entry_from_note(NOTE, "en", "Aire")])
    assert feed.findtext(f"{A}title") == "Aire <Net> & co"
    entry = feed.find(f"{A}entry")
    assert entry is not None
    assert entry.findtext(f"{A}content") == NOTE["content"]  # the HTML itself, as text
    assert entry.findtext(f"{A}title") == "Sensors & data <live>"


def test_an_entry_takes_the_visitors_language_and_a_short_title() -> None:
    assert entry_from_note(NOTE, "ca", "Aire").content == "<p>Sensors i <b>dades</b></p>"
    long = {**NOTE, "content": "<p>" + "word " * 40 + "</p>", "contentMap": None, "url": "https://n.example/x"}
    entry = entry_from_note(long, "es", "Aire")
    assert len(entry.title) == 80 and entry.title.endswith("…") and entry.link == "https://n.example/x"
    assert plain_text("<p>a</p><p>b<br>c</p>") == "a b c"


def test_a_feed_without_posts_is_still_valid() -> None:
    feed = _feed([], title="Buit")
    assert feed.findtext(f"{A}updated") == "2026-01-01T00:00:00Z" and feed.find(f"{A}entry") is None


def test_an_entry_s_content_is_sanitised_again() -> None:
    hostile = {**NOTE, "content": '<p onclick="x()">Hi<script>alert(1)</script></p>', "contentMap": None}
    assert entry_from_note(hostile, "en", "Aire").content == "<p>Hi</p>"
