"""Read a profile's matching features from its RDF triples (local and received profiles alike)."""

import contextlib
import html
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from dsi4bcn.matching.model import Profile
from dsi4bcn.profiles.ntriples import Triple
from vocab.concepts import concept_index

__all__ = ["profile_from_triples", "read_place", "strip_tags", "triples_from_ntriples"]

AS = "https://www.w3.org/ns/activitystreams#"
DSI = "https://w3id.org/dsi4bcn/ns#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROJECT = DSI + "Project"
ORGANISATION = "http://www.w3.org/ns/org#Organization"
ACTIVE = "https://w3id.org/dsi4bcn/status/active"
_TAG = re.compile(r"<[^>]+>")  # only through strip_tags


def strip_tags(text: str) -> str:
    """``text`` with each tag (``<`` and ``>`` with something between) replaced by a space.

    ``<[^>]+>`` alone retried from every ``<`` and read to the end of the text each time when no ``>``
    followed: a summary of many ``<`` took time growing with its square. It runs here only up to the last
    ``>``, where every try from a ``<`` either matches all it reads or fails at once (``<>``), so the time
    is linear; after the last ``>`` there can be no tag.
    """
    end = text.rfind(">") + 1
    return _TAG.sub(" ", text[:end]) + text[end:] if end else text


def triples_from_ntriples(text: str) -> list[Triple]:
    """Parse N-Triples (as stored for received profiles) into term tuples."""
    found: list[Triple] = []
    for triple in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        found.append((_tuple(triple.subject), _tuple(triple.predicate), _tuple(triple.object)))
    return found


def _tuple(term: object) -> tuple[str, ...]:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language or "")
    return ("literal", str(term), "", "")


def profile_from_triples(
    actor: str, triples: Iterable[Triple], sectors: frozenset[str] | None = None
) -> Profile | None:
    """The matching features of ``actor``; None if it is neither a project nor an organisation.

    A project's sectors are its organisation's (pass them as ``sectors``); its place is its neighbourhood
    (and that neighbourhood's district), its location the given one or the neighbourhood's centroid.
    """
    about: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    nodes: dict[tuple[str, ...], dict[str, list[tuple[str, ...]]]] = defaultdict(lambda: defaultdict(list))
    subject_key = ("iri", actor)
    for subject, predicate, value in triples:
        if subject == subject_key:
            about[predicate[1]].append(value)
        elif subject[0] == "blank":
            nodes[subject][predicate[1]].append(value)
    types = {value[1] for value in about[RDF_TYPE]}
    if PROJECT in types:
        kind = "project"
    elif ORGANISATION in types:
        kind = "organisation"
    else:
        return None

    def iris(predicate: str) -> frozenset[str]:
        return frozenset(value[1] for value in about[DSI + predicate] if value[0] == "iri")

    neighbourhood, district, latitude, longitude = read_place(iris("basedIn"), about[AS + "location"], nodes)
    status = iris("status")
    names = {value[3]: value[1] for value in about[AS + "name"] if value[0] == "literal" and value[3]}
    summaries = [strip_tags(html.unescape(value[1])) for value in about[AS + "summary"] if value[0] == "literal"]
    organisation = next(iter(iris("organisation")), None)
    own_sectors = iris("sector")
    return Profile(
        id=actor,
        kind=kind,
        organisation=organisation,
        active=kind == "organisation" or ACTIVE in status,
        areas=iris("area"),
        sdgs=iris("sdg"),
        needs=iris("needs"),
        offers=iris("offers"),
        sectors=own_sectors or (sectors or frozenset()),
        neighbourhood=neighbourhood,
        district=district,
        latitude=latitude,
        longitude=longitude,
        names=names,
        text=" ".join([*dict.fromkeys(names.values()), *summaries]),
    )


def read_place(
    based_in: frozenset[str],
    locations: list[tuple[str, ...]],
    nodes: Mapping[tuple[str, ...], Mapping[str, list[tuple[str, ...]]]],
) -> tuple[str | None, str | None, float | None, float | None]:
    """Neighbourhood, district, latitude and longitude: from the places a profile is based in, the
    coordinates of a given location (a blank node) winning over the place's centroid."""
    index = concept_index()
    neighbourhood = district = None
    latitude = longitude = None
    for place in based_in:
        concept = index.by_iri(place)
        if concept is None:
            continue
        if concept.scheme == "neighbourhood":
            neighbourhood = concept.iri
            district = next(iter(concept.broader), None)
        else:
            district = concept.iri
        latitude, longitude = concept.latitude, concept.longitude
    for location in locations:
        node = nodes.get(location, {})
        lat, lon = node.get(AS + "latitude"), node.get(AS + "longitude")
        if lat and lon:
            with contextlib.suppress(ValueError):
                latitude, longitude = float(lat[0][1]), float(lon[0][1])
    return neighbourhood, district, latitude, longitude
