"""What people do with a profile page beyond reading it: its HTML (with its latest posts, OpenGraph tags
and schema.org JSON-LD), the Atom feeds of posts (a profile's and the network's), and remote follow
(``GET /follow``: a visitor's handle to the subscribe page of their own server).
"""

from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.i18n import UI
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.iris import actor_iri, parse_actor_iri, profile_page
from dsi4bcn.profiles.validation import Kind
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.actorlabels import agreements_of
from dsi4bcn.web.appkeys import (
    CALL_DIRECTORY,
    CONFIG,
    DIRECTORY_SERVICE,
    FOLLOW_CLIENT,
    FOLLOW_LIMITER,
    MEDIA,
    NOTES,
    RECEIVED_NOTES,
    RECEIVED_PROFILES,
    STORE,
    TEMPLATES,
)
from dsi4bcn.web.callitems import author_calls
from dsi4bcn.web.clientaddress import client_address
from dsi4bcn.web.feeds import ATOM, atom_feed, entry_from_note
from dsi4bcn.web.http import ApiError, request_language
from dsi4bcn.web.mediaview import local_images, placeholder
from dsi4bcn.web.networkposts import latest_network_posts
from dsi4bcn.web.profilelinks import opengraph_tags
from dsi4bcn.web.remotefollow import RemoteFollowError, find_follow_url
from dsi4bcn.web.templating import actor_view, post_view, render_page

__all__ = ["FEED_ENTRIES", "LATEST_POSTS", "atom_response", "live_record", "profile_html", "routes"]

routes = web.RouteTableDef()
LATEST_POSTS = 5
FEED_ENTRIES = 20


async def profile_html(request: web.Request, record: ActorRecord, language: str) -> bytes:
    """The HTML page of a live organisation or project: its profile, projects or organisation, latest posts."""
    config, store = request.app[CONFIG], request.app[STORE]
    organisation = await store.get(record.organisation) if record.organisation else None
    projects = await store.list("project", organisation=record.slug) if record.kind == "organisation" else []
    notes = await request.app[NOTES].latest(record.slug, LATEST_POSTS)
    view = actor_view(
        record,
        base_url=config.base_url,
        authority=config.authority,
        language=language,
        organisation=organisation if organisation and not organisation.deleted else None,
        projects=[p for p in projects if not p.deleted],
        posts=[post_view(note, language) for _local, note in notes],
    )
    images = (await local_images(request.app[MEDIA], config.base_url, {"": record.fields})).get("", {})
    logo = images.get("icon")
    og = opengraph_tags(
        title=view.name,
        description=view.description,
        url=view.page,
        # Read by link-preview servers, not by visitors' browsers: this node's copy, else the URL named.
        image=config.base_url + logo.src if logo else view.icon,
        site_name=config.authority,
    )
    iri = actor_iri(config.base_url, record.kind, record.slug)
    calls = author_calls(request.app[CALL_DIRECTORY], request.app[DIRECTORY_SERVICE], iri, language, utc_now())
    return render_page(
        request.app[TEMPLATES],
        "actor.html",
        language,
        actor=view,
        calls=calls,
        og=og,
        logo=logo,
        banner=images.get("image"),
        mark=placeholder(view.name),
        agreements=await agreements_of(request.app, view.iri, language),
    )


async def live_record(request: web.Request) -> ActorRecord:
    """The live organisation or project the path's ``path`` and ``slug`` name; 404 if there is none of that
    kind, 410 if it was deleted."""
    kind: Kind = "organisation" if request.match_info["path"] == "organisations" else "project"
    record = await request.app[STORE].get(request.match_info["slug"])
    if record is None or record.kind != kind:
        raise ApiError(404, "not_found")
    if record.deleted:
        raise ApiError(410, "gone")
    return record


def atom_response(body: bytes) -> web.Response:
    """An Atom feed as an answer, readable from any origin."""
    response = web.Response(body=body)
    response.headers["Content-Type"] = f"{ATOM}; charset=utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@routes.get("/{path:organisations|projects}/{slug}/feed.atom")
