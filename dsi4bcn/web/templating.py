"""HTML pages: a Jinja2 environment with autoescaping and the view models the templates read.

Jinja2 escapes every value by default, so a profile can never inject markup into a page; the only
markup passed through is the summary HTML that ``profiles.documents.text_to_html`` built from escaped text,
and a post's HTML, sanitised (once more, for a post of this node) just before it is shown.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup

from dsi4bcn.fediverse.outbox import sanitise_html
from dsi4bcn.i18n import LANGUAGES, UI
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import pick_language, text_to_html
from dsi4bcn.profiles.iris import actor_iri, profile_page
from dsi4bcn.profiles.nodeidentity import NodeIdentity
from dsi4bcn.web.feeds import plain_text
from dsi4bcn.web.mediaview import logo_html
from dsi4bcn.web.profilelinks import FILTER_PARAMETERS, directory_link, schema_org_document, script_json
from vocab.concepts import Concept, concept_index

__all__ = [
    "ActorView",
    "ConceptLink",
    "PostView",
    "actor_view",
    "concept_link",
    "node_identity",
    "post_view",
    "render_page",
    "set_node_identity",
    "template_environment",
]

_IDENTITY = "node_identity"
_LOGO = "node_logo"
_PAGE_LABELS = "page_labels"  # the labels of each language, with the node's name, as pages read them


def template_environment() -> jinja2.Environment:
    """The Jinja2 environment for the bundled templates, autoescaping HTML."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dsi4bcn.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the bundled templates change only with the program: no stat() on every page
    )
    environment.globals["logo_html"] = logo_html
    return environment


@dataclass(frozen=True)
class ConceptLink:
    """A concept as shown on a page: its label in the visitor's language and its IRI."""

    label: str
    iri: str
    code: str
    href: str


@dataclass(frozen=True)
class PostView:
    """A post as a profile page lists it: when, its sanitised HTML (as stored) and its address."""

    published: str
    content: Markup
    url: str


def post_view(note: Mapping[str, Any], language: str) -> PostView:
    """A stored ``Note`` in ``language`` when its ``contentMap`` has it; its HTML sanitised (again)."""
    content_map = note.get("contentMap")
    content = content_map.get(language) if isinstance(content_map, dict) else None
    if not isinstance(content, str):
        content = str(note.get("content", ""))
    url = note.get("url") if isinstance(note.get("url"), str) else note["id"]
    return PostView(str(note["published"]), Markup(sanitise_html(content)), str(url))  # noqa: S704 - sanitised


@dataclass(frozen=True)
class ActorView:
    """What a profile page shows."""

    kind: str
    slug: str
    iri: str
    page: str
    handle: str
    name: str
    summary: Markup
    rows: Sequence[tuple[str, Sequence[ConceptLink]]]
    facts: Sequence[tuple[str, str, str | None]]
    organisation: tuple[str, str] | None
    projects: Sequence[tuple[str, str]]
    icon: str | None
    description: str
    feed: str
    posts: Sequence[PostView]
    schema_org: Markup


def concept_link(concept: Concept, language: str, parameter: str | None) -> ConceptLink:
    """A concept as a page shows it, linking to its concept page (``parameter`` is its field's filter, or None)."""
    href = directory_link(parameter or concept.scheme, concept.curie)
    return ConceptLink(concept.label(language), concept.iri, concept.curie, href)


def _concepts(codes: Sequence[str] | str | None, language: str, parameter: str | None) -> list[ConceptLink]:
    if not codes:
        return []
    index = concept_index()
    found: list[Concept] = []
    for code in [codes] if isinstance(codes, str) else codes:
        concept = index.resolve(code)
        if concept is not None:
            found.append(concept)
    return [concept_link(c, language, parameter) for c in found]


def _based_in(code: str | None, language: str) -> list[ConceptLink]:
    links = _concepts(code, language, None)
    if links:
        parents = [c for c in concept_index().ancestors(links[0].iri) if c.scheme == "district"]
        links.extend(concept_link(c, language, None) for c in parents)
    return links


_CONCEPT_ROWS = (
    ("sectors", "sectors"),
    ("status", "projectStatus"),
    ("areas", "areas"),
    ("needs", "needs"),
    ("offers", "offers"),
    ("based_in", "basedIn"),
    ("sdgs", "sdgs"),
)
_DATES = (("startDate", "start_date"), ("endDate", "end_date"), ("foundingDate", "founding_date"))


def _rows(fields: Mapping[str, Any], language: str) -> list[tuple[str, Sequence[ConceptLink]]]:
    rows: list[tuple[str, Sequence[ConceptLink]]] = []
    for ui_key, field in _CONCEPT_ROWS:
        if field == "basedIn":
            links = _based_in(fields.get(field), language)
        else:
            links = _concepts(fields.get(field), language, FILTER_PARAMETERS[field])
        if links:
            rows.append((UI[ui_key][language], links))
    return rows


