"""The directory page's list of results as HTML, written in Python from the index's entries.

A page shows up to 100 results, each with its logo (or placeholder), kind, source node, name, summary and
areas; written by a Jinja2 loop with a macro per logo they cost more than the query that found them at
100,000 profiles (docs/benchmarks.md). Every text from a profile is escaped (with the standard library's
``html.escape``, twice as fast as MarkupSafe's for short texts): profiles are strangers' data.
"""

from collections.abc import Mapping, Sequence
from functools import lru_cache
from html import escape
from urllib.parse import quote

from markupsafe import Markup

from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.formats import facet_label
from dsi4bcn.i18n import UI
from dsi4bcn.web.mediaview import ImageView, logo_html, placeholder

__all__ = ["SUMMARY_LENGTH", "result_items", "shorten"]

SUMMARY_LENGTH = 280  # characters of a summary a result shows
_END = "…"


def shorten(text: str, length: int = SUMMARY_LENGTH) -> str:
    """``text`` cut at the last word boundary before ``length`` characters, with an ellipsis, if longer."""
    if len(text) <= length:
        return text
    cut = text[: length - len(_END)]
    head, space, _ = cut.rpartition(" ")
    return (head if space and head else cut).rstrip() + _END


@lru_cache(maxsize=4096)  # the vocabulary's areas in three languages
def _area_link(key: str, language: str) -> str:
    label = escape(facet_label("area", key, language, ""))
    return f'<a href="/concepts/area/{escape(quote(key))}?lang={language}">{label}</a>'


@lru_cache(maxsize=1024)  # this node and its peers, in three languages
def _source(source: str, local: bool, language: str) -> str:
    if local:
        return f'<span class="source local">{escape(UI["this_node"][language])}</span>'
    return f'<span class="source">{escape(UI["from_node"][language].format(node=source))}</span>'


def _item(entry: Entry, language: str, logo: ImageView | None) -> str:
    name = entry.name(language)
    summary = entry.summary(language)
    areas = "".join(_area_link(key, language) for key in sorted(entry.concepts.get("area", ())))
    return (
        f'<li class="result" data-id="{escape(entry.id)}" data-source="{escape(entry.source)}">'
        f"{logo_html(logo, placeholder(name))}"
        f'<p class="kind">{escape(UI[entry.kind][language])} · {_source(entry.source, entry.local, language)}</p>'
        f'<h3><a href="{escape(entry.id)}">{escape(name)}</a></h3>'
        + (f'<p class="summary">{escape(shorten(summary))}</p>' if summary else "")
        + (f'<p class="concepts">{areas}</p>' if areas else "")
        + "</li>"
    )


def result_items(entries: Sequence[Entry], language: str, logos: Mapping[str, ImageView]) -> Markup:
    """The results as ``<li>`` items of the page's ``<ol class="results">``, in order; ``logos`` by IRI."""
    return Markup("".join(_item(entry, language, logos.get(entry.id)) for entry in entries))  # noqa: S704 - escaped above
