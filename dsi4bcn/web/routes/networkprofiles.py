"""``GET /network/profile?id=IRI``: the page, on this node, of a profile received from a peer node, saying
which node it comes from and linking to the original, with its latest posts; a project links its
organisation and an organisation lists its projects, as the directory knows them. A profile of this node is
sent to its own page. ``GET /network/profile/feed.atom?id=IRI``: the Atom feed of its posts.
"""

import json
from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.matching.features import profile_from_triples, triples_from_ntriples
from dsi4bcn.profiles.iris import parse_actor_iri, profile_page
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.appkeys import (
    CALL_DIRECTORY,
    CONFIG,
    DIRECTORY_SERVICE,
    MEDIA,
    RECEIVED_NOTES,
    RECEIVED_PROFILES,
    TEMPLATES,
)
from dsi4bcn.web.callitems import author_calls
from dsi4bcn.web.conceptview import LinkView, profile_href
from dsi4bcn.web.feeds import atom_feed, entry_from_note
from dsi4bcn.web.http import ApiError, html_response, request_language
from dsi4bcn.web.mediaview import placeholder, received_images
from dsi4bcn.web.receivedview import received_name, received_view
from dsi4bcn.web.routes.profilepages import FEED_ENTRIES, LATEST_POSTS, atom_response
from dsi4bcn.web.templating import post_view, render_page

__all__ = ["routes"]

routes = web.RouteTableDef()


def _page(request: web.Request, status: int, language: str, **context: object) -> web.Response:
    body = render_page(request.app[TEMPLATES], "received.html", language, query=request.query, **context)
    return html_response(body, status=status)


@routes.get("/network/profile")
async def received_profile(request: web.Request) -> web.Response:
    """A received profile as a page (404 page when none is held under ``id``)."""
    config = request.app[CONFIG]
    language = request_language(request)
    iri = request.query.get("id", "")
    local = parse_actor_iri(config.base_url, iri) if iri else None
    if local is not None:
        location = f"{profile_page(config.base_url, local[1])}?lang={language}"
        return web.Response(status=303, headers={"Location": location})
    held = await request.app[RECEIVED_PROFILES].document(iri) if iri else None
    profile = profile_from_triples(iri, triples_from_ntriples(held.ntriples)) if held else None
    if held is None or profile is None:
        return _page(request, 404, language, view=None)
    document = json.loads(held.document)
    view = received_view(
        document if isinstance(document, dict) else {},
        profile,
        peer=held.peer,
        updated=held.updated,
        language=language,
    )
    notes = await request.app[RECEIVED_NOTES].latest(iri, LATEST_POSTS)
    posts = [post_view(item.note, language) for item in notes]
    feed = f"/network/profile/feed.atom?{urlencode({'id': iri})}"
    images = (await received_images(request.app[MEDIA], [iri])).get(iri, {})
    relatives = _relatives(request.app[DIRECTORY_SERVICE], iri, profile.organisation, language)
    return _page(
        request,
        200,
        language,
        view=view,
        posts=posts,
        feed=feed,
        logo=images.get("icon"),
        banner=images.get("image"),
        mark=placeholder(view.name),
        calls=author_calls(request.app[CALL_DIRECTORY], request.app[DIRECTORY_SERVICE], iri, language, utc_now()),
        **relatives,
    )


def _relatives(service: DirectoryService, iri: str, organisation: str | None, language: str) -> dict[str, object]:
    """A project's organisation and an organisation's projects, those the directory holds, as links."""
    parent = service.entry(organisation) if organisation else None
    children = sorted(service.projects_of(iri), key=lambda entry: entry.name(language))
    return {
        "organisation": LinkView(parent.name(language), profile_href(parent, language)) if parent else None,
        "projects": [LinkView(entry.name(language), profile_href(entry, language)) for entry in children],
    }


@routes.get("/network/profile/feed.atom")
async def received_feed(request: web.Request) -> web.Response:
    """The Atom feed of a received profile's posts, newest first (404 when no profile is held under ``id``)."""
    config = request.app[CONFIG]
    language = config.language
    iri = request.query.get("id", "")
    held = await request.app[RECEIVED_PROFILES].document(iri) if iri else None
    if held is None:
        raise ApiError(404, "not_found")
    document = json.loads(held.document)
    name = received_name(document if isinstance(document, dict) else {}, language) or iri
    notes = await request.app[RECEIVED_NOTES].latest(iri, FEED_ENTRIES)
    feed_url = f"{config.base_url}/network/profile/feed.atom?{urlencode({'id': iri})}"
    body = atom_feed(
        feed_id=feed_url,
        title=name,
        author=name,
        self_link=feed_url,
        page=f"{config.base_url}/network/profile?{urlencode({'id': iri})}",
        updated=held.updated,
        entries=[entry_from_note(item.note, language, name) for item in notes],
        language=language,
    )
    return atom_response(body)
