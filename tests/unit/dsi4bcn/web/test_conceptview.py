"""Concept pages' view model: labels and definitions per language, relations as links, a skill's needs
beside its offers with each profile's source and page, a district's neighbourhoods, and the index."""

import unicodedata

from dsi4bcn.directory.engine import DirectoryAnswer, DirectoryIndex
from dsi4bcn.directory.entries import Entry
from dsi4bcn.directory.query import DirectoryQuery
from dsi4bcn.web.conceptview import SCHEME_FACETS, concept_href, concept_view, profile_href, scheme_views
from vocab.concepts import SCHEMES, concept_index


def _entry(iri: str, name: str, *, local: bool, **concepts: set[str]) -> Entry:
    return Entry(
        id=iri,
        kind="project",
        names={"ca": name, "en": name + " (en)"},
        summaries={},
        source="a.example" if local else "b.example:8001",
        local=local,
        updated="2025-01-01T00:00:00Z",
        concepts={facet: frozenset(keys) for facet, keys in concepts.items()},
    )


NEEDER = _entry("https://a.example/projects/needer", "Needer", local=True, needs={"3d-printing"})
OFFERER = _entry("https://b.example:8001/projects/offerer", "Offerer", local=False, offers={"3d-printing"})
OTHER = _entry("https://a.example/projects/other", "Other", local=True, offers={"translation"})


def _answers(scheme: str, code: str) -> dict[str, DirectoryAnswer]:
    index = DirectoryIndex()
    index.upsert_many([NEEDER, OFFERER, OTHER])
    return {
        facet: index.search(DirectoryQuery(filters={facet: frozenset({code})}, sort="name", per_page=100), "en")
        for facet in SCHEME_FACETS[scheme]
    }


def test_a_skill_shows_who_needs_it_beside_who_offers_it() -> None:
    concept = concept_index().get("skill", "3d-printing")
    assert concept is not None
    view = concept_view(concept, _answers("skill", "3d-printing"), "en")
    assert view.side_by_side and view.label == "3D printing" and view.definition.startswith("Making objects")
    needs, offers = view.uses
    assert (needs.facet, needs.title, needs.total) == ("needs", "Who needs it", 1)
    assert (offers.facet, offers.title, offers.total) == ("offers", "Who offers it", 1)
    assert [p.name for p in needs.profiles] == ["Needer (en)"] and [p.name for p in offers.profiles] == ["Offerer (en)"]
    assert needs.profiles[0].href == "https://a.example/projects/needer?lang=en" and needs.profiles[0].local
    assert offers.profiles[0].href == "/network/profile?id=https%3A%2F%2Fb.example%3A8001%2Fprojects%2Fofferer&lang=en"
    assert offers.profiles[0].source == "b.example:8001"
    assert needs.directory == "/directory?needs=3d-printing&lang=en"
    assert [link.href for link in view.broader] == ["/concepts/skill/hardware?lang=en"]


def test_the_page_speaks_the_visitors_language() -> None:
    concept = concept_index().get("skill", "3d-printing")
    assert concept is not None
    view = concept_view(concept, _answers("skill", "3d-printing"), "ca")
    assert view.label == "Impressió 3D" and view.scheme_name == "Habilitats"
    assert [use.title for use in view.uses] == ["Qui la necessita", "Qui l'ofereix"]
    assert view.uses[0].profiles[0].name == "Needer"


def test_a_district_lists_its_neighbourhoods_and_a_neighbourhood_its_district() -> None:
    district = concept_index().get("district", "1")
    assert district is not None
    view = concept_view(district, {}, "es")
    assert view.narrower_title == "Barrios del distrito" and not view.side_by_side and view.uses == []
    assert [link.label for link in view.narrower][:1] == ["el Raval"]
    assert all(link.href.startswith("/concepts/neighbourhood/") for link in view.narrower) and len(view.narrower) == 4
    neighbourhood = concept_index().get("neighbourhood", "1")
    assert neighbourhood is not None
    assert [link.href for link in concept_view(neighbourhood, {}, "es").broader] == ["/concepts/district/1?lang=es"]


def test_an_area_counts_the_profiles_that_use_it() -> None:
    concept = concept_index().get("area", "open-data")
    assert concept is not None
    index = DirectoryIndex()
    index.upsert(_entry("https://a.example/projects/x", "X", local=True, area={"open-data"}))
    answer = index.search(DirectoryQuery(filters={"area": frozenset({"open-data"})}), "en")
    (uses,) = concept_view(concept, {"area": answer}, "en").uses
    assert (
        uses.title == "Profiles that use it"
        and uses.total == 1
        and uses.directory == "/directory?area=open-data&lang=en"
    )


def test_links_are_encoded_and_the_index_lists_every_scheme() -> None:
    concept = concept_index().get("sdg", "11")
    assert concept is not None and concept_href(concept, "ca") == "/concepts/sdg/11?lang=ca"
    odd = Entry("https://x.example/p?a=1&b=2", "project", {}, {}, "x.example", False, "")
    assert profile_href(odd, "en") == "/network/profile?id=https%3A%2F%2Fx.example%2Fp%3Fa%3D1%26b%3D2&lang=en"
    schemes = scheme_views("en")
    assert [scheme.scheme for scheme in schemes] == list(SCHEMES)
    skills = next(scheme for scheme in schemes if scheme.scheme == "skill")
    assert skills.name == "Skills" and len(skills.concepts) == len(concept_index().in_scheme("skill"))


def test_the_index_orders_numbered_schemes_by_number_and_the_others_by_label() -> None:
    schemes = {scheme.scheme: scheme for scheme in scheme_views("ca")}
    districts = [link.href for link in schemes["district"].concepts]
    assert districts[:2] == ["/concepts/district/1?lang=ca", "/concepts/district/2?lang=ca"]
    assert districts[-1] == "/concepts/district/10?lang=ca"
    skills = [link.label for link in schemes["skill"].concepts]
    plain = [unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().casefold() for label in skills]
    assert plain == sorted(plain) and skills[0] != "Impressió 3D"  # by label, not by code (3d-printing)