async def profile_feed(request: web.Request) -> web.Response:
    """The Atom feed of an organisation's or project's posts, newest first."""
    config = request.app[CONFIG]
    record = await live_record(request)
    language = config.language
    iri = actor_iri(config.base_url, record.kind, record.slug)
    name = record.name(language)
    notes = await request.app[NOTES].latest(record.slug, FEED_ENTRIES)
    body = atom_feed(
        feed_id=f"{iri}/feed.atom",
        title=name,
        author=name,
        self_link=f"{iri}/feed.atom",
        page=profile_page(config.base_url, record.slug),
        updated=record.updated,
        entries=[entry_from_note(note, language, name) for _local, note in notes],
        language=language,
    )
    return atom_response(body)


@routes.get("/feed.atom")
async def network_feed(request: web.Request) -> web.Response:
    """The Atom feed of the network: the posts of the node's profiles and of the profiles it aggregates
    from its peers, newest first."""
    config, store = request.app[CONFIG], request.app[STORE]
    language = config.language
    posts = await latest_network_posts(
        request.app[NOTES],
        request.app[RECEIVED_NOTES],
        store,
        base_url=config.base_url,
        language=language,
        limit=FEED_ENTRIES,
    )
    instance = await store.instance()
    body = atom_feed(
        feed_id=f"{config.base_url}/feed.atom",
        title=f"{config.authority}: {UI['network_posts'][language]}",
        author=config.authority,
        self_link=f"{config.base_url}/feed.atom",
        page=f"{config.base_url}/",
        updated=instance.published,
        entries=[entry_from_note(post.note, language, post.author) for post in posts],
        language=language,
    )
    return atom_response(body)


def _follow_error(request: web.Request, error: RemoteFollowError, language: str, actor: str | None) -> web.Response:
    config = request.app[CONFIG]
    target = parse_actor_iri(config.base_url, actor) if actor else None
    if target:
        back: str | None = profile_page(config.base_url, target[1])
    else:  # a profile received from a peer: its page on this node
        back = "/network/profile?" + urlencode({"id": actor}) if actor else None
    body = render_page(
        request.app[TEMPLATES],
        "follow_error.html",
        language,
        query=request.query,
        reason=error.code,
        actor=actor or "",
        typed=request.query.get("handle", "")[:320],
        handle=f"@{target[1]}@{config.authority}" if target else None,
        back=back,
    )
    response = web.Response(body=body, status=error.status, content_type="text/html", charset="utf-8")
    if error.status == 429:
        response.headers["Retry-After"] = str(request.app[FOLLOW_LIMITER].retry_after(client_address(request)))
    response.headers["Vary"] = "Accept-Language"
    return response


async def _followable(request: web.Request, actor: str) -> bool:
    """Whether ``actor`` is a live profile of this node or one it holds from a peer (never any other IRI,
    so that the follow page cannot be used to send visitors anywhere)."""
    if not actor:
        return False
    target = parse_actor_iri(request.app[CONFIG].base_url, actor)
    if target is None:
        return await request.app[RECEIVED_PROFILES].document(actor) is not None
    record = await request.app[STORE].get(target[1])
    return record is not None and not record.deleted and record.kind == target[0]


@routes.get("/follow")
async def remote_follow(request: web.Request) -> web.Response:
    """Send a visitor to their own server to follow ``actor`` (a profile of this node, or one it aggregates
    from a peer): ``handle`` is looked up with WebFinger and the answer's subscribe template followed (303).
    Errors are HTML pages."""
    config = request.app[CONFIG]
    language = request_language(request)
    actor = request.query.get("actor", "")
    if not await _followable(request, actor):
        return _follow_error(request, RemoteFollowError("follow_not_here", 404), language, None)
    if not request.app[FOLLOW_LIMITER].allow(client_address(request)):
        return _follow_error(request, RemoteFollowError("follow_too_many", 429), language, actor)
    try:
        url = await find_follow_url(
            request.app[FOLLOW_CLIENT],
            request.query.get("handle", ""),
            actor,
            plain_http_fallback=config.allow_private_network,
        )
    except RemoteFollowError as error:
        return _follow_error(request, error, language, actor)
    # Set by hand: aiohttp's redirect exceptions would normalise the URL and undo the encoded IRI.
    return web.Response(status=303, headers={"Location": url, "Cache-Control": "no-store"})
