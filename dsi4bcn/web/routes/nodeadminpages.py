"""The node admin page (``/admin/node``): the node's name, description and logo, its peers, the blocked
domains and the graph, for a node admin (an editor gets 403 ``admin_only``, as from the API).

Each form posts to its own address, carries the CSRF token and calls what the admin API calls
(``nodeidentityview.save_identity``, ``imageuploads``, ``nodenetwork``, ``DomainBlocks``, the graph sync's
rebuild); a change is written to the audit log and answered with a 303 back to the page and a note of what
was done; bad input gets the page again (422) with the error beside its field, and nothing changed.
"""

from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from dsi4bcn.i18n import UI, message
from dsi4bcn.profiles.images import MAX_IMAGE_BYTES, ImageRefused, media_path
from dsi4bcn.profiles.nodeidentity import normalise_identity
from dsi4bcn.profiles.validation import ProfileInvalid
from dsi4bcn.storage.blocks import normalise_domain
from dsi4bcn.storage.nodesettings import NodeSettings
from dsi4bcn.web import nodenetwork
from dsi4bcn.web.accountsession import SignedIn
from dsi4bcn.web.adminview import UploadForm, admin_page, checked_form, checked_upload_form, signed_or_redirect
from dsi4bcn.web.appkeys import (
    ACCOUNTS,
    BLOCKLIST,
    CONFIG,
    DATABASE,
    DOMAIN_BLOCKS,
    GRAPH,
    GRAPH_SERVICE,
    GRAPH_SYNC,
    KEY_ROTATOR,
    MEDIA,
    PEERING,
    TEMPLATES,
)
from dsi4bcn.web.http import ApiError, request_language
from dsi4bcn.web.imageuploads import check_upload, store_checked
from dsi4bcn.web.nodeadminview import LOGO_FIELD, field_errors, graph_words, identity_body, identity_values
from dsi4bcn.web.nodeidentityview import save_identity
from dsi4bcn.web.peerwords import peer_view, problem_words
from dsi4bcn.web.principal import Principal
from dsi4bcn.web.routes.signin import redirect
from dsi4bcn.web.templating import node_identity

__all__ = ["routes"]

routes = web.RouteTableDef()
_PAGE = "/admin/node"
# What a change's note may say after its redirect (``?done=``), each a ui label ``node_done_<code>``.
_DONE = ("identity", "peer_added", "peer_removed", "blocked", "unblocked", "rebuilt", "keys_rotated")
_MAX_REASON = 500


def _admin_only(signed: SignedIn) -> None:
    if not Principal.of(signed.account).is_admin:
        raise ApiError(403, "admin_only")


async def _page(request: web.Request, signed: SignedIn, status: int = 200, **extra: Any) -> web.Response:
    """The page: the identity form, the peers, the blocked domains and the graph (``extra``: errors and
    the values posted, when a form is shown again)."""
    language = request_language(request)
    blocklist = request.app[BLOCKLIST]
    identity = node_identity(request.app[TEMPLATES])
    peers = await request.app[PEERING].peers()
    views = [peer_view(peer, blocklist.is_blocked_url(peer.actor), language) for peer in peers]
    status_now = await nodenetwork.graph_status(
        request.app[GRAPH_SERVICE], request.app[GRAPH_SYNC], request.app[GRAPH].counts
    )
    done = request.query.get("done", "")
    context: dict[str, Any] = {
        "values": identity_values(identity),
        "has_logo": identity.logo is not None,
        "peers": views,
        "blocked": [{"domain": d, "reason": r, "created": c} for d, r, c in await blocklist.rows()],
        "graph": graph_words(status_now, language),
        "set_aside": status_now["setAside"]["graphs"],
        "errors": {},
        "posted": {},
        "done": done if done in _DONE else None,
        "image_limit": MAX_IMAGE_BYTES // (1024 * 1024),
        "grace_hours": f"{request.app[KEY_ROTATOR].grace / 3600:g}",
        **extra,
    }
    return admin_page(request, signed, "admin_node.html", status, **context)


