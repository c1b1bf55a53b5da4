"""The organisation and project profile: validate an editable document and bring it to canonical form.

The editable profile is compact JSON-LD in the dsi4bcn context, with the same terms as the published
actor. A concept is written as its full IRI or as ``scheme:code`` and is stored in the compact form. Every
problem in a document is reported at once, and nothing is written unless there are none.
"""

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from dsi4bcn.i18n import Phrase, Reason
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

Kind = Literal["organisation", "project"]
KINDS: tuple[Kind, ...] = ("organisation", "project")
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


# The context of an editable document: self-contained, so that any JSON-LD processor can read it without
# fetching anything. The API also accepts the dsi4bcn context by its identifier (served from the bundle).
def _editable_context() -> list[Any]:
    return [AS_CONTEXT, dsi_context()]


_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# One part of an e-mail address; the address is checked by ``_is_email`` in one pass (a single regex for the
# whole address backtracked over every dot of a long domain: quadratic time).
_EMAIL_PART = re.compile(r'[^@\s<>"]+')
_TELEPHONE = re.compile(r"^\+?[0-9 ()./-]{6,32}$")
_TEXT_LIMIT = 254  # e-mail addresses and telephone numbers
_NAME_LIMIT = 200
_SUMMARY_LIMIT = 5000
_URL_LIMIT = 2048
_LIST_LIMIT = 40
_CONTACTS_LIMIT = 20