def _facts(fields: Mapping[str, Any], language: str) -> list[tuple[str, str, str | None]]:
    label = UI
    facts: list[tuple[str, str, str | None]] = []
    if "website" in fields:
        facts.append((label["website"][language], fields["website"], fields["website"]))
    if "email" in fields:
        facts.append((label["email"][language], fields["email"], f"mailto:{fields['email']}"))
    if "telephone" in fields:
        facts.append((label["telephone"][language], fields["telephone"], None))
    for key, ui_key in _DATES:
        if key in fields:
            facts.append((label[ui_key][language], fields[key], None))
    if "location" in fields:
        place = fields["location"]
        text = f"{place['latitude']:.4f}, {place['longitude']:.4f}"
        osm = f"https://www.openstreetmap.org/?mlat={place['latitude']}&mlon={place['longitude']}#map=16"
        facts.append((label["location"][language], place.get("name") or text, osm))
    return facts


def actor_view(
    record: ActorRecord,
    *,
    base_url: str,
    authority: str,
    language: str,
    organisation: ActorRecord | None = None,
    projects: Sequence[ActorRecord] = (),
    posts: Sequence[PostView] = (),
) -> ActorView:
    """The view model of an organisation's or project's page."""
    fields: Mapping[str, Any] = record.fields
    summary = text_to_html(pick_language(fields["summaryMap"], language)) if "summaryMap" in fields else ""
    iri = actor_iri(base_url, record.kind, record.slug)
    parent = (organisation.name(language), profile_page(base_url, organisation.slug)) if organisation else None
    rows = _rows(fields, language)
    description = plain_text(summary)
    places = [link.label for title, links in rows if title == UI["based_in"][language] for link in links]
    schema = schema_org_document(
        kind=record.kind,
        name=record.name(language),
        description=description,
        url=profile_page(base_url, record.slug),
        website=fields.get("website"),
        logo=fields.get("icon"),
        places=places,
        parent=parent,
    )
    return ActorView(
        kind=record.kind,
        slug=record.slug,
        iri=iri,
        page=profile_page(base_url, record.slug),
        handle=f"@{record.slug}@{authority}",
        name=record.name(language),
        summary=Markup(summary),  # noqa: S704 - built from escaped text by text_to_html
        rows=rows,
        facts=_facts(fields, language),
        organisation=parent,
        projects=[(p.name(language), profile_page(base_url, p.slug)) for p in projects],
        icon=fields.get("icon"),
        description=description,
        feed=f"{iri}/feed.atom",
        posts=posts,
        schema_org=script_json(schema),
    )


@cache
def _labels(language: str) -> Mapping[str, str]:
    """Every label of the interface in ``language``."""
    return {key: values[language] for key, values in UI.items()}


def render_page(
    environment: jinja2.Environment,
    template: str,
    language: str,
    *,
    query: Mapping[str, str] | None = None,
    **context: Any,
) -> bytes:
    """Render a template with the shared page context (language, labels, language switcher).

    ``query`` is the page's own query string, kept by the language switcher's links.
    """
    page = environment.get_template(template)
    identity = node_identity(environment)
    cached: dict[str, dict[str, str]] = environment.globals.setdefault(_PAGE_LABELS, {})  # type: ignore[assignment]
    labels = cached.get(language)
    if labels is None:
        labels = cached[language] = dict(_labels(language))
        labels["node_title"] = identity.name(language) or labels["node_title"]
        labels["node_intro"] = identity.summary(language) or labels["node_intro"]
    kept = urlencode([(key, value) for key, value in (query or {}).items() if key != "lang"])
    switcher = {code: f"?{kept}&lang={code}" if kept else f"?lang={code}" for code in LANGUAGES}
    return page.render(
        lang=language,
        languages=LANGUAGES,
        switcher=switcher,
        ui=labels,
        node_named=bool(identity.names),
        node_logo=environment.globals.get(_LOGO),
        **context,
    ).encode("utf-8")


def node_identity(environment: jinja2.Environment) -> NodeIdentity:
    """The node's name and description as its pages show them (the default until one is set)."""
    identity = environment.globals.get(_IDENTITY)
    return identity if isinstance(identity, NodeIdentity) else NodeIdentity()


def set_node_identity(environment: jinja2.Environment, identity: NodeIdentity, logo: Any = None) -> None:
    """Show ``identity`` on every page rendered from now on, with ``logo`` (an ``<img>``'s ``src``, ``width``
    and ``height``) if it has one the node holds."""
    environment.globals[_IDENTITY] = identity
    environment.globals[_LOGO] = logo
    environment.globals[_PAGE_LABELS] = {}  # the node's name is among them