def _back(request: web.Request, done: str, anchor: str) -> web.Response:
    return redirect(f"{_PAGE}?lang={request_language(request)}&done={done}#{anchor}")


@routes.get(_PAGE)
async def node_page(request: web.Request) -> web.Response:
    """The node admin page."""
    signed = await signed_or_redirect(request)
    _admin_only(signed)
    return await _page(request, signed)


async def _logo_url(request: web.Request, upload: UploadForm, current: str | None) -> tuple[str | None, Any]:
    """The logo the posted form asks for (a new upload, none, or the current one) and the new image checked
    but not stored yet; ``ImageRefused`` for a file that is not an accepted image."""
    if upload.too_large:
        raise ImageRefused("image_too_large", 413, limit=MAX_IMAGE_BYTES)
    if upload.file is not None:
        image = await check_upload(upload.file, None)
        return request.app[CONFIG].base_url + media_path(image.sha256, image.media_type), image
    if upload.fields.get("logo_remove") == "yes":
        return None, None
    return current, None


@routes.post(_PAGE + "/identity")
async def save_node_identity(request: web.Request) -> web.Response:
    """Replace the node's name, description and logo (an uploaded file, or the current one kept, or none)."""
    signed = await signed_or_redirect(request)
    upload = await checked_upload_form(request, signed, LOGO_FIELD, MAX_IMAGE_BYTES)
    _admin_only(signed)
    language, base_url = request_language(request), request.app[CONFIG].base_url
    identity = node_identity(request.app[TEMPLATES])
    posted = dict(upload.fields)
    try:
        icon, image = await _logo_url(request, upload, identity.document(base_url)["icon"])
        body = identity_body(upload.fields, identity, icon)
        normalise_identity(body, base_url)  # every problem found before anything is stored
        if image is not None:
            await store_checked(request.app[MEDIA], image)
        settings, media = NodeSettings(request.app[DATABASE]), request.app[MEDIA]
        await save_identity(settings, media, request.app[TEMPLATES], body, base_url)
    except ImageRefused as refused:
        errors = {LOGO_FIELD: message(refused.code, language, **refused.params)}
        return await _page(request, signed, 422, errors=errors, posted=posted)
    except ProfileInvalid as invalid:
        return await _page(request, signed, 422, errors=field_errors(invalid.problems, language), posted=posted)
    await request.app[ACCOUNTS].record(signed.account.email, "node_identity_changed", "identity", icon or "")
    return _back(request, "identity", "identity-heading")


