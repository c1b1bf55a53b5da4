"""What every admin page of one profile shares (its posts, followers, calls, answers): the profile the path
names, which the signed-in person must be able to manage, and what ``_admin_profile_head.html`` reads."""

from typing import Any, Literal

from aiohttp import web

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.iris import profile_page
from dsi4bcn.web.accountsession import SignedIn
from dsi4bcn.web.adminview import principal_of
from dsi4bcn.web.appkeys import CONFIG
from dsi4bcn.web.http import request_language
from dsi4bcn.web.routes.profileadmin import live_record, require_edit

__all__ = ["managed_profile", "profile_head"]


async def managed_profile(request: web.Request, signed: SignedIn) -> ActorRecord:
    """The live profile ``/admin/{organisations|projects}/{slug}/…`` names, which ``signed`` may manage
    (404, 410, 403 otherwise)."""
    kind: Literal["organisation", "project"] = (
        "organisation" if request.match_info["collection"] == "organisations" else "project"
    )
    record = await live_record(request, kind, request.match_info["slug"])
    require_edit(principal_of(signed), record)
    return record


def profile_head(request: web.Request, record: ActorRecord, current: str) -> dict[str, Any]:
    """The context of a profile's admin head: the profile, the notice the page was sent back with, and which
    of the profile's pages this is (``current``)."""
    language = request_language(request)
    return {
        "profile": {
            "kind": record.kind,
            "slug": record.slug,
            "name": record.name(language),
            "href": profile_page(request.app[CONFIG].base_url, record.slug),
            "base": f"/admin/{record.kind}s/{record.slug}",
            "approves": bool(record.fields.get("manuallyApprovesFollowers", False)),
        },
        "notice": request.query.get("done", ""),
        "current": current,
    }
