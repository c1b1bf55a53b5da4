"""A post or public activity of a local actor as a page, for the browsers that follow its id.

Mastodon's "open original" link and a post's ``url`` both lead to the note's id; ActivityPub clients get
the JSON-LD there, and a browser gets this page: the post's content (the sanitised HTML stored when it was
published, sanitised once more before it is shown), its author with a link to their page, and its date.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web
from markupsafe import Markup

from dsi4bcn.fediverse.outbox import sanitise_html
from dsi4bcn.profiles.documents import pick_language
from dsi4bcn.profiles.iris import profile_page
from dsi4bcn.web.appkeys import CONFIG, STORE, TEMPLATES
from dsi4bcn.web.http import ApiError, html_response, request_language
from dsi4bcn.web.templating import render_page

__all__ = ["post_page"]


def _content(document: Mapping[str, Any], language: str) -> str:
    """The HTML content in ``language`` of a note, or of the note a ``Create``/``Update`` carries."""
    shown: Any = document
    if not ("content" in document or "contentMap" in document) and isinstance(document.get("object"), dict):
        shown = document["object"]
    content_map = shown.get("contentMap")
    if isinstance(content_map, dict) and content_map and all(isinstance(v, str) for v in content_map.values()):
        return pick_language(content_map, language)
    content = shown.get("content")
    return content if isinstance(content, str) else ""


def _date(value: Any) -> tuple[str, str] | None:
    """``(machine, human)`` forms of an ISO date-time, or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return value, moment.strftime("%Y-%m-%d %H:%M UTC" if moment.utcoffset() is not None else "%Y-%m-%d %H:%M")


async def post_page(request: web.Request, slug: str, kind: str, document: Mapping[str, Any]) -> web.Response:
    """The page of a note (``kind`` "notes") or a public activity ("activities") of the local actor ``slug``."""
    language = request_language(request)
    record = await request.app[STORE].get(slug)
    if record is None:
        raise ApiError(404, "not_found")
    config = request.app[CONFIG]
    body = render_page(
        request.app[TEMPLATES],
        "post.html",
        language,
        query=request.query,
        kind="note" if kind == "notes" else "activity",
        activity_type=str(document.get("type", "")),
        content=Markup(sanitise_html(_content(document, language))),  # noqa: S704 - sanitised just now
        author=record.name(language),
        author_page=profile_page(config.base_url, slug),
        published=_date(document.get("published")),
        object_id=str(document.get("id", "")),
    )
    return html_response(body, vary="Accept, Accept-Language")
