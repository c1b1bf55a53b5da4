"""The fast JSON-LD path gives exactly pyld's triples (up to blank-node names), or steps aside with None.

Documents: every demo profile published as an actor, the instance actor, profiles with every optional field,
200 randomised profiles (random subsets of fields, unicode text, awkward numbers, extra ActivityStreams
terms), and documents outside the fast path's shape, which must give None while pyld still decides.
"""

import copy
import math
import random
from collections.abc import Callable, Iterable
from functools import cache
from hashlib import sha256
from types import MappingProxyType
from typing import Any

import pytest
from pyld.jsonld import JsonLdError

from dsi4bcn.demo import demo_profiles
from dsi4bcn.profiles.actorrecords import ActorRecord, InstanceRecord
from dsi4bcn.profiles.documents import render_actor, render_instance_actor
from dsi4bcn.profiles.validation import KINDS, Kind
from vocab.contexts import AS_CONTEXT, DSI_CONTEXT_URL, SECURITY_CONTEXT, dsi_context, published_context
from vocab.fastld import Triple, document_triples, fast_triples, reference_triples

BASE = "https://node.example"
AUTHORITY = "node.example"
PEM = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n-----END PUBLIC KEY-----\n"
)
XSD = "http://www.w3.org/2001/XMLSchema#"
AS = "https://www.w3.org/ns/activitystreams#"
RDF_TYPE = ("iri", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# --- comparing triples up to blank-node names -------------------------------------------------------------


def _canonical(triples: Iterable[Triple]) -> list[tuple[Any, ...]]:
    """The distinct triples, each blank node renamed after its neighbourhood (colour refinement), sorted."""
    unique = set(triples)
    blanks = sorted({term[1] for triple in unique for term in (triple[0], triple[2]) if term[0] == "blank"})
    colours = dict.fromkeys(blanks, "")

    def named(term: tuple[str, ...]) -> tuple[str, ...]:
        return ("blank", colours[term[1]]) if term[0] == "blank" else term

    for _ in range(len(blanks) + 1):
        signatures: dict[str, list[tuple[Any, ...]]] = {label: [] for label in blanks}
        for s, p, o in unique:
            if s[0] == "blank":
                signatures[s[1]].append(("out", p, named(o)))
            if o[0] == "blank":
                signatures[o[1]].append(("in", named(s), p))
        refined = {
            label: sha256(repr((colours[label], sorted(signature))).encode()).hexdigest()
            for label, signature in signatures.items()
        }
        stable = len(set(refined.values())) == len(set(colours.values()))
        colours = refined
        if stable:
            break
    return sorted((named(s), p, named(o)) for s, p, o in unique)


def _assert_same_triples(document: dict[str, Any]) -> list[Triple]:
    fast = fast_triples(document)
    assert fast is not None, "the fast path should take this document"
    reference = reference_triples(document)
    assert len(fast) == len(set(fast)), "the fast path repeated a triple"
    # pyld may list one RDF triple twice (``true`` and ``"true"`` under an ``xsd:float`` term differ in
    # JSON-LD, not in RDF); a graph is a set.
    assert len(fast) == len(set(reference))
    assert _canonical(fast) == _canonical(reference)
    return fast


def test_the_comparison_sees_blank_node_names_as_names_only() -> None:
    a: list[Triple] = [
        (("iri", "https://x.example/a"), ("iri", AS + "icon"), ("blank", "b0")),
        (("blank", "b0"), ("iri", AS + "url"), ("iri", "https://x.example/i.png")),
        (("iri", "https://x.example/a"), ("iri", AS + "image"), ("blank", "b1")),
        (("blank", "b1"), ("iri", AS + "url"), ("iri", "https://x.example/j.png")),
    ]
    renamed = [tuple(("blank", "z" + t[1]) if t[0] == "blank" else t for t in triple) for triple in a]
    assert _canonical(a) == _canonical(renamed)  # type: ignore[arg-type]
    swapped = [a[0], (a[1][0], a[1][1], a[3][2]), a[2], (a[3][0], a[3][1], a[1][2])]
    assert _canonical(a) != _canonical(swapped)
    changed = [*a[:3], (a[3][0], a[3][1], ("literal", "https://x.example/j.png", XSD + "string", ""))]
    assert _canonical(a) != _canonical(changed)


# --- published documents ----------------------------------------------------------------------------------


def _record(kind: Kind, slug: str, fields: dict[str, Any], organisation: str | None = None) -> ActorRecord:
    return ActorRecord(kind, slug, organisation, fields, PEM, "2024-01-02T03:04:05Z", "2024-05-06T07:08:09.123Z")


def _publish(record: ActorRecord, language: str = "ca") -> dict[str, Any]:
    return render_actor(record, base_url=BASE, authority=AUTHORITY, language=language)


@cache
def _demo_actors() -> tuple[dict[str, Any], ...]:
    actors = []
    numbers = dict.fromkeys(KINDS, 0)
    for kind, slug, fields, organisation in demo_profiles(BASE):
        language = ("ca", "es", "en")[numbers[kind] % 3]
        numbers[kind] += 1
        actors.append(_publish(_record(kind, slug, fields, organisation), language))
    return tuple(actors)


def test_the_demo_set_is_all_there() -> None:
    kinds = [actor["type"] for actor in _demo_actors()]
    assert kinds.count(["Group", "Project"]) == 20
    assert kinds.count(["Organization", "org:Organization"]) >= 3


@pytest.mark.parametrize("index", range(len(_demo_actors())))
def test_every_demo_actor_gives_pyld_s_triples(index: int) -> None:
    _assert_same_triples(copy.deepcopy(_demo_actors()[index]))


def test_the_instance_actor_gives_pyld_s_triples() -> None:
    for language in ("ca", "es", "en"):
        document = render_instance_actor(
            InstanceRecord(PEM, "2024-01-01T00:00:00Z"),
            base_url=BASE,
            authority=AUTHORITY,
            hostname="node.example",
            language=language,
        )
        _assert_same_triples(document)


FULL_ORGANISATION: dict[str, Any] = {
    "nameMap": {"ca": "Ateneu de Fabricació", "es": "Ateneo de Fabricación", "en": "Fab Athenaeum"},
    "summaryMap": {
        "ca": 'Obert al barri & a les escoles.\n\nTallers de "reparació" <cada> dijous.\nEntrada lliure.',
        "es": "Abierto al barrio.",
        "en": "Open to the neighbourhood.",
    },
    "sectors": ["sector:civil-society", "sector:public"],
    "areas": ["area:maker", "area:open-data", "https://w3id.org/dsi4bcn/area/open-hardware"],
    "needs": ["skill:web-development"],
    "offers": ["skill:3d-printing", "skill:workshop-space"],
    "sdgs": ["sdg:4", "sdg:11", "sdg:12"],
    "basedIn": "district:10",
    "location": {"type": "Place", "latitude": 41.4, "longitude": 2.17345, "name": "Plaça de les Glòries"},
    "foundingDate": "2001-02-03",
    "website": "https://ateneu.example/fab/",
    "email": "hola@ateneu.example",
    "telephone": "+34 933 000 000",
    "icon": "https://ateneu.example/logo.PNG",
    "manuallyApprovesFollowers": True,
    "discoverable": False,
    "indexable": True,
}
FULL_PROJECT: dict[str, Any] = {
    **{key: value for key, value in FULL_ORGANISATION.items() if key not in ("sectors", "foundingDate")},
    "projectStatus": "status:finished",
    "startDate": "2019-09-01",
    "endDate": "2023-06-30",
    "location": {"type": "Place", "latitude": 41, "longitude": -0.0, "name": "Sants"},
    "icon": "https://ateneu.example/projects/icon",
}


@pytest.mark.parametrize("language", ["ca", "es", "en"])
def test_profiles_with_every_optional_field_give_pyld_s_triples(language: str) -> None:
    organisation = _publish(_record("organisation", "ateneu", dict(FULL_ORGANISATION)), language)
    project = _publish(_record("project", "taller", dict(FULL_PROJECT), "ateneu"), language)
    assert {"icon", "attachment", "location", "organisation", "endDate", "telephone"} <= project.keys()
    _assert_same_triples(organisation)
    _assert_same_triples(project)


def test_known_values_come_out_as_pyld_writes_them() -> None:
    # Given a small document with a coerced float, a whole number, an upper-case language and compact IRIs
    document = {
        "@context": published_context(),
        "id": "https://n.example/projects/p",
        "type": ["Group", "Project", "org:Organization"],
        "location": {"type": "Place", "latitude": 41.4, "longitude": 41, "altitude": 41.0, "accuracy": 2.17345},
        "nameMap": {"CA": "Taller"},
        "areas": ["area:open-data"],
        "manuallyApprovesFollowers": False,
        "startDate": "2021-03-01",
        "to": "as:Public",
        "as:sensitive": True,
    }
    # When it is converted
    triples = _assert_same_triples(document)
    # Then the values are pyld's, to the lexical form
    subject = ("iri", "https://n.example/projects/p")
    place = next(o for s, p, o in triples if p == ("iri", AS + "location"))
    assert set(triples) == {
        (subject, RDF_TYPE, ("iri", AS + "Group")),
        (subject, RDF_TYPE, ("iri", "https://w3id.org/dsi4bcn/ns#Project")),
        (subject, RDF_TYPE, ("iri", "http://www.w3.org/ns/org#Organization")),
        (subject, ("iri", AS + "location"), place),
        (place, RDF_TYPE, ("iri", AS + "Place")),
        (place, ("iri", AS + "latitude"), ("literal", "4.14E1", XSD + "float", "")),
        (place, ("iri", AS + "longitude"), ("literal", "41", XSD + "float", "")),
        (place, ("iri", AS + "altitude"), ("literal", "41", XSD + "float", "")),
        (place, ("iri", AS + "accuracy"), ("literal", "2.17345E0", XSD + "float", "")),
        (subject, ("iri", AS + "name"), ("literal", "Taller", LANG_STRING, "ca")),
        (subject, ("iri", "https://w3id.org/dsi4bcn/ns#area"), ("iri", "https://w3id.org/dsi4bcn/area/open-data")),
        (subject, ("iri", AS + "manuallyApprovesFollowers"), ("literal", "false", XSD + "boolean", "")),
        (subject, ("iri", "http://schema.org/startDate"), ("literal", "2021-03-01", XSD + "date", "")),
        (subject, ("iri", AS + "to"), ("iri", AS + "Public")),
        (subject, ("iri", AS + "sensitive"), ("literal", "true", XSD + "boolean", "")),
    }


def test_a_node_given_twice_is_merged_as_pyld_merges_it() -> None:
    organisation = {"id": "https://n.example/organisations/o", "type": "Organization", "name": "O"}
    document = {
        "@context": published_context(),
        "id": "https://n.example/projects/p",
        "name": "P",
        "attributedTo": organisation,
        "generator": [copy.deepcopy(organisation), {"id": "https://n.example/projects/p", "name": "P"}],
    }
    assert len(_assert_same_triples(document)) == 6


def test_a_value_given_twice_is_kept_once() -> None:
    document = {
        "@context": published_context(),
        "id": "https://n.example/projects/p",
        "areas": ["area:maker", "https://w3id.org/dsi4bcn/area/maker"],
        "nameMap": {"ca": ["Taller", "Taller"], "CA": "Taller"},
        "location": {"latitude": 41, "longitude": 41.0, "altitude": "41", "radius": [True, "true"]},
        "as:latitude": [1.5, 1.50],
    }
    assert len(_assert_same_triples(document)) == 8
    assert len(reference_triples(document)) == 9  # pyld lists radius "true"^^xsd:float twice


def test_document_triples_says_which_path_it_took() -> None:
    published = copy.deepcopy(_demo_actors()[0])
    triples, fast = document_triples(published)
    assert fast and _canonical(triples) == _canonical(reference_triples(published))
    other = {**published, "@context": [AS_CONTEXT, SECURITY_CONTEXT, {"x": "https://x.example/ns#x"}]}
    triples, fast = document_triples(other)
    assert not fast and _canonical(triples) == _canonical(reference_triples(other))


def test_the_input_is_left_as_it_was() -> None:
    document = copy.deepcopy(_demo_actors()[-1])
    before = copy.deepcopy(document)
    fast_triples(document)
    assert document == before


def test_the_dsi4bcn_context_by_its_identifier_is_also_fast() -> None:
    document = {**copy.deepcopy(_demo_actors()[1]), "@context": [AS_CONTEXT, SECURITY_CONTEXT, DSI_CONTEXT_URL]}
    _assert_same_triples(document)


# --- randomised profiles ----------------------------------------------------------------------------------

_ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789",
    "àèéíïòóúüç·ŀ l·l ñ¿¡ «»",
    "漢字かなカナ한국어",
    "שלום مرحبا",
    "🙂🚲🌍‍👩‍🔧",
    "e\u0301 \u00a0\u2009\t\n\r\u2028",
    "\"'<>&\\/{}[]",
)
_LANGUAGES = ("ca", "es", "en", "fr", "oc", "pt-BR", "zh-Hant", "EN", "ca-valencia")
_NUMBERS: tuple[float, ...] = (
    41.4,
    41,
    41.0,
    2.17345,
    -0.0,
    0,
    1e-7,
    90,
    -90.0,
    0.1 + 0.2,
    41.38879999999999,
    1.5e300,
    123456789012345678,
    -2.5e-308,
)


