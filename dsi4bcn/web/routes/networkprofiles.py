"""``GET /network/profile?id=IRI``: the page, on this node, of a profile received from a peer node, saying
which node it comes from and linking to the original; a project links its organisation and an organisation
lists its projects, as the directory knows them. A profile of this node is sent to its own page.
"""

import json

from aiohttp import web

from dsi4bcn.directory.directoryservice import DirectoryService
from dsi4bcn.matching.features import profile_from_triples, triples_from_ntriples
from dsi4bcn.profiles.iris import parse_actor_iri, profile_page
from dsi4bcn.web.appkeys import CONFIG, DIRECTORY_SERVICE, RECEIVED_PROFILES, TEMPLATES
from dsi4bcn.web.conceptview import LinkView, profile_href
from dsi4bcn.web.http import html_response, request_language
from dsi4bcn.web.receivedview import received_view
from dsi4bcn.web.templating import render_page

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
    relatives = _relatives(request.app[DIRECTORY_SERVICE], iri, profile.organisation, language)
    return _page(request, 200, language, view=view, **relatives)


def _relatives(service: DirectoryService, iri: str, organisation: str | None, language: str) -> dict[str, object]:
    """A project's organisation and an organisation's projects, those the directory holds, as links."""
    parent = service.entry(organisation) if organisation else None
    children = sorted(service.projects_of(iri), key=lambda entry: entry.name(language))
    return {
        "organisation": LinkView(parent.name(language), profile_href(parent, language)) if parent else None,
        "projects": [LinkView(entry.name(language), profile_href(entry, language)) for entry in children],
    }
