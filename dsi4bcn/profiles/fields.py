"""The fields of an organisation's and a project's profile, declared once.

Each ``Field`` says which profiles have it, how its value is checked (``dsi4bcn.profiles.validation``), and
whether it is published in the actor as it is stored (``dsi4bcn.profiles.documents``); every field's name is
its term in the dsi4bcn JSON-LD context, in the editable and in the published document alike. The order of
``FIELDS`` is the order of a profile's canonical form (stored, returned by the admin API, published).
docs/profiles.md describes every term.
"""

from dataclasses import dataclass
from typing import Literal

__all__ = ["FIELDS", "KINDS", "Check", "Field", "Kind", "fields_of"]

Kind = Literal["organisation", "project"]
KINDS: tuple[Kind, ...] = ("organisation", "project")

# How a value is checked and brought to canonical form: the method of the same name of
# ``dsi4bcn.profiles.values.ValueChecker`` (``email`` and ``telephone`` through its ``pattern``).
Check = Literal[
    "text_map", "concept", "concept_list", "location", "day", "url", "email", "telephone", "contacts", "icon", "boolean"
]

_BOTH = KINDS
_ORGANISATION: tuple[Kind, ...] = ("organisation",)
_PROJECT: tuple[Kind, ...] = ("project",)


@dataclass(frozen=True)
class Field:
    """One field of a profile: where it applies, how it is checked, and how it is published."""

    name: str  # the JSON-LD term
    kinds: tuple[Kind, ...]  # the profiles that have it
    check: Check
    # Problems are listed stage by stage, then in the order of FIELDS: the order the admin API has always used.
    stage: int
    required_for: tuple[Kind, ...] = ()
    schemes: tuple[str, ...] = ()  # concept schemes a concept may come from
    limit: int = 0  # the longest text in each language
    if_absent: str | None = None  # the value of a field left out (``null`` is still refused)
    default: bool | None = None  # the value of a switch left out or ``null``
    as_stored: bool = True  # published in the actor exactly as stored; else documents.py renders it

    @property
    def per_language(self) -> bool:
        """Whether the value is a map from language tags to texts (``nameMap``, ``summaryMap``)."""
        return self.check == "text_map"


FIELDS: tuple[Field, ...] = (
    Field("nameMap", _BOTH, "text_map", 1, required_for=_BOTH, limit=200, as_stored=False),
    Field("summaryMap", _BOTH, "text_map", 1, limit=5000, as_stored=False),
    Field("sectors", _ORGANISATION, "concept_list", 4, required_for=_ORGANISATION, schemes=("sector",)),
    Field("areas", _BOTH, "concept_list", 3, required_for=_PROJECT, schemes=("area",)),
    Field("needs", _BOTH, "concept_list", 3, schemes=("skill",)),
    Field("offers", _BOTH, "concept_list", 3, schemes=("skill",)),
    Field("sdgs", _BOTH, "concept_list", 3, schemes=("sdg",)),
    Field("basedIn", _BOTH, "concept", 1, schemes=("district", "neighbourhood")),
    Field("location", _BOTH, "location", 1),
    Field("projectStatus", _PROJECT, "concept", 6, schemes=("status",), if_absent="status:active"),
    Field("startDate", _PROJECT, "day", 6),
    Field("endDate", _PROJECT, "day", 6),
    Field("foundingDate", _ORGANISATION, "day", 6),
    Field("website", _BOTH, "url", 1),
    Field("email", _BOTH, "email", 1),
    Field("telephone", _BOTH, "telephone", 1),
    Field("contacts", _BOTH, "contacts", 2, as_stored=False),  # only the public ones are published
    Field("icon", _BOTH, "icon", 1, as_stored=False),  # the logo
    Field("image", _BOTH, "icon", 1, as_stored=False),  # the header image (Mastodon's header banner)
    Field("manuallyApprovesFollowers", _BOTH, "boolean", 5, default=False),
    Field("discoverable", _BOTH, "boolean", 5, default=True),
    Field("indexable", _BOTH, "boolean", 5, default=True),
)


def fields_of(kind: Kind) -> tuple[Field, ...]:
    """The fields of a ``kind`` of profile, in canonical order."""
    return tuple(field for field in FIELDS if kind in field.kinds)
