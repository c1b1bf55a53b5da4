"""The organisation and project profile: validate an editable document and bring it to canonical form.

The editable profile is compact JSON-LD in the dsi4bcn context, with the same terms as the published
actor. A concept is written as its full IRI or as ``scheme:code`` and is stored in the compact form. Every
problem in a document is reported at once, and nothing is written unless there are none. Which fields a
profile has and how each is checked is declared once, in ``dsi4bcn.profiles.fields``; the checks of single
values are in ``dsi4bcn.profiles.values``.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from dsi4bcn.i18n import Phrase
from dsi4bcn.profiles.fields import KINDS, Field, Kind, fields_of
from dsi4bcn.profiles.values import Problem, ValueChecker, is_email, is_telephone
from vocab.concepts import ConceptIndex
from vocab.contexts import AS_CONTEXT, DSI_CONTEXT_URL, SECURITY_CONTEXT, dsi_context

__all__ = [
    "KINDS",
    "SLUG_PATTERN",
    "Kind",
    "Problem",
    "ProfileInvalid",
    "check_slug",
    "editable_document",
    "normalise_profile",
]

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


# The context of an editable document: self-contained, so that any JSON-LD processor can read it without
# fetching anything. The API also accepts the dsi4bcn context by its identifier (served from the bundle).
def _editable_context() -> list[Any]:
    return [AS_CONTEXT, dsi_context()]


_TYPE_NAMES: Mapping[Kind, str] = {"organisation": "Organization", "project": "Project"}


class ProfileInvalid(Exception):
    """A profile document with one or more problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the profile")
        self.problems = problems


def check_slug(slug: str) -> Problem | None:
    """A problem if ``slug`` cannot name an actor (it becomes the ``preferredUsername``)."""
    if SLUG_PATTERN.fullmatch(slug):
        return None
    return Problem("slug", "bad_slug", {"value": slug[:80]})


def _context_is_acceptable(context: Any) -> bool:
    if context is None:
        return True
    allowed = {AS_CONTEXT, SECURITY_CONTEXT, DSI_CONTEXT_URL}
    entries = context if isinstance(context, list) else [context]
    for entry in entries:
        if isinstance(entry, str) and entry in allowed:
            continue
        if isinstance(entry, dict) and entry == dsi_context():
            continue
        return False
    return True


def _check_field(check: ValueChecker, field: Field, kind: Kind, body: Mapping[str, Any]) -> Any:
    """The canonical value of ``field`` in ``body`` (None if absent or wrong), noting its problems."""
    name = field.name
    value = body.get(name, field.if_absent)
    required = kind in field.required_for
    match field.check:
        case "text_map":
            return check.text_map(name, value, field.limit, required)
        case "concept":
            # A field with a value for its absence refuses null; any other may be null.
            return None if value is None and field.if_absent is None else check.concept(name, value, field.schemes)
        case "concept_list":
            return check.concept_list(name, value, field.schemes[0], required)
        case "boolean":
            given = check.boolean(name, value)
            return field.default if given is None else given
        case "email":
            return check.pattern(name, value, is_email, "bad_email")
        case "telephone":
            return check.pattern(name, value, is_telephone, "wrong_type")
        case "location":
            return check.location(name, value)
        case "day":
            return check.day(name, value)
        case "url":
            return check.url(name, value)
        case "contacts":
            return check.contacts(name, value)
        case "icon":
            return check.icon(name, value)


def normalise_profile(
    kind: Kind,
    body: Any,
    *,
    actor_iri: str,
    concepts: ConceptIndex,
    resolve_organisation: Callable[[str], str | None],
) -> tuple[dict[str, Any], str | None]:
    """Check an editable document and return ``(canonical fields, organisation slug)``.

    ``resolve_organisation`` maps a slug or IRI to a local organisation's slug, or None. Raises
    ``ProfileInvalid`` listing every problem.
    """
    if not isinstance(body, dict):
        raise ProfileInvalid([Problem("", "not_object")])
    check = ValueChecker(concepts)
    own = fields_of(kind)
    allowed = {"@context", "id", "type", *(field.name for field in own)} | (
        {"organisation"} if kind == "project" else set()
    )
    terms = tuple(sorted(allowed - {"@context", "id", "type"}))
    for key in body:
        if key not in allowed:
            check.unknown_term(str(key), str(key), terms)
    if not _context_is_acceptable(body.get("@context")):
        check.add("@context", "bad_context")
    if "id" in body and body["id"] != actor_iri:
        check.add("id", "id_mismatch", expected=actor_iri)
    expected_type = _TYPE_NAMES[kind]
    given_type = body.get("type", expected_type)
    given_types = given_type if isinstance(given_type, list) else [given_type]
    if expected_type not in given_types:
        check.add("type", "wrong_kind", expected=expected_type)

    fields = {field.name: _check_field(check, field, kind, body) for field in sorted(own, key=lambda f: f.stage)}
    organisation: str | None = None
    if kind == "project":
        if fields["startDate"] and fields["endDate"] and fields["endDate"] < fields["startDate"]:
            check.add("endDate", "date_order")
        organisation = _organisation(check, body.get("organisation"), resolve_organisation)

    if check.problems:
        raise ProfileInvalid(check.problems)
    canonical = {field.name: fields[field.name] for field in own if fields[field.name] is not None}
    return canonical, organisation


def _organisation(check: ValueChecker, reference: Any, resolve_organisation: Callable[[str], str | None]) -> str | None:
    """The slug of the local organisation a project names (by slug or IRI)."""
    if reference is None:
        check.add("organisation", "required", field="organisation")
    elif not isinstance(reference, str):
        check.add("organisation", "wrong_type", field="organisation", expected=Phrase("a slug or IRI"))
    else:
        organisation = resolve_organisation(reference.strip())
        if organisation is None:
            check.add("organisation", "unknown_organisation", value=reference[:200])
        return organisation
    return None


def editable_document(
    kind: Kind, fields: Mapping[str, Any], *, actor_iri: str, organisation_iri: str | None
) -> dict[str, Any]:
    """The editable profile exactly as the admin API returns it and accepts it back."""
    document: dict[str, Any] = {
        "@context": _editable_context(),
        "id": actor_iri,
        "type": _TYPE_NAMES[kind],
    }
    if kind == "project":
        document["organisation"] = organisation_iri
    document.update(fields)
    return document
