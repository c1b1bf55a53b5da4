"""The calls for collaboration of a profile, as admin pages for a signed-in person who may manage it.

``/admin/{organisations|projects}/{slug}/calls`` lists the profile's calls (title, request or offer, state,
until when; links to each one's page and form, a close button and a delete link) and holds the form of a
new call; ``/admin/calls/{call}/edit`` changes one, ``…/close`` closes it, ``…/delete`` asks before
deleting it. Each change is the admin API's own (``web.callactions``: the same checks, activities and audit
log entries); a form with problems comes back (422) with each beside its field, in the person's language,
as it was typed, and nothing written (``web.callform``). Anyone not signed in is sent to sign in; another
organisation's profile or call is a 403 ``not_your_profile``; every form's CSRF token is checked before
anything else is looked at.
"""

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import CallRecord, call_iri
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.web.accountsession import SignedIn
from dsi4bcn.web.adminview import admin_page, checked_form, principal_of, signed_or_redirect
from dsi4bcn.web.appkeys import CALLS, CONFIG, STORE
from dsi4bcn.web.callactions import close_call, delete_call, editable_call, publish_call, replace_call
from dsi4bcn.web.callform import (
    CallValues,
    barcelona_time,
    call_from_values,
    empty_values,
    form_errors,
    posted_values,
    values_of_call,
)
from dsi4bcn.web.http import ApiError, request_language
from dsi4bcn.web.managedprofiles import managed_profile, profile_head
from dsi4bcn.web.profileform import concept_choices, place_choices
from dsi4bcn.web.routes.profileforms import place_map
from dsi4bcn.web.routes.signin import redirect

__all__ = ["routes"]

routes = web.RouteTableDef()
_PROFILE_CALLS = "/admin/{collection:organisations|projects}/{slug}/calls"
_CALL = "/admin/calls/{call}"


async def _call_and_author(request: web.Request, signed: SignedIn) -> tuple[CallRecord, ActorRecord]:
    """The live call the path names, which ``signed`` may change (404, 410, 403 otherwise), and its author."""
    record = await editable_call(request.app, principal_of(signed), request.match_info["call"])
    author = await request.app[STORE].get(record.author)
    if author is None:
        raise ApiError(404, "not_found")
    return record, author


def _calls_path(author: ActorRecord, language: str, done: str = "") -> str:
    query = {"lang": language, **({"done": done} if done else {})}
    return f"/admin/{author.kind}s/{author.slug}/calls?{urlencode(query)}"


def _form(
    request: web.Request, values: CallValues, errors: dict[str, list[str]], action: str, submit: str
) -> dict[str, Any]:
    """What ``_call_form.html`` reads: the values, the problems by field, the skills and places to choose,
    where it goes and its button's label."""
    language = request_language(request)
    return {
        "values": values,
        "errors": errors,
        "skills": concept_choices("skill", language, values["concepts"]),
        "places": place_choices(language),
        "place_map": place_map(call_from_values(values), language),
        "action": action,
        "submit": submit,
    }


def _listed(request: web.Request, record: CallRecord) -> dict[str, Any]:
    language = request_language(request)
    until = record.fields.get("validUntil")
    return {
        "id": record.id,
        "title": record.title(language),
        "purpose": record.fields.get("purpose", "request"),
        "state": record.state(utc_now()),
        "until": barcelona_time(until, "validUntil")["date"] if until else "",
        "href": call_iri(request.app[CONFIG].base_url, record.id),
        "edit": f"{_CALL.format(call=record.id)}/edit",
    }


async def _calls_page(
    request: web.Request,
    signed: SignedIn,
    author: ActorRecord,
    status: int = 200,
    values: CallValues | None = None,
    errors: dict[str, list[str]] | None = None,
) -> web.Response:
    records = await request.app[CALLS].of_author(author.slug)
    action = _calls_path(author, request_language(request)) + "#new-call"  # a refused form opens at its problems
    context: dict[str, Any] = {
        **profile_head(request, author, "calls"),
        **_form(request, values or empty_values(), errors or {}, action, "publish_call"),
        "calls": [_listed(request, record) for record in records],
    }
    return admin_page(request, signed, "admin_calls.html", status, **context)