async def _admin_form(request: web.Request) -> tuple[SignedIn, dict[str, str]]:
    """The signed-in node admin and their posted form, its CSRF token checked first (403 otherwise)."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    _admin_only(signed)
    return signed, {name: value for name, value in form.items() if isinstance(value, str)}


@routes.post(_PAGE + "/peers")
async def add_node_peer(request: web.Request) -> web.Response:
    """Peer with the node at the posted ``url``; why not, in plain words beside the field."""
    signed, form = await _admin_form(request)
    language, url = request_language(request), form.get("url", "").strip()
    if not nodenetwork.is_peer_url(url):
        error = message("bad_url", language, field=UI["node_peer_url"][language])
        return await _page(request, signed, 422, errors={"url": error}, posted=form)
    allow_private = request.app[CONFIG].allow_private_network
    try:
        peer = await nodenetwork.add_peer(request.app[PEERING], url, allow_private_network=allow_private)
    except nodenetwork.PeerRefused as refused:
        errors = {"url": problem_words(refused.reason, language), "url_detail": refused.reason}
        return await _page(request, signed, 422, errors=errors, posted=form)
    await request.app[ACCOUNTS].record(signed.account.email, "peer_added", peer.actor, url)
    return _back(request, "peer_added", "peers-heading")


@routes.post(_PAGE + "/peers/remove")
async def remove_node_peer(request: web.Request) -> web.Response:
    """Stop peering with the posted ``peer`` (its instance actor) and drop its profiles."""
    signed, form = await _admin_form(request)
    peer = form.get("peer", "")
    dropped = await nodenetwork.remove_peer(request.app[PEERING], request.app[GRAPH_SYNC], peer)
    if dropped < 0:
        raise ApiError(404, "not_found")
    await request.app[ACCOUNTS].record(signed.account.email, "peer_removed", peer, f"{dropped} profiles dropped")
    return _back(request, "peer_removed", "peers-heading")


def _posted_domain(text: str) -> str | None:
    """A domain as typed: a host name, or the host of a URL pasted whole."""
    text = text.strip()
    if "://" in text:
        try:
            text = urlsplit(text).hostname or ""
        except ValueError:
            return None
    return normalise_domain(text) if text else None


@routes.post(_PAGE + "/blocked-domains")
async def block_node_domain(request: web.Request) -> web.Response:
    """Block the posted ``domain`` (and its subdomains), with an optional ``reason``."""
    signed, form = await _admin_form(request)
    language = request_language(request)
    domain = _posted_domain(form.get("domain", ""))
    if domain is None:
        error = message("domain_invalid", language)
        return await _page(request, signed, 422, errors={"domain": error}, posted=form)
    reason = form.get("reason", "").strip()[:_MAX_REASON]
    purge = await request.app[DOMAIN_BLOCKS].block(domain, reason)
    detail = f"{reason} ({len(purge.profiles)} profiles purged)" if reason else f"{len(purge.profiles)} profiles purged"
    await request.app[ACCOUNTS].record(signed.account.email, "domain_blocked", domain, detail)
    return _back(request, "blocked", "blocked-heading")


@routes.post(_PAGE + "/blocked-domains/remove")
async def unblock_node_domain(request: web.Request) -> web.Response:
    """Unblock the posted ``domain``: its peers are followed and resynced again."""
    signed, form = await _admin_form(request)
    domain = _posted_domain(form.get("domain", ""))
    found, resumed = await request.app[DOMAIN_BLOCKS].unblock(domain) if domain else (False, [])
    if not found or domain is None:
        raise ApiError(404, "not_found")
    await request.app[ACCOUNTS].record(signed.account.email, "domain_unblocked", domain, " ".join(resumed))
    return _back(request, "unblocked", "blocked-heading")


@routes.post(_PAGE + "/graph/rebuild")
async def rebuild_node_graph(request: web.Request) -> web.Response:
    """Empty the graph and rebuild it from the database, once the admin has ticked the confirmation."""
    signed, form = await _admin_form(request)
    if form.get("confirm") != "yes":
        error = message("rebuild_unconfirmed", request_language(request))
        return await _page(request, signed, 422, errors={"confirm": error})
    graphs = await request.app[GRAPH_SYNC].rebuild()
    await request.app[ACCOUNTS].record(signed.account.email, "graph_rebuilt", "graph", f"{graphs} graphs")
    return _back(request, "rebuilt", "graph-heading")


@routes.post(_PAGE + "/keys/rotate")
async def rotate_node_keys(request: web.Request) -> web.Response:
    """Give every actor of the node a new key (docs/key-rotation.md), once the admin has ticked the
    confirmation."""
    signed, form = await _admin_form(request)
    if form.get("confirm") != "yes":
        error = message("rotation_unconfirmed", request_language(request))
        return await _page(request, signed, 422, errors={"keys_confirm": error})
    rotations = await request.app[KEY_ROTATOR].rotate_all()
    await request.app[ACCOUNTS].record(signed.account.email, "keys_rotated", "keys", f"{len(rotations)} actors")
    return _back(request, "keys_rotated", "keys-heading")
