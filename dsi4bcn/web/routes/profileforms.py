"""The profile forms of the admin pages: create, edit and delete organisations and projects in a browser.

``/admin/new/{organisation|project}`` makes one, ``/admin/{organisations|projects}/{slug}`` edits one (with
a preview of how Mastodon shows it), ``…/delete`` asks before deleting. A saved form goes through the admin
API's own validation and write (``profileadmin.write_profile``): the same checks, the same federation, the
same "did you mean"; its problems come back beside their fields, in the person's language, with what they
typed kept. An editor sees and saves only their organisation and its projects.
"""

from typing import Any

from aiohttp import web
from markupsafe import Markup

from dsi4bcn.directory.districtmap import map_data, render_map
from dsi4bcn.i18n import UI, message
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.fields import KINDS, Kind, fields_of
from dsi4bcn.profiles.images import ImageRefused, media_path
from dsi4bcn.profiles.iris import actor_iri, profile_page
from dsi4bcn.web.accountsession import SignedIn
from dsi4bcn.web.adminview import admin_page, checked_form, principal_of, signed_or_redirect
from dsi4bcn.web.appkeys import ACCOUNTS, CONFIG, MEDIA, STORE
from dsi4bcn.web.http import ApiError, problems_json, request_language
from dsi4bcn.web.imageuploads import read_image_field, store_upload
from dsi4bcn.web.profileform import (
    CONTACT_ROWS,
    FormData,
    chosen_values,
    concept_choices,
    document_from_form,
    field_of_problem,
    place_choices,
)
from dsi4bcn.web.routes.profileadmin import (
    editable_document_of,
    live_record,
    remove_profile,
    require_edit,
    write_profile,
)
from dsi4bcn.web.routes.signin import redirect

__all__ = ["place_map", "routes"]

routes = web.RouteTableDef()
_EXISTING = "/admin/{collection:organisations|projects}/{slug}"
# The kind a path names: by its collection ("projects") or by itself ("project", in /admin/new/...).
_KINDS: dict[str, Kind] = {"organisations": "organisation", "projects": "project"}
_KINDS.update({kind: kind for kind in KINDS})


async def _organisations(request: web.Request, signed: SignedIn) -> list[str]:
    """The organisations a project of this person may belong to."""
    principal = principal_of(signed)
    records = await request.app[STORE].list("organisation")
    return [r.slug for r in records if principal.may_edit("organisation", r.slug, None)]


async def _form_page(
    request: web.Request,
    signed: SignedIn,
    kind: Kind,
    document: dict[str, Any],
    *,
    slug: str | None,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    record: ActorRecord | None = None,
) -> web.Response:
    language = request_language(request)
    pickers = {  # one per list of concepts the kind has (profiles.fields declares them and their scheme)
        field.name: concept_choices(field.schemes[0], language, chosen_values(document, field.name))
        for field in fields_of(kind)
        if field.check == "concept_list"
    }
    contacts = list(document.get("contacts") or [])[:CONTACT_ROWS]
    contacts += [{} for _ in range(CONTACT_ROWS - len(contacts))]
    base_url = request.app[CONFIG].base_url
    context: dict[str, Any] = {
        "kind": kind,
        "slug": slug,
        "doc": document,
        "pickers": pickers,
        "places": place_choices(language),
        "statuses": concept_choices("status", language, [str(document.get("projectStatus", "status:active"))]),
        "contacts": contacts,
        "organisations": await _organisations(request, signed) if kind == "project" else [],
        "errors": errors or {},
        "handle": f"@{slug}@{request.app[CONFIG].hostname}" if slug else None,
        "public_url": profile_page(base_url, slug) if slug and record else None,
        "record": record,
        "query_saved": request.query.get("saved") == "1",
        "images": {name: _image_url(document.get(name)) for name in ("icon", "image")},
        "place_map": place_map(document, language),
    }
    return admin_page(request, signed, "profile_form.html", status, **context)


def place_map(document: dict[str, Any], language: str) -> Markup:
    """The district map of the place picker (shown when JavaScript runs): the chosen neighbourhood marked,
    the point if there is one; its projection in data attributes, so that a click gives coordinates."""
    based = str(document.get("basedIn") or "")
    found = document.get("location")
    place: dict[str, Any] = found if isinstance(found, dict) else {}
    point = []
    if isinstance(place.get("latitude"), float | int) and isinstance(place.get("longitude"), float | int):
        point = [(float(place["latitude"]), float(place["longitude"]), str(place.get("name") or ""), None)]
    drawn = render_map(
        {},
        point,
        "#neighbourhood-{code}",
        selected=based if based.startswith("neighbourhood:") else None,
        language=language,
        title=UI["place"][language],
        table=False,
        id_prefix="pm",
    )
    projection = map_data().projection
    names = ("west", "north", "scale_x", "scale_y", "margin")
    attributes = " ".join(f'data-{name.replace("_", "-")}="{float(projection[name])!r}"' for name in names)
    return Markup(f'<div class="place-projection" {attributes}>{drawn}</div>')  # noqa: S704 - numbers and escaped map


def _image_url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) and value else None


async def _with_images(request: web.Request, form: FormData, document: dict[str, Any]) -> dict[str, list[str]]:
    """Store the form's uploaded logo and header image into ``document`` (or drop a removed one); the
    problems of refused uploads by field (nothing stored for them)."""
    errors: dict[str, list[str]] = {}
    language = request_language(request)
    base_url = request.app[CONFIG].base_url
    for name in ("icon", "image"):
        if document.get(name) and any(v == "on" for v in form.getall(f"{name}.remove", [])):
            document.pop(name)
        upload = read_image_field((form.getall(f"{name}.file", []) or [None])[-1])
        if upload is None:
            continue
        try:
            image, _held = await store_upload(request.app[MEDIA], *upload)
        except ImageRefused as refused:
            errors[name] = [message(refused.code, language, **refused.params)]
            continue
        document[name] = base_url + media_path(image.sha256, image.media_type)
    return errors