@routes.get(_PROFILE_CALLS)
async def calls(request: web.Request) -> web.Response:
    """The profile's calls and the form of a new one."""
    signed = await signed_or_redirect(request)
    return await _calls_page(request, signed, await managed_profile(request, signed))


@routes.post(_PROFILE_CALLS)
async def new_call(request: web.Request) -> web.Response:
    """Publish the call the form describes (a ``Create`` to the followers and peer nodes, as the admin API's);
    the page again (422) with every problem beside its field, nothing written, if it has any."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    author = await managed_profile(request, signed)
    values = posted_values(form)
    language = request_language(request)
    try:
        await publish_call(request.app, principal_of(signed), author, call_from_values(values))
    except ApiError as error:
        if error.status != 422:
            raise
        return await _calls_page(request, signed, author, 422, values, form_errors(error.problems, language))
    return redirect(_calls_path(author, language, "call_published"))


def _edit_page(
    request: web.Request,
    signed: SignedIn,
    record: CallRecord,
    author: ActorRecord,
    values: CallValues,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
) -> web.Response:
    language = request_language(request)
    action = f"{_CALL.format(call=record.id)}/edit?{urlencode({'lang': language})}"
    context: dict[str, Any] = {
        **profile_head(request, author, "calls"),
        **_form(request, values, errors or {}, action, "save_call"),
        "call": _listed(request, record),
    }
    return admin_page(request, signed, "call_form.html", status, **context)


@routes.get(_CALL + "/edit")
async def edit_form(request: web.Request) -> web.Response:
    """The form of a call, filled in with what it says now."""
    signed = await signed_or_redirect(request)
    record, author = await _call_and_author(request, signed)
    return _edit_page(request, signed, record, author, values_of_call(record.fields))


@routes.post(_CALL + "/edit")
async def save_call(request: web.Request) -> web.Response:
    """Replace the call's fields with the form's (an ``Update`` to where it went); the form again (422)
    with every problem beside its field, nothing written, if it has any."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    record, author = await _call_and_author(request, signed)
    values = posted_values(form)
    language = request_language(request)
    try:
        await replace_call(request.app, principal_of(signed), record.id, call_from_values(values))
    except ApiError as error:
        if error.status != 422:
            raise
        return _edit_page(request, signed, record, author, values, 422, form_errors(error.problems, language))
    return redirect(_calls_path(author, language, "call_changed"))


@routes.post(_CALL + "/close")
async def close(request: web.Request) -> web.Response:
    """Close the call now: it stays readable, no longer open (closing a closed call changes nothing)."""
    signed = await signed_or_redirect(request)
    await checked_form(request, signed)
    record, author = await _call_and_author(request, signed)
    await close_call(request.app, principal_of(signed), record.id)
    return redirect(_calls_path(author, request_language(request), "call_closed"))


@routes.get(_CALL + "/delete")
async def delete_form(request: web.Request) -> web.Response:
    """Ask before deleting: what it means, and that closing may be what is wanted."""
    signed = await signed_or_redirect(request)
    record, author = await _call_and_author(request, signed)
    context: dict[str, Any] = {**profile_head(request, author, "calls"), "call": _listed(request, record)}
    return admin_page(request, signed, "call_delete.html", **context)


@routes.post(_CALL + "/delete")
async def delete(request: web.Request) -> web.Response:
    """Delete the call: a ``Delete`` goes where its ``Create`` went and its id answers 410 from then on."""
    signed = await signed_or_redirect(request)
    await checked_form(request, signed)
    record, author = await _call_and_author(request, signed)
    await delete_call(request.app, principal_of(signed), record.id)
    return redirect(_calls_path(author, request_language(request), "call_deleted"))