def _text(rng: random.Random, longest: int) -> str:
    alphabet = "".join(rng.sample(_ALPHABETS, rng.randint(1, 3)))
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest))).strip() or "x"


def _text_map(rng: random.Random, longest: int) -> dict[str, str]:
    languages = rng.sample(_LANGUAGES, rng.randint(1, 4))
    return {language: _text(rng, longest) for language in languages}


def _number(rng: random.Random) -> float:
    choice = rng.random()
    if choice < 0.5:
        return rng.choice(_NUMBERS)
    if choice < 0.7:
        return round(rng.uniform(-90, 90), rng.randint(0, 7))
    if choice < 0.85:
        return rng.randint(-180, 180)
    return rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-20, 20)


def _concepts(rng: random.Random, scheme: str, codes: tuple[str, ...]) -> list[str]:
    chosen = [f"{scheme}:{code}" for code in rng.sample(codes, rng.randint(0, len(codes)))]
    if chosen and rng.random() < 0.3:
        chosen.append(rng.choice(chosen))  # a repeat
    if chosen and rng.random() < 0.3:
        chosen.append(chosen[0].replace(f"{scheme}:", f"https://w3id.org/dsi4bcn/{scheme}/"))  # the same, in full
    return chosen


def _random_fields(rng: random.Random, kind: Kind) -> dict[str, Any]:
    optional: dict[str, Callable[[], Any]] = {
        "summaryMap": lambda: _text_map(rng, 300),
        "areas": lambda: _concepts(rng, "area", ("maker", "open-data", "open-hardware", "citizen-science")),
        "needs": lambda: _concepts(rng, "skill", ("web-development", "funding", "volunteers")),
        "offers": lambda: _concepts(rng, "skill", ("3d-printing", "workshop-space")),
        "sdgs": lambda: _concepts(rng, "sdg", ("1", "4", "11", "12", "17")),
        "basedIn": lambda: rng.choice(["district:1", "district:10", "neighbourhood:68", "neighbourhood:7"]),
        "location": lambda: {
            "type": "Place",
            "latitude": _number(rng),
            "longitude": _number(rng),
            **({"name": _text(rng, 40)} if rng.random() < 0.6 else {}),
        },
        "website": lambda: rng.choice(["https://x.example/", "http://y.example/a/b?c=d#e", "https://z.example"]),
        "email": lambda: rng.choice(["hola@x.example", "a.b+c@y.example"]),
        "telephone": lambda: rng.choice(["+34 933 000 000", "93 000 00 00", "(+34) 600.00.00.00"]),
        "icon": lambda: "https://img.example/" + rng.choice(["a.png", "b.JPG", "c.webp", "d", "e.svg", "f.tiff"]),
        "manuallyApprovesFollowers": lambda: rng.random() < 0.5,
        "discoverable": lambda: rng.random() < 0.5,
        "indexable": lambda: rng.random() < 0.5,
    }
    if kind == "organisation":
        optional["sectors"] = lambda: _concepts(rng, "sector", ("civil-society", "public", "private"))
        optional["foundingDate"] = lambda: f"{rng.randint(1900, 2024)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}"
    else:
        optional["projectStatus"] = lambda: rng.choice(["status:active", "status:finished", "status:paused"])
        optional["startDate"] = lambda: "2020-01-31"
        optional["endDate"] = lambda: "2029-12-01"
    fields: dict[str, Any] = {"nameMap": _text_map(rng, 60)}
    for name, make in optional.items():
        if rng.random() < 0.55:
            fields[name] = make()
    return fields


