"""The home page: the node, the network in numbers, a search box, the map, the latest posts, and the ways in."""

from aiohttp import web

from dsi4bcn.directory.districtmap import render_map
from dsi4bcn.directory.engine import DirectoryAnswer
from dsi4bcn.directory.query import parse_query
from dsi4bcn.i18n import UI
from dsi4bcn.web.appkeys import CONFIG, DIRECTORY_SERVICE, MEDIA, NOTES, RECEIVED_NOTES, STORE, TEMPLATES
from dsi4bcn.web.http import html_response, request_language
from dsi4bcn.web.mediaview import profile_cards
from dsi4bcn.web.networkposts import latest_network_posts
from dsi4bcn.web.templating import post_view, render_page

__all__ = ["LATEST_POSTS", "routes"]

routes = web.RouteTableDef()
LATEST_POSTS = 5


def network_numbers(answer: DirectoryAnswer) -> dict[str, int]:
    """The network in numbers, from the directory's answer to the empty query: organisations, projects,
    the nodes they come from and the neighbourhoods they are in."""
    kinds = dict(answer.facets.get("kind", ()))
    return {
        "organisations": kinds.get("organisation", 0),
        "projects": kinds.get("project", 0),
        "nodes": sum(1 for _key, count in answer.facets.get("source", ()) if count),
        "neighbourhoods": sum(1 for _key, count in answer.facets.get("neighbourhood", ()) if count),
    }


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    """The node's home page. The network's numbers and map wait for nothing: while the directory index
    loads, the page says so and shows the node's own profiles."""
    language = request_language(request)
    config, store = request.app[CONFIG], request.app[STORE]
    service = request.app[DIRECTORY_SERVICE]
    numbers, network_map = None, None
    if service.ready.is_set():
        answer = service.search(parse_query({}, {}), language)
        numbers = network_numbers(answer)
        network_map = render_map(
            dict(answer.facets.get("neighbourhood", ())),
            [],
            f"/directory?neighbourhood={{code}}&lang={language}",
            language=language,
            title=UI["map_title_network"][language],
            table=False,
            id_prefix="home-map",
        )
    organisations, projects = await store.list("organisation"), await store.list("project")
    latest = await latest_network_posts(
        request.app[NOTES],
        request.app[RECEIVED_NOTES],
        store,
        base_url=config.base_url,
        language=language,
        limit=LATEST_POSTS,
    )
    posts = [(post, post_view(post.note, language)) for post in latest]
    media = request.app[MEDIA]
    where = {"base_url": config.base_url, "authority": config.authority, "language": language}
    body = render_page(
        request.app[TEMPLATES],
        "home.html",
        language,
        authority=config.authority,
        numbers=numbers,
        network_map=network_map,
        posts=posts,
        organisations=await profile_cards(organisations, media, **where),
        projects=await profile_cards(projects, media, **where),
    )
    return html_response(body, vary="Accept-Language, Cookie")
