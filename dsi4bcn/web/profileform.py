"""The profile form of the admin pages, pure: a posted form to the editable profile the admin API takes,
and what the form shows (each field's value, the concepts to pick from, the problems beside their field).

The form has one control per field of ``profiles.fields`` (a text per language for ``nameMap`` and
``summaryMap``, a checkbox per concept for a list of concepts, a choice of place, three rows of contact
persons, switches), so that what a person can write in the form is exactly what the API accepts; the
validation is the API's own, run on the document built here.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from dsi4bcn.i18n import LANGUAGES
from dsi4bcn.profiles.fields import Kind, fields_of
from vocab.concepts import Concept, concept_index

__all__ = [
    "CONTACT_ROWS",
    "FormData",
    "chosen_values",
    "concept_choices",
    "document_from_form",
    "field_of_problem",
    "place_choices",
]

CONTACT_ROWS = 3
_CONTACT_PARTS = ("name", "email", "telephone", "contactType")


class FormData(Protocol):
    """What the form's handler reads: the values of a name (aiohttp's ``MultiDictProxy`` is one)."""

    def getall(self, key: str, default: list[Any]) -> list[Any]:
        """Every value given for ``key``."""


def _one(form: FormData, name: str) -> str:
    values = form.getall(name, [])
    return str(values[-1]).strip() if values and isinstance(values[-1], str) else ""


def _number_or_text(text: str) -> float | str:
    """A coordinate as a number when it is one, else the text (which the validation then refuses)."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def _location(form: FormData) -> dict[str, Any] | None:
    latitude, longitude, name = (_one(form, f"location.{part}") for part in ("latitude", "longitude", "name"))
    if not (latitude or longitude):
        return None
    place: dict[str, Any] = {"type": "Place", "latitude": _number_or_text(latitude)}
    place["longitude"] = _number_or_text(longitude)
    if name:
        place["name"] = name
    return place


def _contacts(form: FormData) -> list[dict[str, Any]]:
    contacts = []
    for row in range(CONTACT_ROWS):
        person: dict[str, Any] = {
            part: value for part in _CONTACT_PARTS if (value := _one(form, f"contacts.{row}.{part}"))
        }
        if person.keys() - {"contactType"}:
            person["public"] = _one(form, f"contacts.{row}.public") == "on"
            contacts.append(person)
    return contacts


def document_from_form(kind: Kind, form: FormData) -> dict[str, Any]:
    """The editable profile the form describes (what the admin API's PUT would get): empty texts and
    lists left out, so that the validation says "required" where a required one is missing."""
    document: dict[str, Any] = {}
    if kind == "project":
        document["organisation"] = _one(form, "organisation")
    for field in fields_of(kind):
        name = field.name
        if field.check == "text_map":
            texts = {language: text for language in LANGUAGES if (text := _one(form, f"{name}.{language}"))}
            if texts or field.required_for:
                document[name] = texts
        elif field.check == "concept_list":
            chosen = [value for value in form.getall(name, []) if isinstance(value, str) and value]
            if chosen or kind in field.required_for:
                document[name] = list(dict.fromkeys(chosen))
        elif field.check == "location":
            if place := _location(form):
                document[name] = place
        elif field.check == "contacts":
            if contacts := _contacts(form):
                document[name] = contacts
        elif field.check == "boolean":
            document[name] = _one(form, name) == "on"
        elif value := _one(form, name):  # a concept, a day, a URL, an email, a telephone, an image's URL
            document[name] = value
    return document


def field_of_problem(where: str) -> str:
    """The form field a problem's place names: "nameMap.ca" and "nameMap" are "nameMap", "areas[2]" is
    "areas", "contacts[0].email" is "contacts"; "" (the whole document) stays ""."""
    for index, character in enumerate(where):
        if character in ".[":
            return where[:index]
    return where


def _depths(concepts: Sequence[Concept]) -> dict[str, int]:
    """How deep each concept is in its scheme's hierarchy (0 for a top concept)."""
    by_iri = {concept.iri: concept for concept in concepts}
    depths: dict[str, int] = {}

    def depth(concept: Concept, seen: frozenset[str]) -> int:
        if concept.iri not in depths:
            parents = [by_iri[iri] for iri in concept.broader if iri in by_iri and iri not in seen]
            depths[concept.iri] = 1 + max((depth(p, seen | {concept.iri}) for p in parents), default=-1)
        return depths[concept.iri]

    for concept in concepts:
        depth(concept, frozenset())
    return depths


def _tree_order(concepts: Sequence[Concept], language: str) -> list[Concept]:
    """Top concepts by label, each followed by its narrower ones (depth first); the rest after."""
    by_iri = {concept.iri: concept for concept in concepts}
    ordered: list[Concept] = []
    placed: set[str] = set()

    def visit(concept: Concept) -> None:
        if concept.iri in placed:
            return
        placed.add(concept.iri)
        ordered.append(concept)
        for child in sorted((by_iri[i] for i in concept.narrower if i in by_iri), key=lambda c: c.label(language)):
            visit(child)

    roots = [c for c in concepts if not any(i in by_iri for i in c.broader)]
    for concept in sorted(roots, key=lambda c: c.label(language)) + list(concepts):
        visit(concept)
    return ordered


def concept_choices(scheme: str, language: str, chosen: Iterable[str]) -> list[dict[str, Any]]:
    """The concepts of ``scheme`` to pick from, in hierarchy order (by label within a level; SDGs by
    number): each with its ``scheme:code``, label, depth, whether chosen, and the words a filter matches
    (its labels in every language and its code)."""
    concepts = concept_index().in_scheme(scheme)
    picked = set(chosen)
    if scheme == "sdg":
        ordered = sorted(concepts, key=lambda c: int(c.code) if c.code.isdigit() else 99)
    else:
        ordered = _tree_order(concepts, language)
    depths = _depths(concepts)
    return [
        {
            "value": concept.curie,
            "label": concept.label(language),
            "depth": depths.get(concept.iri, 0),
            "checked": concept.curie in picked or concept.iri in picked,
            "terms": " ".join([concept.code, *concept.labels.values()]).lower(),
        }
        for concept in ordered
    ]


def place_choices(language: str) -> list[dict[str, Any]]:
    """Barcelona's districts, each with its neighbourhoods, as the place picker lists them: a district's
    ``scheme:code`` and label, and its neighbourhoods' (by label)."""
    index = concept_index()
    neighbourhoods = index.in_scheme("neighbourhood")
    groups = []
    for district in sorted(index.in_scheme("district"), key=lambda c: int(c.code) if c.code.isdigit() else 99):
        inside = [n for n in neighbourhoods if district.iri in n.broader]
        groups.append(
            {
                "value": district.curie,
                "label": district.label(language),
                "neighbourhoods": [
                    {"value": n.curie, "label": n.label(language)}
                    for n in sorted(inside, key=lambda c: c.label(language))
                ],
            }
        )
    return groups


def chosen_values(document: Mapping[str, Any], name: str) -> list[str]:
    """The values of list field ``name`` in ``document`` (empty when absent or not a list)."""
    value = document.get(name)
    return [str(item) for item in value] if isinstance(value, list) else []