def _activitystreams_extras(rng: random.Random) -> dict[str, Any]:
    """Terms a peer may add that the fast path still reads: nested objects, compact IRIs, numbers."""
    extras: dict[str, Any] = {
        "tag": [
            {"type": "Mention", "href": "https://other.example/@ana", "name": "@ana@other.example"},
            {"type": "as:Hashtag", "href": "https://node.example/tags/maker", "name": "#maker"},
        ],
        "image": {"type": "Image", "url": "https://img.example/banner.png", "width": 1200, "height": 400},
        "to": ["as:Public", "https://node.example/projects/x/followers"],
        "attributedTo": {"id": "https://node.example/organisations/ateneu"},
        "alsoKnownAs": [],
        "summary": None,
        "as:sensitive": rng.random() < 0.5,
        "http://schema.org/description": _text(rng, 30),
        "totalItems": rng.randint(0, 10**6),
        "content": _text(rng, 80),
        "contentMap": _text_map(rng, 80),
    }
    return {key: value for key, value in extras.items() if rng.random() < 0.4}


def _random_document(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    kind: Kind = rng.choice(KINDS)
    organisation = "ateneu" if kind == "project" and rng.random() < 0.8 else None
    document = _publish(
        _record(kind, f"actor-{seed}", _random_fields(rng, kind), organisation), rng.choice(("ca", "es", "en"))
    )
    document.update(_activitystreams_extras(rng))
    if rng.random() < 0.2:
        document["type"] = [*document["type"], "as:Service", document["type"][0]]
    return document


@pytest.mark.parametrize("seed", range(200))
def test_randomised_profiles_give_pyld_s_triples(seed: int) -> None:
    _assert_same_triples(_random_document(seed))


def test_doubles_are_written_as_pyld_writes_them() -> None:
    # Given many floats in a coerced and an uncoerced position
    rng = random.Random(7)
    values = [*_NUMBERS, *(_number(rng) for _ in range(300)), 5e-324, 1.7976931348623157e308, 1e20, 99e20]
    document = {
        "@context": published_context(),
        "id": "https://n.example/x",
        "tag": [{"latitude": value, "as:value": value} for value in values if not math.isnan(value)],
    }
    # Then both paths agree on every lexical form
    _assert_same_triples(document)


# --- documents the fast path leaves to pyld ---------------------------------------------------------------


def _changed_context() -> list[Any]:
    context = dsi_context()
    context["areas"] = {"@id": "dsi:somethingElse", "@type": "@id", "@container": "@set"}
    return [AS_CONTEXT, SECURITY_CONTEXT, context]


_LEFT_TO_PYLD: dict[str, Callable[[dict[str, Any]], None]] = {
    "an unknown term": lambda d: d.update(colour="blue"),
    "a changed inline context": lambda d: d.update({"@context": _changed_context()}),
    "an inline context with a number for a string": lambda d: d["@context"][2].update(xsd=1),
    "no context": lambda d: d.pop("@context"),
    "the inline context alone": lambda d: d.update({"@context": dsi_context()}),
    "a list-container term": lambda d: d.update(orderedItems=["https://x.example/1"]),
    "@graph": lambda d: d.update({"@graph": [{"id": "https://x.example/g", "name": "g"}]}),
    "@reverse": lambda d: d.update({"@reverse": {"as:attributedTo": {"id": "https://x.example/r"}}}),
    "@included": lambda d: d.update({"@included": [{"id": "https://x.example/i", "name": "i"}]}),
    "@id written as a keyword": lambda d: d.update({"@id": d["id"]}),
    "a value object": lambda d: d.update(name={"@value": "x", "@language": "ca"}),
    "a nested @context": lambda d: d["endpoints"].update({"@context": {"x": "https://x.example/ns#"}}),
    "a relative IRI for an @id-typed term": lambda d: d.update(website="about/us"),
    "a relative IRI for a concept": lambda d: d.update(areas=["open-data"]),
    "an IRI with a space": lambda d: d.update(website="https://x.example/a b"),
    "a relative id": lambda d: d.update(id="projects/x"),
    "a blank node id": lambda d: d["publicKey"].update(id="_:key"),
    "a null id": lambda d: d.update(id=None),
    "an unknown type": lambda d: d.update(type=["Group", "Collective"]),
    "a type that is a keyword alias": lambda d: d.update(type="id"),
    "a nested array": lambda d: d.update(areas=[["area:maker"]]),
    "a language map of numbers": lambda d: d.update(nameMap={"ca": 1}),
    "a language map keyed @none": lambda d: d.update(nameMap={"@none": "x"}),
    "a string for a language map": lambda d: d.update(nameMap="x"),
    "NaN": lambda d: d.update(location={"latitude": float("nan"), "longitude": 2.0}),
    "infinity": lambda d: d.update(location={"latitude": float("inf"), "longitude": 2.0}),
    "a huge integer": lambda d: d.update(totalItems=10**21),
    "a compact IRI key of a blank node": lambda d: d.update({"_:x": "y"}),
    "a keyword-looking key": lambda d: d.update({"@foo": "y"}),
}


@pytest.mark.parametrize("change", sorted(_LEFT_TO_PYLD))
def test_documents_outside_the_shape_are_left_to_pyld(change: str) -> None:
    document = copy.deepcopy(_demo_actors()[5])
    _LEFT_TO_PYLD[change](document)
    assert fast_triples(document) is None
    try:
        triples, fast = document_triples(document)
    except JsonLdError:
        return  # pyld refuses it: either way, no triples from the fast path
    assert not fast
    assert _canonical(triples) == _canonical(reference_triples(document))


def test_a_remote_context_is_refused_by_both_paths() -> None:
    document = copy.deepcopy(_demo_actors()[0])
    document["@context"] = [AS_CONTEXT, SECURITY_CONTEXT, "https://evil.example/context.jsonld", dsi_context()]
    assert fast_triples(document) is None
    with pytest.raises(JsonLdError):
        reference_triples(document)
    with pytest.raises(JsonLdError):
        document_triples(document)


def test_a_mapping_that_is_not_a_dict_is_read_as_a_dict() -> None:
    document = MappingProxyType(copy.deepcopy(_demo_actors()[0]))
    fast = fast_triples(document)
    assert fast is not None and _canonical(fast) == _canonical(reference_triples(document))
    nested = {**copy.deepcopy(_demo_actors()[0]), "icon": MappingProxyType({"type": "Image", "url": "https://x/i"})}
    assert fast_triples(nested) is None  # pyld does not read a nested mapping as an object


@pytest.mark.parametrize("seed", range(60))
def test_a_random_change_gives_pyld_s_triples_or_none(seed: int) -> None:
    # Given a random profile with one or two random changes, some harmless and some not
    rng = random.Random(1000 + seed)
    document = _random_document(seed)
    for change in rng.sample(sorted(_LEFT_TO_PYLD), rng.randint(1, 2)):
        if change not in ("a changed inline context", "the inline context alone", "no context"):
            _LEFT_TO_PYLD[change](document)
    # When both paths read it
    fast = fast_triples(document)
    try:
        reference = reference_triples(document)
    except JsonLdError:
        # Then what pyld refuses the fast path never takes
        assert fast is None
        return
    # Then the fast path either steps aside or agrees with pyld
    assert fast is None or _canonical(fast) == _canonical(reference)
