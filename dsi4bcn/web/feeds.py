"""Atom 1.0 feeds (RFC 4287) of posts (a profile's and the network's) and of open calls, built with
ElementTree so that every text and attribute is escaped; an entry's content is the post's (or call's) HTML,
sanitised again just before it is written, sent as ``type="html"``.
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from dsi4bcn.fediverse.outbox import sanitise_html

__all__ = ["ATOM", "ATOM_NS", "FeedEntry", "atom_feed", "entry_from_call", "entry_from_note", "plain_text"]

ATOM = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
_TITLE_LENGTH = 80


@dataclass(frozen=True)
class FeedEntry:
    """One post in a feed: ``content`` is HTML, ``title`` plain text."""

    id: str
    title: str
    updated: str
    link: str
    content: str
    author: str


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("p", "br", "li"):
            self.parts.append(" ")


def plain_text(markup: str) -> str:
    """The words of an HTML fragment, with its whitespace collapsed."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _title(text: str) -> str:
    return text if len(text) <= _TITLE_LENGTH else text[: _TITLE_LENGTH - 1].rstrip() + "…"


def entry_from_note(note: Mapping[str, Any], language: str, author: str) -> FeedEntry:
    """A stored ``Note`` as a feed entry, in ``language`` when its ``contentMap`` has it."""
    content_map = note.get("contentMap")
    content = content_map.get(language) if isinstance(content_map, dict) else None
    if not isinstance(content, str):
        content = str(note.get("content", ""))
    content = sanitise_html(content)
    url = note.get("url")
    published = str(note["published"])
    return FeedEntry(
        id=str(note["id"]),
        title=_title(plain_text(content)) or published,
        updated=str(note.get("updated") or published),
        link=url if isinstance(url, str) else str(note["id"]),
        content=content,
        author=author,
    )


def entry_from_call(proposal: Mapping[str, Any], *, title: str, link: str, language: str, author: str) -> FeedEntry:
    """A call's canonical proposal as a feed entry: ``title`` in the reader's language, its text in
    ``language`` when its ``contentMap`` has it, ``link`` its page on this node."""
    entry = entry_from_note(proposal, language, author)
    return FeedEntry(
        id=entry.id, title=_title(title), updated=entry.updated, link=link, content=entry.content, author=author
    )


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    element.text = text
    return element


def atom_feed(
    *,
    feed_id: str,
    title: str,
    author: str,
    self_link: str,
    page: str,
    updated: str,
    entries: Sequence[FeedEntry],
    language: str,
) -> bytes:
    """An Atom feed document: ``updated`` is the newest entry's time, or the given one if it is newer or
    there are no entries; every entry names its own author, the feed ``author``."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", max([updated, *(entry.updated for entry in entries)]))
    _text(ET.SubElement(feed, f"{{{ATOM_NS}}}author"), "name", author)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "self", "type": ATOM, "href": self_link})
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"rel": "alternate", "type": "text/html", "href": page})
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        _text(entry, "updated", item.updated)
        _text(ET.SubElement(entry, f"{{{ATOM_NS}}}author"), "name", item.author)
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", {"rel": "alternate", "href": item.link})
        _text(entry, "content", item.content, type="html")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