def _errors(error: ApiError, language: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems_json(error.problems, language):
        found.setdefault(field_of_problem(problem["field"]) or "_", []).append(problem["message"])
    if not error.problems:
        found["_"] = [message(error.code, language, **error.params)]
    return found


async def _save(
    request: web.Request, signed: SignedIn, kind: Kind, slug: str, *, new: bool, form: FormData
) -> web.Response:
    """Validate and write the form's profile; the form again (422) with every problem beside its field."""
    document = document_from_form(kind, form)
    for name in ("icon", "image"):
        if url := _image_url(form.getall(f"{name}.current", [None])[-1]):
            document[name] = url
    errors = await _with_images(request, form, document)
    language = request_language(request)
    if new and await request.app[STORE].get(slug) is not None:
        errors.setdefault("slug", []).append(message("slug_in_use", language, slug=slug))
    if not errors:
        try:
            record, created = await write_profile(request, principal_of(signed), kind, slug, document)
        except ApiError as error:
            if error.status == 403:
                raise
            errors = _errors(error, language)
        else:
            action = "profile_created" if created else "profile_changed"
            await request.app[ACCOUNTS].record(signed.account.email, action, f"{kind} {record.slug}")
            return redirect(f"/admin/{kind}s/{slug}?lang={language}&saved=1")
    if new:
        document["slug"] = slug
    return await _form_page(request, signed, kind, document, slug=None if new else slug, status=422, errors=errors)


def _kind_of(request: web.Request) -> Kind:
    kind = _KINDS.get(request.match_info.get("collection") or request.match_info.get("kind", ""))
    if kind is None:
        raise ApiError(404, "not_found")
    return kind


_NEW_DEFAULTS: dict[str, Any] = {"discoverable": True, "indexable": True, "manuallyApprovesFollowers": False}


@routes.get("/admin/new/{kind:organisation|project}")
async def new_form(request: web.Request) -> web.Response:
    """An empty form for a new organisation or project (an editor's project is their organisation's)."""
    signed = await signed_or_redirect(request)
    kind = _kind_of(request)
    document = dict(_NEW_DEFAULTS)
    if kind == "organisation" and signed.account.organisation:
        document["slug"] = signed.account.organisation
    return await _form_page(request, signed, kind, document, slug=None)


@routes.post("/admin/new/{kind:organisation|project}")
async def create(request: web.Request) -> web.Response:
    """Make the organisation or project the form describes; the form again with its problems otherwise."""
    signed = await signed_or_redirect(request)
    form = await checked_form(request, signed)
    slug = str((form.getall("slug", [""]) or [""])[-1]).strip()
    return await _save(request, signed, _kind_of(request), slug, new=True, form=form)


async def _existing(request: web.Request, signed: SignedIn) -> ActorRecord:
    """The live profile the path names, which the signed-in person manages (404, 410 or 403 otherwise)."""
    record = await live_record(request, _kind_of(request), request.match_info["slug"])
    require_edit(principal_of(signed), record)
    return record


@routes.get(_EXISTING)
async def edit_form(request: web.Request) -> web.Response:
    """The form of a profile this person manages, filled in, with a preview of how Mastodon shows it."""
    signed = await signed_or_redirect(request)
    record = await _existing(request, signed)
    document = editable_document_of(request, record)
    if record.organisation:
        document["organisation"] = record.organisation  # the form names organisations by slug
    return await _form_page(request, signed, record.kind, document, slug=record.slug, record=record)


@routes.post(_EXISTING)
async def update(request: web.Request) -> web.Response:
    """Save the form of a profile this person manages."""
    signed = await signed_or_redirect(request)
    record = await _existing(request, signed)
    form = await checked_form(request, signed)
    return await _save(request, signed, record.kind, record.slug, new=False, form=form)


@routes.get(_EXISTING + "/delete")
async def delete_form(request: web.Request) -> web.Response:
    """Ask before deleting: what happens, and that the address can never be used again."""
    signed = await signed_or_redirect(request)
    record = await _existing(request, signed)
    language = request_language(request)
    address = actor_iri(request.app[CONFIG].base_url, record.kind, record.slug)
    context: dict[str, Any] = {"record": record, "name": record.name(language), "address": address, "error": None}
    return admin_page(request, signed, "profile_delete.html", **context)


@routes.post(_EXISTING + "/delete")
async def delete(request: web.Request) -> web.Response:
    """Delete the profile (its followers get a ``Delete``; its address answers 410 from then on)."""
    signed = await signed_or_redirect(request)
    record = await _existing(request, signed)
    await checked_form(request, signed)
    language = request_language(request)
    try:
        await remove_profile(request, principal_of(signed), record.kind, record.slug)
    except ApiError as error:
        if error.status != 409:
            raise
        address = actor_iri(request.app[CONFIG].base_url, record.kind, record.slug)
        text = message(error.code, language, **error.params)
        context: dict[str, Any] = {"record": record, "name": record.name(language), "address": address, "error": text}
        return admin_page(request, signed, "profile_delete.html", 409, **context)
    await request.app[ACCOUNTS].record(signed.account.email, "profile_deleted", f"{record.kind} {record.slug}")
    return redirect(f"/admin?lang={language}&deleted={record.slug}")
