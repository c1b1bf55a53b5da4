"""The posts and followers of a profile, as admin pages for a signed-in person who may manage it.

``/admin/{organisations|projects}/{slug}/posts`` writes an update post (Markdown or plain text, its language,
the profile's area hashtags suggested in that language, and free hashtags; a preview changes nothing) and
lists the latest posts, each with a delete button; ``…/followers`` lists the followers and the follow
requests waiting, each with approve and reject buttons. Each change is the admin API's own
(``web/postactions``: the same activities, the same audit log entries). Anyone not signed in is sent to
sign in; another organisation's profile is a 403 ``not_your_profile``; every form is checked for its CSRF
token before anything else.
"""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup
from multidict import MultiDictProxy

from dsi4bcn.fediverse.outbox import MAX_POST_LENGTH
from dsi4bcn.fediverse.postcompose import (
    ComposeRefused,
    PostFormat,
    body_html,
    chosen_hashtags,
    free_hashtags,
    suggested_hashtags,
)
from dsi4bcn.i18n import LANGUAGES, message
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.web.accountsession import SignedIn
from dsi4bcn.web.adminview import admin_page, checked_form, signed_or_redirect
from dsi4bcn.web.appkeys import CONFIG, FOLLOWS, NOTES
from dsi4bcn.web.http import request_language
from dsi4bcn.web.managedprofiles import managed_profile, profile_head
from dsi4bcn.web.postactions import answer_follow_request, delete_post, note_key, publish_post
from dsi4bcn.web.routes.signin import redirect
from dsi4bcn.web.templating import post_view

__all__ = ["routes"]

routes = web.RouteTableDef()
_PROFILE = "/admin/{collection:organisations|projects}/{slug}"
_RECENT = 20
_SHOWN_FOLLOWERS = 500
_FORMATS: tuple[PostFormat, ...] = ("markdown", "text")
_Form = MultiDictProxy[str | bytes | bytearray | web.FileField]


def _base(record: ActorRecord) -> str:
    return f"/admin/{record.kind}s/{record.slug}"


def _draft(form: _Form | None, language: str, record: ActorRecord) -> dict[str, Any]:
    """What the form shows: what was posted, else a fresh post in the page's language with every suggested
    hashtag ticked."""
    if form is None:
        areas = [str(code) for code in record.fields.get("areas", [])]
        return {"text": "", "format": "markdown", "language": language, "tags": areas, "hashtags": ""}
    chosen_language = str(form.get("language", ""))
    chosen_format = str(form.get("format", ""))
    return {
        "text": str(form.get("text", ""))[: MAX_POST_LENGTH + 1],
        "format": chosen_format if chosen_format in _FORMATS else "markdown",
        "language": chosen_language if chosen_language in LANGUAGES else language,
        "tags": [str(code) for code in form.getall("tag", [])],
        "hashtags": str(form.get("hashtags", ""))[:1000],
    }


async def _posts_page(
    request: web.Request, signed: SignedIn, record: ActorRecord, status: int = 200, **extra: Any
) -> web.Response:
    language = request_language(request)
    draft = extra.pop("draft", None) or _draft(None, language, record)
    notes = await request.app[NOTES].latest(record.slug, _RECENT)
    posts = [
        {
            "view": post_view(note, language),
            "key": note_key(str(note["id"])),
            "languages": list(note.get("contentMap") or {}),
        }
        for _, note in notes
    ]
    context: dict[str, Any] = {
        **profile_head(request, record, "posts"),
        "draft": draft,
        "suggested": suggested_hashtags(record, request.app[CONFIG].base_url, draft["language"]),
        "posts": posts,
        "limit": MAX_POST_LENGTH,
        "errors": [],
        "preview": None,
        **extra,
    }
    return admin_page(request, signed, "admin_posts.html", status, **context)


@routes.get(_PROFILE + "/posts")
async def posts(request: web.Request) -> web.Response:
    """The form to write an update post, and the profile's latest posts."""
    signed = await signed_or_redirect(request)
    return await _posts_page(request, signed, await managed_profile(request, signed))


def _compose(request: web.Request, record: ActorRecord, draft: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """The post's HTML and hashtags from the form's ``draft``; ``ComposeRefused`` says what is wrong."""
    base_url = request.app[CONFIG].base_url
    html = body_html(draft["text"], draft["format"])
    free = free_hashtags(draft["hashtags"])
    suggested = suggested_hashtags(record, base_url, draft["language"])
    return html, chosen_hashtags(suggested, draft["tags"], free, base_url)


@routes.post(_PROFILE + "/posts")
async def write_post(request: web.Request) -> web.Response:
    """Preview (``action=preview``, nothing sent) or publish the post: a ``Create{Note}`` to the followers
    and peer nodes, as the admin API's; the form again with its error (422), nothing sent, if it is wrong."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    record = await managed_profile(request, signed)
    language = request_language(request)
    draft = _draft(form, language, record)
    try:
        html, tags = _compose(request, record, draft)
    except ComposeRefused as refused:
        error = message(refused.code, language, **refused.params)
        return await _posts_page(request, signed, record, 422, draft=draft, errors=[error])
    if form.get("action") == "preview":
        preview = {"html": Markup(html), "tags": tags}  # noqa: S704 - sanitised by body_html
        return await _posts_page(request, signed, record, draft=draft, preview=preview)
    content_map = {draft["language"]: html}
    await publish_post(request.app, record, signed.account.email, html, content_map, tags)
    return redirect(f"{_base(record)}/posts?{urlencode({'lang': language, 'done': 'published'})}")


@routes.post(_PROFILE + r"/posts/{key:[A-Za-z0-9-]{1,64}}/delete")
async def remove_post(request: web.Request) -> web.Response:
    """Delete a post, as the admin API does: a ``Delete`` goes where its ``Create`` went; 404 if none."""
    signed = await signed_or_redirect(request)
    await checked_form(request, signed)
    record = await managed_profile(request, signed)
    await delete_post(request.app, record, signed.account.email, request.match_info["key"])
    query = urlencode({"lang": request_language(request), "done": "deleted"})
    return redirect(f"{_base(record)}/posts?{query}")


@routes.get(_PROFILE + "/followers")
async def followers(request: web.Request) -> web.Response:
    """The profile's followers and the follow requests waiting for an answer."""
    signed = await signed_or_redirect(request)
    record = await managed_profile(request, signed)
    follows = request.app[FOLLOWS]
    context: dict[str, Any] = {
        **profile_head(request, record, "followers"),
        "pending": await follows.followers(record.slug, accepted=False, limit=_SHOWN_FOLLOWERS),
        "followers": await follows.followers(record.slug, limit=_SHOWN_FOLLOWERS),
        "follower_count": await follows.count_followers(record.slug),
    }
    return admin_page(request, signed, "admin_followers.html", **context)


async def _answer(request: web.Request, accept: bool) -> web.Response:
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    record = await managed_profile(request, signed)
    actor = str(form.get("actor", ""))
    await answer_follow_request(request.app, record, signed.account.email, actor, accept)
    query = urlencode({"lang": request_language(request), "done": "accepted" if accept else "rejected"})
    return redirect(f"{_base(record)}/followers?{query}")


@routes.post(_PROFILE + "/followers/accept")
async def accept_follower(request: web.Request) -> web.Response:
    """Approve a follow request (form field ``actor``): the follower gets an ``Accept``."""
    return await _answer(request, True)


@routes.post(_PROFILE + "/followers/reject")
async def reject_follower(request: web.Request) -> web.Response:
    """Reject a follow request (form field ``actor``): the follower gets a ``Reject``."""
    return await _answer(request, False)
