"""What a profile page links to and tells machines: its concepts' pages (``/concepts/{scheme}/{code}``), and the
schema.org JSON-LD and OpenGraph tags in its head, with JSON made safe to put inside a script element.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup

__all__ = [
    "FILTER_PARAMETERS",
    "concept_key",
    "directory_filter_link",
    "directory_link",
    "opengraph_tags",
    "schema_org_document",
    "script_json",
]

# The directory's filter parameter for each concept-valued profile field.
FILTER_PARAMETERS: Mapping[str, str] = {
    "areas": "area",
    "needs": "needs",
    "offers": "offers",
    "sectors": "sector",
    "sdgs": "sdg",
    "projectStatus": "status",
}
# basedIn holds a district or a neighbourhood: the parameter is the concept's scheme.
_PLACE_SCHEMES = frozenset({"district", "neighbourhood"})
_DESCRIPTION = 300
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def concept_key(curie: str) -> str:
    """The short key of a concept, after its scheme prefix: ``area:open-data`` → ``open-data``."""
    return curie.partition(":")[2] or curie


# The scheme of the concepts each filter parameter takes.
_PARAMETER_SCHEMES: Mapping[str, str] = {"needs": "skill", "offers": "skill"}


def _check(parameter: str) -> None:
    if parameter not in _PLACE_SCHEMES and parameter not in FILTER_PARAMETERS.values():
        raise ValueError(f"no directory filter is called {parameter!r}")


def directory_link(parameter: str, curie: str) -> str:
    """The one place that says where a concept on a profile page leads: the concept's page, which lists
    the profiles using it and links to the directory filtered by it (``directory_filter_link``).

    ``parameter`` is a field's filter parameter (``FILTER_PARAMETERS``) or, for a place, the concept's
    scheme (``district``, ``neighbourhood``).
    """
    _check(parameter)
    scheme, colon, _ = curie.partition(":")
    if not colon:
        scheme = _PARAMETER_SCHEMES.get(parameter, parameter)
    return f"/concepts/{quote(scheme, safe='')}/{quote(concept_key(curie), safe='')}"


def directory_filter_link(parameter: str, curie: str) -> str:
    """The directory filtered by a concept: ``/directory?{parameter}={code}``."""
    _check(parameter)
    return "/directory?" + urlencode({parameter: concept_key(curie)})


def script_json(document: Any) -> Markup:
    """``document`` as JSON that can sit inside ``<script>``: ``<``, ``>`` and ``&`` (and the JavaScript
    line separators) are written as ``\\u`` escapes, so no text in it can close the element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Markup(text.translate(_SCRIPT_ESCAPES))  # noqa: S704 - nothing in it can end the script element


def schema_org_document(
    *,
    kind: str,
    name: str,
    description: str,
    url: str,
    website: str | None = None,
    logo: str | None = None,
    places: Sequence[str] = (),
    parent: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A schema.org ``Organization`` or ``Project`` (https://schema.org/Project) describing a profile.

    ``places`` are the names of the districts or neighbourhoods it serves; ``parent`` is the ``(name,
    url)`` of a project's organisation.
    """
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization" if kind == "organisation" else "Project",
        "name": name,
        "url": url,
    }
    if description:
        document["description"] = description
    if website:
        document["sameAs"] = website
    if logo:
        document["logo"] = logo
    if places:
        document["areaServed"] = [{"@type": "Place", "name": place} for place in places]
    if parent:
        document["parentOrganization"] = {"@type": "Organization", "name": parent[0], "url": parent[1]}
    return document


def opengraph_tags(
    *, title: str, description: str, url: str, image: str | None, site_name: str
) -> list[tuple[str, str]]:
    """The OpenGraph ``(property, content)`` pairs of a profile page (https://ogp.me/)."""
    tags = [
        ("og:type", "website"),
        ("og:title", title),
        ("og:description", description if len(description) <= _DESCRIPTION else description[: _DESCRIPTION - 1] + "…"),
        ("og:url", url),
        ("og:site_name", site_name),
    ]
    if image:
        tags.append(("og:image", image))
    return tags
