"""What a concept page and the concept index show: a concept's label, definition, broader and narrower
concepts, and the profiles of the directory that use it (for a skill, who needs it beside who offers it).
"""

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from dsi4bcn.directory.engine import DirectoryAnswer
from dsi4bcn.directory.entries import Entry
from dsi4bcn.i18n import UI
from vocab.concepts import SCHEMES, Concept, concept_index

__all__ = [
    "SCHEME_FACETS",
    "ConceptView",
    "LinkView",
    "ProfileView",
    "SchemeView",
    "UsesView",
    "concept_href",
    "concept_view",
    "profile_href",
    "scheme_views",
]

# The directory facets that find the profiles using a concept of each scheme.
SCHEME_FACETS: Mapping[str, tuple[str, ...]] = {
    "area": ("area",),
    "skill": ("needs", "offers"),
    "district": ("district",),
    "neighbourhood": ("neighbourhood",),
    "sector": ("sector",),
    "sdg": ("sdg",),
    "status": ("status",),
}
# The name of each scheme as people read it (the UI key).
_SCHEME_NAMES: Mapping[str, str] = {
    "area": "facet_area",
    "skill": "scheme_skill",
    "district": "facet_district",
    "neighbourhood": "facet_neighbourhood",
    "sector": "facet_sector",
    "sdg": "facet_sdg",
    "status": "facet_status",
}


@dataclass(frozen=True)
class LinkView:
    """A label and where it leads."""

    label: str
    href: str


@dataclass(frozen=True)
class ProfileView:
    """A profile using a concept: its name, kind, source node and page."""

    name: str
    kind: str
    source: str
    local: bool
    href: str


@dataclass(frozen=True)
class UsesView:
    """The profiles found through one directory facet, how many there are, and the directory's list of all."""

    facet: str
    title: str
    total: int
    profiles: Sequence[ProfileView]
    directory: str


@dataclass(frozen=True)
class ConceptView:
    """A concept page's content in one language."""

    scheme: str
    scheme_name: str
    code: str
    iri: str
    label: str
    definition: str
    broader: Sequence[LinkView]
    narrower: Sequence[LinkView]
    narrower_title: str
    uses: Sequence[UsesView]
    side_by_side: bool  # a skill: needs and offers in two columns


@dataclass(frozen=True)
class SchemeView:
    """A scheme on the index page: its name and its concepts."""

    scheme: str
    name: str
    concepts: Sequence[LinkView]


def concept_href(concept: Concept, language: str) -> str:
    """The address of a concept's page in ``language``: ``/concepts/{scheme}/{code}?lang=…``."""
    return f"/concepts/{quote(concept.scheme, safe='')}/{quote(concept.code, safe='')}?lang={language}"


def profile_href(entry: Entry, language: str) -> str:
    """Where a profile's page is in ``language``: its own IRI (a page for a browser) for a local one, this
    node's received-profile page otherwise."""
    if entry.local:
        return entry.id + "?" + urlencode({"lang": language})
    return "/network/profile?" + urlencode({"id": entry.id, "lang": language})


def _links(iris: Sequence[str], language: str) -> list[LinkView]:
    index = concept_index()
    found = [index.by_iri(iri) for iri in iris]
    concepts = [concept for concept in found if concept is not None]
    return [LinkView(concept.label(language), concept_href(concept, language)) for concept in concepts]


def _definition(concept: Concept, language: str) -> str:
    for candidate in (language, "en", "ca", "es"):
        if concept.definitions.get(candidate):
            return concept.definitions[candidate]
    return ""


def _uses(facet: str, code: str, answer: DirectoryAnswer, language: str) -> UsesView:
    profiles = [
        ProfileView(entry.name(language), entry.kind, entry.source, entry.local, profile_href(entry, language))
        for entry in answer.entries
    ]
    title = UI[{"needs": "concept_needed_by", "offers": "concept_offered_by"}.get(facet, "concept_used_by")]
    directory = "/directory?" + urlencode({facet: code, "lang": language})
    return UsesView(facet, title[language], answer.total, profiles, directory)


def concept_view(concept: Concept, answers: Mapping[str, DirectoryAnswer], language: str) -> ConceptView:
    """The page of ``concept`` in ``language``; ``answers`` are the directory's answers for each facet of
    its scheme (``SCHEME_FACETS``) filtered by it."""
    facets = SCHEME_FACETS.get(concept.scheme, ())
    narrower_key = "concept_neighbourhoods" if concept.scheme == "district" else "concept_narrower"
    return ConceptView(
        scheme=concept.scheme,
        scheme_name=UI[_SCHEME_NAMES.get(concept.scheme, "concepts")][language],
        code=concept.code,
        iri=concept.iri,
        label=concept.label(language),
        definition=_definition(concept, language),
        broader=_links(concept.broader, language),
        narrower=_links(concept.narrower, language),
        narrower_title=UI[narrower_key][language],
        uses=[_uses(facet, concept.code, answers[facet], language) for facet in facets if facet in answers],
        side_by_side=concept.scheme == "skill",
    )


def _alphabetical(label: str) -> str:
    """A sort key that reads "Àmbit" beside "Ambit": without accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", label)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def scheme_views(language: str) -> list[SchemeView]:
    """Every scheme with its concepts for the index page: numbered schemes (districts, neighbourhoods,
    SDGs) in their official order, the others alphabetically in ``language``."""
    index = concept_index()
    views = []
    for scheme in SCHEMES:
        concepts = index.in_scheme(scheme)
        if not all(concept.code.isdigit() for concept in concepts):
            concepts.sort(key=lambda concept: _alphabetical(concept.label(language)))
        links = [LinkView(concept.label(language), concept_href(concept, language)) for concept in concepts]
        views.append(SchemeView(scheme, UI[_SCHEME_NAMES[scheme]][language], links))
    return views
