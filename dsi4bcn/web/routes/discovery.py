"""Discovery: WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.1 with FEP-2677/d556 links."""

import json
from typing import Any

from aiohttp import web

from dsi4bcn import __version__
from dsi4bcn.i18n import Reason
from dsi4bcn.profiles.iris import actor_iri, instance_actor_iri, parse_actor_iri, profile_page
from dsi4bcn.web.appkeys import CONFIG, NOTES, RENDER_CACHE, STORE, TEMPLATES
from dsi4bcn.web.http import ApiError, json_response
from dsi4bcn.web.rendercache import Rendered
from dsi4bcn.web.templating import node_identity
from federation.errors import WebFingerError
from federation.media import JRD_JSON, NODEINFO_21_PROFILE, XRD_XML
from federation.nodeinfo import nodeinfo_document, nodeinfo_links
from federation.types import Acct
from federation.webfinger import SERVICE_REL, filter_rels, host_meta_json, host_meta_xrd, jrd, parse_resource

__all__ = ["routes"]

routes = web.RouteTableDef()
_CORS = {"Access-Control-Allow-Origin": "*"}


def _local_user(request: web.Request, resource: Acct | str) -> str | None:
    """The local username a resource names, or None if it is not one of ours."""
    config = request.app[CONFIG]
    if isinstance(resource, Acct):
        return resource.user if resource.host in (config.authority.lower(), config.hostname.lower()) else None
    if resource.rstrip("/") == config.base_url:
        return config.hostname
    if resource == instance_actor_iri(config.base_url):
        return config.hostname
    parsed = parse_actor_iri(config.base_url, resource)
    if parsed is not None:
        return parsed[1]
    page_prefix = profile_page(config.base_url, "")
    if resource.startswith(page_prefix):
        return resource[len(page_prefix) :] or None
    return None


@routes.get("/.well-known/webfinger")
async def webfinger(request: web.Request) -> web.Response:
    """Resolve ``acct:slug@host`` or an actor URL to its ActivityPub actor."""
    config = request.app[CONFIG]
    store = request.app[STORE]
    try:
        resource = parse_resource(request.query.get("resource"))
    except WebFingerError as error:
        raise ApiError(400, "bad_resource", headers=_CORS, detail=Reason(error.code)) from error
    user = _local_user(request, resource)
    if user is None:
        raise ApiError(404, "not_found", headers=_CORS)
    rels = tuple(request.query.getall("rel", []))

    async def render() -> Rendered:
        if user == config.hostname:
            actor = instance_actor_iri(config.base_url)
            document = jrd(
                f"acct:{user}@{config.authority}",
                actor,
                profile_page=config.base_url + "/",
                aliases=[actor],
                extra_links=[{"rel": SERVICE_REL, "type": "application/activity+json", "href": actor}],
            )
        else:
            record = await store.get(user)
            if record is None:
                raise ApiError(404, "not_found", headers=_CORS)
            if record.deleted:
                raise ApiError(410, "gone", headers=_CORS)
            actor = actor_iri(config.base_url, record.kind, record.slug)
            page = profile_page(config.base_url, record.slug)
            document = jrd(f"acct:{record.slug}@{config.authority}", actor, profile_page=page, aliases=[actor, page])
        return Rendered(200, _dumps(filter_rels(document, rels)))

    rendered = await request.app[RENDER_CACHE].get_or_render(store.generation, ("webfinger", user, rels), render)
    assert rendered is not None
    response = web.Response(body=rendered.body, headers=_CORS)
    response.headers["Content-Type"] = JRD_JSON
    return response


def _dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@routes.get("/.well-known/host-meta")
async def host_meta(request: web.Request) -> web.Response:
    """host-meta as XRD (or JSON when asked for), pointing at WebFinger."""
    base_url = request.app[CONFIG].base_url
    if "json" in request.headers.get("Accept", ""):
        return json_response(host_meta_json(base_url), content_type=JRD_JSON, headers=_CORS)
    response = web.Response(text=host_meta_xrd(base_url), headers=_CORS)
    response.headers["Content-Type"] = XRD_XML
    return response


@routes.get("/.well-known/host-meta.json")
async def host_meta_as_json(request: web.Request) -> web.Response:
    """host-meta in its JSON form."""
    return json_response(host_meta_json(request.app[CONFIG].base_url), content_type=JRD_JSON, headers=_CORS)


@routes.get("/.well-known/nodeinfo")
async def nodeinfo_index(request: web.Request) -> web.Response:
    """Where the NodeInfo 2.1 document and the application actor are."""
    base_url = request.app[CONFIG].base_url
    document = nodeinfo_links(f"{base_url}/nodeinfo/2.1", instance_actor_iri(base_url))
    return json_response(document, content_type=JRD_JSON, headers=_CORS)


def _metadata(request: web.Request, organisations: int, projects: int) -> dict[str, Any]:
    """NodeInfo's free-form metadata: the node's name and description as set (in the node's language), and
    its numbers of organisations and projects."""
    config, identity = request.app[CONFIG], node_identity(request.app[TEMPLATES])
    metadata: dict[str, Any] = {
        "nodeName": identity.name(config.language) or f"dsi4bcn {config.authority}",
        "organisations": organisations,
        "projects": projects,
    }
    description = identity.summary(config.language)
    if description:
        metadata["nodeDescription"] = description
    return metadata


@routes.get("/nodeinfo/2.1")
async def nodeinfo(request: web.Request) -> web.Response:
    """NodeInfo 2.1: software, protocols and usage of this node."""
    store = request.app[STORE]
    organisations = await store.count("organisation")
    projects = await store.count("project")
    actors = organisations + projects
    document = nodeinfo_document(
        software_name="dsi4bcn",
        software_version=__version__,
        homepage=request.app[CONFIG].base_url + "/",
        total_users=actors,
        active_month=actors,
        active_halfyear=actors,
        local_posts=await request.app[NOTES].count_notes(),
        metadata=_metadata(request, organisations, projects),
    )
    content_type = f'application/json; profile="{NODEINFO_21_PROFILE}#"'
    return json_response(document, content_type=content_type, headers=_CORS)
