"""What a person writes into an update post, made into what is sent: the text (Markdown or plain) as HTML,
and the hashtags they chose (the profile's areas, suggested in the post's language, and their own).

Markdown is read by markdown-it-py in its CommonMark mode with raw HTML off, so ``<script>`` typed into a
post stays text; the HTML it gives is then sanitised with everything else sent (``outbox.sanitise_html``).
Pure: no I/O.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from markdown_it import MarkdownIt

from dsi4bcn.fediverse.outbox import MAX_POST_LENGTH, area_hashtags, sanitise_html
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import text_to_html
from federation import activities
from vocab.concepts import concept_index

__all__ = [
    "MAX_FREE_HASHTAGS",
    "ComposeRefused",
    "PostFormat",
    "SuggestedTag",
    "body_html",
    "chosen_hashtags",
    "free_hashtags",
    "suggested_hashtags",
]

PostFormat = Literal["markdown", "text"]
MAX_FREE_HASHTAGS = 10
_MAX_HASHTAG = 60
# A hashtag as Mastodon links one: letters, digits and underscores of any script, not only digits.
_HASHTAG = re.compile(r"^(?=.*[^\W\d_])\w+$")
_SEPARATORS = re.compile(r"[\s,;]+")
# CommonMark, no raw HTML, no images (a post's pictures would be another host's: see architecture.md).
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image")


class ComposeRefused(ValueError):
    """A post that cannot be sent as written: a message ``code`` and its parameters."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class SuggestedTag:
    """A hashtag suggested for a post: the area's code (``area:open-data``), the hashtag's name (with #) in
    the post's language and the area's tag page it links to."""

    code: str
    name: str
    href: str


def body_html(text: str, form: PostFormat) -> str:
    """The post's ``text`` as sanitised HTML: Markdown rendered (raw HTML off), or plain text as paragraphs.
    ``ComposeRefused`` for an empty text or one over ``MAX_POST_LENGTH`` characters."""
    if not text.strip():
        raise ComposeRefused("post_text_required")
    if len(text) > MAX_POST_LENGTH:
        raise ComposeRefused("post_text_too_long", limit=MAX_POST_LENGTH)
    html = _MARKDOWN.render(text) if form == "markdown" else text_to_html(text)
    return sanitise_html(html)


def suggested_hashtags(record: ActorRecord, base_url: str, language: str) -> list[SuggestedTag]:
    """The profile's area hashtags, named in ``language``: suggestions the writer may leave out."""
    areas = [curie for curie in record.fields.get("areas", []) if concept_index().resolve(curie) is not None]
    tags = area_hashtags(record, base_url, language)
    return [SuggestedTag(code, tag["name"], tag["href"]) for code, tag in zip(areas, tags, strict=True)]


def free_hashtags(text: str) -> list[str]:
    """The hashtags typed in ``text`` (separated by spaces or commas, with or without #), without repeats.
    ``ComposeRefused`` for one that is not a hashtag, or more than ``MAX_FREE_HASHTAGS``."""
    names: list[str] = []
    for word in _SEPARATORS.split(text.strip()):
        name = word.removeprefix("#")
        if not word:
            continue
        if len(name) > _MAX_HASHTAG or not _HASHTAG.match(name):
            raise ComposeRefused("hashtag_invalid", value=word[:80])
        if name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    if len(names) > MAX_FREE_HASHTAGS:
        raise ComposeRefused("too_many_hashtags", limit=MAX_FREE_HASHTAGS)
    return names


def chosen_hashtags(
    suggested: Sequence[SuggestedTag], chosen: Iterable[str], free: Sequence[str], base_url: str
) -> list[dict[str, str]]:
    """The ``Hashtag``s of a post: the suggested ones whose area codes were ``chosen`` (codes not suggested
    are ignored), then the free ones, which link to a search of the directory; no name twice."""
    picked = set(chosen)
    tags = [activities.hashtag(tag.name, tag.href) for tag in suggested if tag.code in picked]
    seen = {tag["name"].casefold() for tag in tags}
    for name in free:
        if f"#{name}".casefold() not in seen:
            seen.add(f"#{name}".casefold())
            tags.append(activities.hashtag(name, f"{base_url}/directory?{urlencode({'q': name})}"))
    return tags