_CONCEPT_LISTS: Mapping[str, str] = {
    "areas": "area",
    "needs": "skill",
    "offers": "skill",
    "sdgs": "sdg",
    "sectors": "sector",
}
_FIELDS: Mapping[Kind, tuple[str, ...]] = {
    "organisation": (
        "nameMap",
        "summaryMap",
        "sectors",
        "areas",
        "needs",
        "offers",
        "sdgs",
        "basedIn",
        "location",
        "foundingDate",
        "website",
        "email",
        "telephone",
        "contacts",
        "icon",
        "manuallyApprovesFollowers",
        "discoverable",
        "indexable",
    ),
    "project": (
        "nameMap",
        "summaryMap",
        "areas",
        "needs",
        "offers",
        "sdgs",
        "basedIn",
        "location",
        "projectStatus",
        "startDate",
        "endDate",
        "website",
        "email",
        "telephone",
        "contacts",
        "icon",
        "manuallyApprovesFollowers",
        "discoverable",
        "indexable",
    ),
}
_DEFAULTS: Mapping[str, Any] = {
    "manuallyApprovesFollowers": False,
    "discoverable": True,
    "indexable": True,
}
_TYPE_NAMES: Mapping[Kind, str] = {"organisation": "Organization", "project": "Project"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where, a stable code, and the values for its message."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class ProfileInvalid(Exception):
    """A profile document with one or more problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the profile")
        self.problems = problems


def _is_email(text: str) -> bool:
    """``local@domain``: one ``@``, no spaces, quotes or angle brackets, and a dot inside the domain."""
    local, at, domain = text.partition("@")
    return (
        bool(at)
        and _EMAIL_PART.fullmatch(local) is not None
        and _EMAIL_PART.fullmatch(domain) is not None
        and "." in domain[1:-1]
    )


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced "[" or "]", a bracketed host that is no IP address
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_telephone(text: str) -> bool:
    return _TELEPHONE.fullmatch(text) is not None


def check_slug(slug: str) -> Problem | None:
    """A problem if ``slug`` cannot name an actor (it becomes the ``preferredUsername``)."""
    if SLUG_PATTERN.fullmatch(slug):
        return None
    return Problem("slug", "bad_slug", {"value": slug[:80]})


@dataclass
class _Checker:
    concepts: ConceptIndex
    problems: list[Problem] = dataclasses.field(default_factory=list)

    def add(self, where: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(where, code, params))

    def text_map(self, where: str, value: Any, limit: int, required: bool) -> dict[str, str] | None:
        if value is None:
            if required:
                self.add(where, "required", field=where)
            return None
        if not isinstance(value, dict):
            self.add(where, "wrong_type", field=where, expected='{"ca": "…", "es": "…", "en": "…"}')
            return None
        result: dict[str, str] = {}
        for language, text in value.items():
            key = f"{where}.{language}"
            if not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language):
                self.add(key, "bad_language", value=str(language)[:40])
            elif not isinstance(text, str):
                self.add(key, "wrong_type", field=key, expected=Phrase("text"))
            elif not text.strip():
                self.add(key, "empty", field=key)
            elif len(text) > limit:
                self.add(key, "too_long", field=key, limit=limit)
            else:
                result[language] = text.strip()
        if not value and required:
            self.add(where, "required", field=where)
        return result or None

    def concept(self, where: str, value: Any, schemes: tuple[str, ...]) -> str | None:
        if not isinstance(value, str):
            self.add(where, "wrong_type", field=where, expected=Phrase("a concept IRI or scheme:code"))
            return None
        concept = self.concepts.resolve(value.strip())
        if concept is None:
            self.add(where, "unknown_concept", value=value[:200])
            return None
        if concept.scheme not in schemes:
            self.add(where, "wrong_scheme", value=value[:200], scheme=" / ".join(schemes))
            return None
        return concept.curie

    def concept_list(self, where: str, value: Any, scheme: str, required: bool) -> list[str] | None:
        if value is None or value == []:
            if required:
                self.add(where, "required", field=where)
            return None
        items = value if isinstance(value, list) else [value]
        if len(items) > _LIST_LIMIT:
            self.add(where, "too_many", field=where, limit=_LIST_LIMIT)
            return None
        found = [self.concept(f"{where}[{i}]", item, (scheme,)) for i, item in enumerate(items)]
        unique = list(dict.fromkeys(curie for curie in found if curie is not None))
        return unique or None

    def url(self, where: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(where, "wrong_type", field=where, expected=Phrase("a URL"))
            return None
        if len(value) > _URL_LIMIT or not _is_http_url(value.strip()):
            self.add(where, "bad_url", field=where)
            return None
        return value.strip()

    def pattern(self, where: str, value: Any, valid: Callable[[str], bool], code: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(where, "wrong_type", field=where, expected=Phrase("text"))
            return None
        text = value.strip().removeprefix("mailto:") if code == "bad_email" else value.strip()
        if len(text) > _TEXT_LIMIT or not valid(text):
            self.add(where, code, field=where)
            return None
        return text

    def day(self, where: str, value: Any) -> str | None:
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else ""
        try:
            if len(text) == 10:
                return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        self.add(where, "bad_date", field=where)
        return None

    def boolean(self, where: str, value: Any) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(where, "wrong_type", field=where, expected=Phrase("true or false"))
            return None
        return value

    def coordinate(self, where: str, value: Any, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, "wrong_type", field=where, expected=Phrase("a number"))
            return None
        if not low <= float(value) <= high:
            self.add(where, "out_of_range", field=where, low=low, high=high)
            return None
        return round(float(value), 6)

    def location(self, where: str, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(where, "wrong_type", field=where, expected='{"latitude": …, "longitude": …}')
            return None
        for key in value:
            if key not in ("type", "latitude", "longitude", "name"):
                self.add(f"{where}.{key}", "unknown_field", field=f"{where}.{key}")
        if value.get("type", "Place") != "Place":
            self.add(f"{where}.type", "wrong_kind", expected="Place")
        latitude = self.coordinate(f"{where}.latitude", value.get("latitude"), -90.0, 90.0)
        longitude = self.coordinate(f"{where}.longitude", value.get("longitude"), -180.0, 180.0)
        name = value.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > _NAME_LIMIT):
            self.add(f"{where}.name", "wrong_type", field=f"{where}.name", expected=Phrase("short text"))
            name = None
        if latitude is None or longitude is None:
            return None
        place: dict[str, Any] = {"type": "Place", "latitude": latitude, "longitude": longitude}
        if name:
            place["name"] = name.strip()
        return place

    def contacts(self, where: str, value: Any) -> list[dict[str, Any]] | None:
        """Contact persons; each says whether the organisation made it public (default: not public)."""
        if value is None or value == []:
            return None
        if not isinstance(value, list) or len(value) > _CONTACTS_LIMIT:
            self.add(where, "wrong_type", field=where, expected=Reason("expected_contacts", limit=_CONTACTS_LIMIT))
            return None
        contacts = []
        for position, item in enumerate(value):
            here = f"{where}[{position}]"
            if not isinstance(item, dict):
                self.add(here, "wrong_type", field=here, expected='{"name": …, "email": …, "public": true}')
                continue
            for key in item:
                if key not in ("type", "name", "email", "telephone", "contactType", "public"):
                    self.add(f"{here}.{key}", "unknown_field", field=f"{here}.{key}")
            if item.get("type", "ContactPoint") != "ContactPoint":
                self.add(f"{here}.type", "wrong_kind", expected="ContactPoint")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > _NAME_LIMIT:
                self.add(f"{here}.name", "required", field=f"{here}.name")
                continue
            contact: dict[str, Any] = {"type": "ContactPoint", "name": name.strip()}
            email = self.pattern(f"{here}.email", item.get("email"), _is_email, "bad_email")
            telephone = self.pattern(f"{here}.telephone", item.get("telephone"), _is_telephone, "wrong_type")
            role = item.get("contactType")
            if role is not None and (not isinstance(role, str) or len(role) > _NAME_LIMIT):
                self.add(
                    f"{here}.contactType", "wrong_type", field=f"{here}.contactType", expected=Phrase("short text")
                )
                role = None
            public = self.boolean(f"{here}.public", item.get("public"))
            contact.update(
                {key: val for key, val in (("email", email), ("telephone", telephone), ("contactType", role)) if val}
            )
            contact["public"] = bool(public)
            contacts.append(contact)
        return contacts or None

    def icon(self, where: str, value: Any) -> str | None:
        if not isinstance(value, dict):
            return self.url(where, value)
        if value.get("type", "Image") != "Image":
            self.add(f"{where}.type", "wrong_kind", expected="Image")
            return None
        if "url" not in value:
            self.add(f"{where}.url", "required", field=f"{where}.url")
            return None
        return self.url(f"{where}.url", value["url"])


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
    check = _Checker(concepts)
    allowed = {"@context", "id", "type", *_FIELDS[kind]} | ({"organisation"} if kind == "project" else set())
    for key in body:
        if key not in allowed:
            check.add(str(key), "unknown_field", field=str(key)[:80])
    if not _context_is_acceptable(body.get("@context")):
        check.add("@context", "bad_context")
    if "id" in body and body["id"] != actor_iri:
        check.add("id", "id_mismatch", expected=actor_iri)
    expected_type = _TYPE_NAMES[kind]
    given_type = body.get("type", expected_type)
    given_types = given_type if isinstance(given_type, list) else [given_type]
    if expected_type not in given_types:
        check.add("type", "wrong_kind", expected=expected_type)

    fields: dict[str, Any] = {
        "nameMap": check.text_map("nameMap", body.get("nameMap"), _NAME_LIMIT, required=True),
        "summaryMap": check.text_map("summaryMap", body.get("summaryMap"), _SUMMARY_LIMIT, required=False),
        "basedIn": (
            check.concept("basedIn", body["basedIn"], ("district", "neighbourhood"))
            if body.get("basedIn") is not None
            else None
        ),
        "location": check.location("location", body.get("location")),
        "website": check.url("website", body.get("website")),
        "email": check.pattern("email", body.get("email"), _is_email, "bad_email"),
        "telephone": check.pattern("telephone", body.get("telephone"), _is_telephone, "wrong_type"),
        "icon": check.icon("icon", body.get("icon")),
        "contacts": check.contacts("contacts", body.get("contacts")),
    }
    for name, scheme in _CONCEPT_LISTS.items():
        if name in _FIELDS[kind]:
            required = (kind == "project" and name == "areas") or (kind == "organisation" and name == "sectors")
            fields[name] = check.concept_list(name, body.get(name), scheme, required)
    for name in ("manuallyApprovesFollowers", "discoverable", "indexable"):
        given = check.boolean(name, body.get(name))
        fields[name] = _DEFAULTS[name] if given is None else given

    organisation: str | None = None
    if kind == "project":
        fields["projectStatus"] = check.concept(
            "projectStatus", body.get("projectStatus", "status:active"), ("status",)
        )
        fields["startDate"] = check.day("startDate", body.get("startDate"))
        fields["endDate"] = check.day("endDate", body.get("endDate"))
        if fields["startDate"] and fields["endDate"] and fields["endDate"] < fields["startDate"]:
            check.add("endDate", "date_order")
        reference = body.get("organisation")
        if reference is None:
            check.add("organisation", "required", field="organisation")
        elif not isinstance(reference, str):
            check.add("organisation", "wrong_type", field="organisation", expected=Phrase("a slug or IRI"))
        else:
            organisation = resolve_organisation(reference.strip())
            if organisation is None:
                check.add("organisation", "unknown_organisation", value=reference[:200])
    else:
        fields["foundingDate"] = check.day("foundingDate", body.get("foundingDate"))

    if check.problems:
        raise ProfileInvalid(check.problems)
    canonical = {name: fields[name] for name in _FIELDS[kind] if fields.get(name) is not None}
    return canonical, organisation


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
