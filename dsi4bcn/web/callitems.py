"""What lists of calls show (pure): each call's purpose, title, skills, place, times, author and source, and
the calls page's filters as links with their counts.

Every text is a caller's or a label; the templates escape them all. A filter value's link turns that value
on or off and keeps the other parameters (but the page), so that the page works without JavaScript and
every state has its URL.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from dsi4bcn.directory.calllist import CallEntry
from dsi4bcn.directory.callservice import CallDirectory
from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.i18n import UI
from dsi4bcn.web.conceptview import LinkView, concept_href, profile_href
from vocab.concepts import concept_index

__all__ = [
    "PROFILE_CALLS",
    "CallItem",
    "FacetValue",
    "FacetView",
    "author_calls",
    "author_links",
    "call_items",
    "facet_views",
]

PROFILE_CALLS = 50  # open calls a profile page lists
_FACET_TITLES = {"purpose": "calls_purpose", "skill": "scheme_skill", "district": "facet_district"}


@dataclass(frozen=True)
class CallItem:
    """One call in a list."""

    href: str
    purpose: str
    title: str
    concepts: Sequence[LinkView]
    place: str | None
    deadline: str | None  # the day
    until: str | None  # the day
    author: LinkView
    source: str  # "" for this node


@dataclass(frozen=True)
class FacetValue:
    """A value of a filter: its label, how many calls it would find, and the link that turns it on or off."""

    key: str
    label: str
    count: int
    href: str
    chosen: bool


@dataclass(frozen=True)
class FacetView:
    """A filter of the calls page with its values."""

    facet: str
    title: str
    values: Sequence[FacetValue]


def _with_lang(href: str, language: str) -> str:
    return href + ("&" if "?" in href else "?") + urlencode({"lang": language})


def _place(place: str | None, language: str) -> str | None:
    concept = concept_index().by_iri(place) if place else None
    return concept.label(language) if concept is not None else place


def author_links(entries: Sequence[CallEntry], directory: DirectoryService, language: str) -> dict[str, LinkView]:
    """The name and page of each entry's author, as the directory knows them (else its IRI)."""
    links = {}
    for author in {entry.author for entry in entries}:
        profile = directory.entry(author)
        if profile is not None:
            links[author] = LinkView(profile.name(language), profile_href(profile, language))
        else:
            links[author] = LinkView(author, "/network/profile?" + urlencode({"id": author, "lang": language}))
    return links


def call_items(entries: Sequence[CallEntry], language: str, authors: Mapping[str, LinkView]) -> list[CallItem]:
    """The list items of ``entries`` in ``language``; ``authors`` from ``author_links``."""
    index = concept_index()
    items = []
    for entry in entries:
        skills = [index.get("skill", code) for code in entry.skills]
        items.append(
            CallItem(
                href=_with_lang(entry.page, language),
                purpose=entry.purpose,
                title=entry.title(language),
                concepts=[
                    LinkView(concept.label(language), concept_href(concept, language))
                    for concept in skills
                    if concept is not None
                ],
                place=_place(entry.place, language),
                deadline=entry.deadline[:10] if entry.deadline else None,
                until=entry.ends[:10] if entry.ends else None,
                author=authors.get(entry.author, LinkView(entry.author, entry.author)),
                source="" if entry.local else entry.source,
            )
        )
    return items


def _label(facet: str, key: str, language: str) -> str:
    if facet == "purpose":
        return UI[f"calls_badge_{key}"][language]
    concept = concept_index().get(facet, key)
    return concept.label(language) if concept is not None else key


def facet_views(
    counts: Mapping[str, Sequence[tuple[str, int]]],
    chosen: Mapping[str, frozenset[str]],
    parameters: Sequence[tuple[str, str]],
    language: str,
) -> list[FacetView]:
    """Each filter with its values (chosen ones first, then by count), each a link from the current
    ``parameters`` (the request's, in order) with that value turned on or off and the page dropped."""
    views = []
    for facet, title_key in _FACET_TITLES.items():
        selected = chosen.get(facet, frozenset())
        pairs = dict(counts.get(facet, ()))
        keys = sorted({*pairs, *selected}, key=lambda key: (key not in selected, -pairs.get(key, 0), key))
        values = []
        for key in keys:
            others = [(name, value) for name, value in parameters if name != "page"]
            if key in selected:
                kept = [(name, value) for name, value in others if not (name == facet and _same(facet, value, key))]
            else:
                kept = [*others, (facet, key)]
            href = "/calls?" + urlencode(kept) if kept else "/calls"
            values.append(FacetValue(key, _label(facet, key, language), pairs.get(key, 0), href, key in selected))
        if values:
            views.append(FacetView(facet, UI[title_key][language], values))
    return views


def _same(facet: str, value: str, key: str) -> bool:
    """Whether a request's ``value`` of ``facet`` names ``key`` (a skill may be written as its IRI)."""
    if facet == "purpose":
        return value == key
    concept = concept_index().by_iri(value) or concept_index().resolve(value) or concept_index().get(facet, value)
    return concept is not None and concept.code == key


def author_calls(
    calls: CallDirectory, directory: DirectoryService, author: str, language: str, now: str
) -> list[CallItem]:
    """The open calls of the profile ``author`` (an IRI) for its page, newest first (none while the list
    is still loading: a profile page does not wait for it)."""
    if not calls.ready.is_set():
        return []
    entries = calls.of_author(author, now)[:PROFILE_CALLS]
    return call_items(entries, language, author_links(entries, directory, language))
