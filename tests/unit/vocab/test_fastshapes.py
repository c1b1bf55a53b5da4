"""The compiled SHACL validator agrees with pyshacl, and refuses shapes it cannot check.

Agreement is checked on a corpus: every demo profile published as an actor, the complete project of
``test_shapes.py``, and a few hundred seeded mutations of them. Both validators see the same rdflib graph
(``vocab.rdf.jsonld_to_graph``) and must agree on ``conforms`` and on the set of ``(focus, path,
value)`` of their results, which includes the results nested under a failed ``sh:node``.

One intentional difference in the report: pyshacl folds the ``sh:node`` values of one shape into a single
result ("must conform to every Shape in (dsish:Actor, dsish:DsiProfile)"); SHACL makes each ``sh:node``
value its own constraint, so ``vocab.fastshapes`` gives one result per failed shape ("does not conform to
shape dsish:Actor"). Those results share their focus, path and value, so sets of them still compare.
The other differences are where pyshacl strays from SHACL; see ``_DIFFERENCES`` below.
"""

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from dsi4bcn.demo import demo_profiles
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.documents import render_actor
from tests.unit.vocab.test_shapes import _project
from vocab.contexts import proposal_context
from vocab.fastshapes import UnsupportedShapes, compile_shapes, to_term, validate_graph, validate_triples
from vocab.graph import read_text
from vocab.rdf import jsonld_to_graph
from vocab.shapes import ValidationResult
from vocab.shapes import validate as pyshacl_validate

PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"
BASE = "https://node.example"
Document = dict[str, Any]
_AS = "https://www.w3.org/ns/activitystreams#"
_DSI = "https://w3id.org/dsi4bcn/ns#"
_ORG = "http://www.w3.org/ns/org#"
_ORG_TYPE = "org:Organization"


def _published_demo() -> list[Document]:
    """Every demo organisation and project, rendered as the actor document a node publishes."""
    documents: list[Document] = []
    for kind, slug, fields, organisation in demo_profiles(BASE):
        record = ActorRecord(kind, slug, organisation, fields, PEM, "2024-01-01T00:00:00Z", "2024-02-01T10:00:00Z")
        documents.append(render_actor(record, base_url=BASE, authority="node.example", language="ca"))
    return documents


# --- Mutations: each takes a document and a random source, changes the document, says what it did ----------

_BAD: dict[str, list[Any]] = {
    "preferredUsername": ["Not Valid", "-abc", "abc-", "", "ABC", "a" * 64, "ñandú", "a_b", 42, ["abc", "abd"]],
    "name": [[], {"@value": "x", "@type": "xsd:date"}, ["One", "Two"]],
    "inbox": [{"@value": "not an iri"}, [f"{BASE}/a", f"{BASE}/b"], 42, {"type": "Collection"}],
    "outbox": [{"@value": "not an iri"}, [f"{BASE}/a", f"{BASE}/b"], []],
    "followers": [{"@value": "x"}, [f"{BASE}/a", f"{BASE}/b"]],
    "following": [{"@value": "x"}, True],
    "url": [{"@value": "https://node.example/@x"}, [f"{BASE}/a", f"{BASE}/b"]],
    "organisation": [{"@value": f"{BASE}/organisations/x"}, [f"{BASE}/organisations/a", f"{BASE}/organisations/b"]],
    "website": [{"@value": "https://example.org"}, ["https://a.example", "https://b.example"]],
    "icon": [
        {"type": "Image"},
        {"type": "Image", "url": {"@value": "https://img.example/a.png"}},
        [{"type": "Image", "url": "https://img.example/a.png"}, {"type": "Image", "url": "https://img.example/b.png"}],
        "https://img.example/a.png",
    ],
    "image": [
        {"type": "Image"},
        {"type": "Image", "url": {"@value": "https://img.example/header.png"}},
        [{"type": "Image", "url": "https://img.example/a.png"}, {"type": "Image", "url": "https://img.example/b.png"}],
    ],
    "location": [
        {"type": "Place", "latitude": 91, "longitude": 2},
        {"type": "Place", "latitude": -90.5, "longitude": 2},
        {"type": "Place", "latitude": 41, "longitude": 181},
        {"type": "Place", "latitude": 41, "longitude": -180.01},
        {"type": "Place", "latitude": 90, "longitude": -180},
        {"type": "Place", "latitude": "north", "longitude": 2},
        {"type": "Place", "latitude": {"@value": "41.4"}, "longitude": 2},
        {"type": "Place", "latitude": 41},
        {"type": "Place", "latitude": [41, 42], "longitude": 2},
        [{"type": "Place", "latitude": 41, "longitude": 2}, {"type": "Place", "latitude": 42, "longitude": 2}],
        "https://places.example/barcelona",
    ],
    "areas": [["skill:web-development"], ["area:nonexistent"], [{"@value": "area:maker"}], ["sdg:4", "area:maker"]],
    "needs": [["area:maker"], ["sdg:4"], ["skill:nonexistent"]],
    "offers": [["status:active"], ["skill:web-development", "sector:public-sector"]],
    "sdgs": [["sdg:18"], ["sdg:0"], ["area:maker"], [{"@value": "sdg:4"}]],
    "sectors": [["status:active"], [], ["sector:nope"], ["area:maker", "sector:civil-society"]],
    "basedIn": ["sdg:4", "district:99", ["district:1", "district:2"], "neighbourhood:1", "area:maker"],
    "projectStatus": ["sdg:1", ["status:active", "status:idea"], "status:done", {"@value": "status:active"}],
    "startDate": ["soon", "2024-13-01", "2023-02-29", "2024-1-1", ["2024-01-01", "2024-01-02"], "2024-02-29"],
    "endDate": ["yesterday", "2024-04-31", ["2025-01-01", "2026-01-01"]],
    "foundingDate": ["1999", "2024-02-30", ["1990-01-01", "1991-01-01"], "12/03/1999"],
    "published": ["yesterday", "2024-13-01T00:00:00Z", "2024-02-30T10:00:00Z", ["2024-01-01T00:00:00Z"] * 2],
    "updated": ["2024-01-01T25:00:00Z", ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"], "now"],
    "email": ["nope", "a@b@c", "with space@example.org", ["a@b.example", "c@d.example"], "@example.org"],
}
_TYPES: list[Any] = [
    ["Group", "Project", "Person"],
    ["Group", "Project", "org:Organization"],
    ["Group", "Project", "Organization"],
    ["Organization", "org:Organization", "Project"],
    ["Organization"],
    ["Group"],
    "org:Organization",
    "Project",
]


_CALL_ID = f"{BASE}/calls/3d-printing-fair"


def _intent(**changes: Any) -> Document:
    intent: Document = {
        "id": f"{_CALL_ID}#primary",
        "type": "Intent",
        "action": "deliverService",
        "resourceConformsTo": ["skill:3d-printing"],
        "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "2"},
    }
    intent.update(changes)
    return intent


def _call() -> Document:
    """A call for collaboration as a node publishes it: an FEP-0837 proposal with dsi4bcn terms."""
    return {
        "@context": proposal_context(),
        "id": _CALL_ID,
        "type": ["Proposal", "Note"],
        "purpose": "request",
        "attributedTo": f"{BASE}/actors/fem-barri",
        "nameMap": {"ca": "Voluntàries d'impressió 3D per a la fira"},
        "publishes": _intent(),
        "reciprocal": {
            "id": f"{_CALL_ID}#reciprocal",
            "type": "Intent",
            "action": "transfer",
            "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": "1200"},
        },
        "hasBeginning": "2026-12-01T09:00:00Z",
        "hasEnd": "2026-12-15T20:00:00Z",
        "deadline": "2026-12-10T12:00:00Z",
        "basedIn": "neighbourhood:08",
        "location": {"type": "Place", "latitude": 41.38, "longitude": 2.17},
        "published": "2026-11-30T10:00:00Z",
        "updated": "2026-11-30T11:00:00Z",
    }


_BAD_CALL: dict[str, list[Any]] = {
    "purpose": ["gift", ["offer", "request"], 3],
    "attributedTo": [{"@value": f"{BASE}/actors/x"}, [f"{BASE}/actors/a", f"{BASE}/actors/b"]],
    "nameMap": [{}],
    "publishes": [
        f"{_CALL_ID}#elsewhere",
        [_intent(), _intent(id=f"{_CALL_ID}#second")],
        _intent(action="give"),
        _intent(action=["transfer", "use"]),
        _intent(type="Commitment"),
        _intent(resourceConformsTo=[{"@value": "3d printing"}]),
        _intent(resourceQuantity={"hasNumericalValue": 2}),
        _intent(resourceQuantity={"hasUnit": ["one", "hour"], "hasNumericalValue": "-1"}),
        _intent(resourceQuantity={"hasUnit": "one", "hasNumericalValue": "two"}),
        _intent(resourceQuantity=[{"hasUnit": "one"}, {"hasUnit": "hour"}]),
    ],
    "reciprocal": [[_intent(id=f"{_CALL_ID}#r1"), _intent(id=f"{_CALL_ID}#r2")], _intent(action=None)],
    "hasBeginning": ["tomorrow", ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"]],
    "hasEnd": ["2026-02-30T00:00:00Z"],
    "deadline": ["soon", ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"]],
    "basedIn": ["skill:3d-printing", ["district:01", "district:02"]],
    "location": [
        {"type": "Place", "latitude": 95, "longitude": 2},
        [{"type": "Place", "latitude": 41, "longitude": 2}] * 2,
    ],
    "published": ["yesterday"],
    "updated": [["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]],
}


def _call_cases() -> list[tuple[str, Document]]:
    """The call as published, and one mutant for each bad value of ``_BAD_CALL``."""
    cases: list[tuple[str, Document]] = [("call", _call())]
    for key, values in _BAD_CALL.items():
        for value in values:
            document = _call()
            document[key] = copy.deepcopy(value)
            cases.append((f"call {key}={value!r}"[:80], document))
    untitled = _call()
    del untitled["nameMap"]
    return [*cases, ("call without a title", untitled)]


def _drop(document: Document, rng: random.Random) -> str:
    key = rng.choice(sorted(k for k in document if k != "@context"))
    del document[key]
    return f"drop {key}"


def _replace(document: Document, rng: random.Random) -> str:
    key = rng.choice(sorted(_BAD))
    document[key] = copy.deepcopy(rng.choice(_BAD[key]))
    return f"{key}={document[key]!r}"[:80]


def _duplicate(document: Document, rng: random.Random) -> str:
    keys = sorted(k for k, v in document.items() if isinstance(v, str) and k not in ("@context", "id", "type"))
    key = rng.choice(keys)
    document[key] = [document[key], document[key] + ("2" if ":" in document[key] else "x")]
    return f"two {key}"


def _retype(document: Document, rng: random.Random) -> str:
    document["type"] = copy.deepcopy(rng.choice(_TYPES))
    return f"type={document['type']}"


def _key_variants(actor: str) -> list[Any]:
    key = f"{actor}#main-key"
    return [
        {"id": key, "publicKeyPem": PEM},
        {"id": key, "owner": {"@value": actor}, "publicKeyPem": PEM},
        {"id": key, "owner": [actor, f"{BASE}/someone-else"], "publicKeyPem": PEM},
        {"id": key, "owner": actor},
        {"id": key, "owner": actor, "publicKeyPem": "not a key"},
        {"id": key, "owner": actor, "publicKeyPem": 42},
        {"id": key, "owner": actor, "publicKeyPem": [PEM, PEM + "x"]},
        {"owner": actor, "publicKeyPem": PEM},
        key,
        [{"id": key, "owner": actor, "publicKeyPem": PEM}, {"id": key + "2", "publicKeyPem": PEM}],
    ]


def _break_key(document: Document, rng: random.Random) -> str:
    document["publicKey"] = rng.choice(_key_variants(document.get("id", f"{BASE}/nobody")))
    return f"publicKey={document['publicKey']!r}"[:80]


def _blank_actor(document: Document, _rng: random.Random) -> str:
    document.pop("id", None)
    return "no id (the actor is a blank node)"


_MUTATIONS: list[Callable[[Document, random.Random], str]] = [
    _drop,
    _replace,
    _replace,
    _replace,
    _duplicate,
    _retype,
    _break_key,
    _blank_actor,
]


def _subclassed(document: Document, superclass: str, types: list[str]) -> Document:
    """The actor typed with a class of its own, declared in the same document as a subclass."""
    context = document.pop("@context")
    document["type"] = ["https://types.example/Special", *types]
    declaration = {"id": "https://types.example/Special", "rdfs:subClassOf": {"id": superclass}}
    extra_context = {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    return {"@context": [*context, extra_context], "@graph": [document, declaration]}


def _corpus() -> list[tuple[str, Document]]:
    """Unchanged documents; each listed mutation once; documents of a subclass; seeded random mutants."""
    published = _published_demo()
    bases = [*published, _project()]
    cases = [(f"demo {d['preferredUsername']}", d) for d in published] + [("test_shapes project", _project())]
    project = next(d for d in published if "Project" in d["type"])
    organisation = next(d for d in published if "org:Organization" in d["type"])

    def changed(base: Document, key: str, value: Any) -> tuple[str, Document]:
        document = copy.deepcopy(base)
        document[key] = copy.deepcopy(value)
        return f"{key}={value!r}"[:80], document

    for key, values in _BAD.items():
        base = organisation if key in ("sectors", "foundingDate") else project
        cases += [changed(base, key, value) for value in values]
    cases += [changed(project, "publicKey", value) for value in _key_variants(project["id"])]
    cases += [changed(base, "type", value) for value in _TYPES for base in (project, organisation)]
    nameless = {k: v for k, v in project.items() if k not in ("name", "nameMap")}
    cases += [
        ("no name in any language", nameless),
        ("project by subclass", _subclassed(copy.deepcopy(project), _DSI + "Project", ["Group"])),
        ("organisation by subclass", _subclassed(copy.deepcopy(organisation), _ORG + "Organization", [])),
        ("as:Organization by subclass", _subclassed(copy.deepcopy(organisation), _AS + "Organization", [_ORG_TYPE])),
        ("project without areas by subclass", _subclassed(_project(areas=None), _DSI + "Project", [])),
    ]
    cases += _call_cases()
    rng = random.Random(20240601)
    end = len(cases) + 160
    while len(cases) < end:
        document = copy.deepcopy(rng.choice(bases))
        done = [rng.choice(_MUTATIONS)(document, rng) for _ in range(rng.choice((1, 1, 2)))]
        # Not parsed here (160 documents, 5 s in every pytest worker's collection): a mutant that were not
        # JSON-LD would fail its test_agrees_with_pyshacl with the parser's error.
        cases.append((f"{document.get('preferredUsername', '?')}: {'; '.join(done)}", document))
    return cases


_CORPUS = _corpus()
_SHAPE_MESSAGES = {
    str(m) for m in Graph().parse(data=read_text("shapes.ttl"), format="turtle").objects(None, SH.message)
}


def _both(document: Document) -> tuple[ValidationResult, ValidationResult]:
    graph = jsonld_to_graph(copy.deepcopy(document))
    return pyshacl_validate(graph), validate_graph(graph)


def _results(result: ValidationResult) -> set[tuple[str, str, str]]:
    return {(v.focus, v.path, v.value) for v in result.violations}


@pytest.mark.parametrize(("description", "document"), _CORPUS, ids=[f"{i}" for i in range(len(_CORPUS))])
def test_agrees_with_pyshacl(description: str, document: Document) -> None:
    expected, actual = _both(document)
    assert actual.conforms == expected.conforms, description
    assert _results(actual) == _results(expected), description
    given = {(v.focus, v.path, v.message) for v in actual.violations}
    for violation in expected.violations:
        if violation.message in _SHAPE_MESSAGES:
            assert (violation.focus, violation.path, violation.message) in given


def test_the_corpus_exercises_every_property_shape() -> None:
    failing = 0
    paths: set[str] = set()
    for _description, document in _CORPUS:
        result = validate_graph(jsonld_to_graph(copy.deepcopy(document)))
        failing += not result.conforms
        paths |= {v.path for v in result.violations}
    shapes = Graph().parse(data=read_text("shapes.ttl"), format="turtle")
    declared = {str(p) for p in shapes.objects(None, SH.path)}
    assert len(_CORPUS) - 26 >= 300  # mutants beside the 25 demo profiles and the test_shapes project
    assert failing >= 200 and len(_CORPUS) - failing >= 50  # both verdicts are well represented
    assert declared <= paths, declared - paths


def test_published_demo_profiles_conform() -> None:
    for document in _published_demo():
        result = validate_graph(jsonld_to_graph(document))
        assert result.conforms, [str(v) for v in result.violations]


# --- The tuple API ------------------------------------------------------------------------------------------


def _as_tuples(graph: Graph) -> list[tuple[tuple[str, ...], ...]]:
    """Terms the way a streaming parser may give them: ``_:`` labels, plain literals without a datatype."""
    triples = []
    for s, p, o in graph:
        terms = [to_term(t) for t in (s, p, o)]
        terms = [("blank", "_:" + t[1]) if t[0] == "blank" else t for t in terms]
        obj = terms[2]
        if obj[0] == "literal" and obj[2] == "http://www.w3.org/2001/XMLSchema#string":
            obj = ("literal", obj[1], "", obj[3])
        triples.append((terms[0], terms[1], obj))
    return triples * 2  # a graph is a set: repeated triples count once


@pytest.mark.parametrize("index", range(0, len(_CORPUS), 7))
def test_triples_and_graph_agree(index: int) -> None:
    graph = jsonld_to_graph(copy.deepcopy(_CORPUS[index][1]))
    assert validate_triples(_as_tuples(graph)) == validate_graph(graph)


def _triples(graph: Graph) -> list[tuple[tuple[str, ...], ...]]:
    return [(to_term(s), to_term(p), to_term(o)) for s, p, o in graph]


def _with(graph: Graph, subject: str, predicate: str, obj: tuple[str, ...]) -> list[tuple[tuple[str, ...], ...]]:
    """The graph's triples with every ``subject predicate ?o`` replaced by ``subject predicate obj``."""
    kept = [t for t in _triples(graph) if not (t[0] == ("iri", subject) and t[1] == ("iri", predicate))]
    return [*kept, (("iri", subject), ("iri", predicate), obj)]


_ACTOR = f"{BASE}/projects/taller"
_XSD = "http://www.w3.org/2001/XMLSchema#"
# Where pyshacl strays from SHACL (its regexes are Python's, its datatypes rdflib's) and this validator does
# not: (property, value given to the actor, verdict of vocab.fastshapes; pyshacl's is the opposite).
_DIFFERENCES = [
    # XPath's $ is the end of the string; Python's also matches before a final newline.
    (_AS + "preferredUsername", ("literal", "taller\n", _XSD + "string", ""), False),
    # XPath's \s is space, tab, newline, carriage return; a no-break space is not one.
    ("http://schema.org/email", ("literal", "a\u00a0b@example.org", _XSD + "string", ""), True),
    # The lexical space of xsd:dateTime has no date-only or space-separated forms (rdflib reads both) ...
    (_AS + "published", ("literal", "2024-01-01", _XSD + "dateTime", ""), False),
    (_AS + "published", ("literal", "2024-01-01 10:00:00", _XSD + "dateTime", ""), False),
    # ... but it has end-of-day 24:00:00 (rdflib refuses it).
    (_AS + "published", ("literal", "2024-01-01T24:00:00Z", _XSD + "dateTime", ""), True),
]
# Where both follow SHACL.
_AGREEMENTS = [
    # A plain string is not a date, whatever it looks like.
    ("http://schema.org/startDate", ("literal", "2024-01-01", _XSD + "string", ""), False),
    # A language-tagged string is not an xsd:string.
    (_AS + "preferredUsername", ("literal", "taller", "", "ca"), False),
    # The longest username the pattern allows.
    (_AS + "preferredUsername", ("literal", "a" * 63, _XSD + "string", ""), True),
]


def _rdflib_graph(triples: list[tuple[tuple[str, ...], ...]]) -> Graph:
    """The tuples as rdflib terms, literals built from their lexical form (as a Turtle parser would)."""

    def node(term: tuple[str, ...]) -> Node:
        if term[0] == "iri":
            return URIRef(term[1])
        if term[0] == "blank":
            return BNode(term[1])
        if term[3]:
            return Literal(term[1], lang=term[3])
        return Literal(term[1], datatype=URIRef(term[2]) if term[2] != _XSD + "string" else None)

    graph = Graph()
    for s, p, o in triples:
        graph.add((node(s), node(p), node(o)))
    return graph


@pytest.mark.parametrize(("predicate", "obj", "conforms"), _DIFFERENCES + _AGREEMENTS)
def test_follows_shacl(predicate: str, obj: tuple[str, ...], conforms: bool) -> None:
    triples = _with(jsonld_to_graph(_project()), _ACTOR, predicate, obj)
    result = validate_triples(triples)
    assert result.conforms is conforms, [str(v) for v in result.violations]
    assert conforms or any(v.path == predicate for v in result.violations)
    pyshacl_conforms = pyshacl_validate(_rdflib_graph(triples)).conforms
    assert pyshacl_conforms is (conforms if (predicate, obj, conforms) in _AGREEMENTS else not conforms)


def test_reports_like_vocab_shapes() -> None:
    result = validate_graph(jsonld_to_graph(_project(basedIn="sdg:4")))
    sdg = "https://w3id.org/dsi4bcn/sdg/4"
    assert {(v.focus, v.path, v.value, v.message) for v in result.violations} == {
        (_ACTOR, "https://w3id.org/dsi4bcn/ns#basedIn", sdg, "does not conform to shape dsish:TerritoryConcept"),
        (_ACTOR, "", _ACTOR, "does not conform to shape dsish:DsiProfile"),
        (sdg, "", sdg, "not a Barcelona district or neighbourhood"),
    }


def test_the_data_can_say_more_about_a_concept() -> None:
    # Concept verdicts are cached per scheme node, but not when the data itself describes the node.
    graph = jsonld_to_graph(_project(basedIn="sdg:4"))
    assert not validate_graph(graph).conforms
    sdg = ("iri", "https://w3id.org/dsi4bcn/sdg/4")
    in_scheme = ("iri", "http://www.w3.org/2004/02/skos/core#inScheme")
    extra = (sdg, in_scheme, ("iri", "https://w3id.org/dsi4bcn/district"))
    assert validate_triples([*_triples(graph), extra]).conforms
    assert not validate_graph(graph).conforms


# --- Compilation refuses what it does not implement -----------------------------------------------------


def _compile_with(extra: str) -> None:
    shapes = Graph().parse(data=read_text("shapes.ttl") + extra, format="turtle")
    compile_shapes(shapes)


def test_the_bundled_shapes_compile() -> None:
    _compile_with("")


@pytest.mark.parametrize(
    "extra",
    [
        "dsish:Actor sh:property [ sh:path as:name ; sh:minLength 1 ] .",
        "dsish:Actor sh:targetNode <https://node.example/x> .",
        "dsish:Place sh:closed true .",
        "dsish:Image sh:property [ sh:path ( as:url as:href ) ; sh:minCount 1 ] .",
        "dsish:Image sh:property [ sh:path [ sh:inversePath as:icon ] ; sh:minCount 1 ] .",
        'dsish:Actor sh:property [ sh:path as:name ; sh:pattern "^a" ; sh:flags "i" ] .',
        'dsish:Actor sh:property [ sh:path as:name ; sh:pattern "^\\\\p{L}+$" ] .',
        'dsish:Actor sh:property [ sh:path as:name ; sh:pattern "^(?i)a" ] .',
        "dsish:Actor sh:property [ sh:path as:name ; sh:datatype xsd:gYear ] .",
        'dsish:Actor sh:property [ sh:path as:name ; sh:minInclusive "a" ] .',
        "dsish:Actor sh:property [ sh:path as:name ; sh:node dsish:Nowhere ] .",
        "dsish:Actor sh:property [ sh:path as:name ; sh:severity sh:Warning ] .",
        "dsish:Actor sh:deactivated true .",
        "dsish:Actor sh:node dsish:Loop . dsish:Loop a sh:NodeShape ; sh:node dsish:Actor .",
        "dsish:Place a rdfs:Class .",
        "dsish:Place sh:minCount 1 .",
        "dsish:Place sh:nodeKind sh:Nothing .",
        "dsish:Place sh:hasValue [ ] .",
        "dsish:Place sh:class [ ] .",
        'dsish:Actor sh:property [ sh:path as:name ; sh:pattern "^[a--]$" ] .',
        'dsish:Actor sh:property [ sh:path as:name ; sh:pattern "^[a-z-[aeiou]]$" ] .',
        'dsish:Actor sh:property [ sh:path as:name ; sh:pattern "^(a)\\\\1$" ] .',
        'dsish:Extra a sh:NodeShape ; sh:targetClass as:Note ; sh:sparql [ sh:select "SELECT $this {}" ] .',
        "dsish:Extra a sh:NodeShape ; sh:targetClass as:Note ; sh:xone ( dsish:Image dsish:Place ) .",
        "dsish:Extra a sh:NodeShape ; sh:targetClass as:Note ; rdfs:seeAlso <https://example.org> .",
        "<https://example.org/ontology> <http://www.w3.org/2002/07/owl#imports> <https://example.org/more> .",
    ],
)
def test_an_unknown_feature_is_refused(extra: str) -> None:
    with pytest.raises(UnsupportedShapes):
        _compile_with("\n" + extra + "\n")


def test_a_huge_number_is_out_of_range_not_a_crash() -> None:
    huge = {"@value": "9" * 5000, "@type": "xsd:integer"}
    graph = jsonld_to_graph(_project(location={"type": "Place", "latitude": huge, "longitude": 2}))
    result = validate_graph(graph)
    assert not result.conforms
    assert any(v.path == _AS + "latitude" for v in result.violations)


def test_blank_nodes_of_the_schemes_are_not_the_datas() -> None:
    # Merging graphs keeps their blank nodes apart, even when the labels are the same.
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:maxCount 0 ] .
        """,
        format="turtle",
    )
    mixin = Graph()
    mixin.add((BNode("b0"), URIRef("urn:p"), Literal("from the schemes")))
    compiled = compile_shapes(shapes, mixin)
    rdf_type = ("iri", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert compiled.validate_triples([(("blank", "b0"), rdf_type, ("iri", "urn:C"))]).conforms
    extra = (("blank", "b0"), ("iri", "urn:p"), ("literal", "from the data", "", ""))
    assert not compiled.validate_triples([(("blank", "b0"), rdf_type, ("iri", "urn:C")), extra]).conforms


def test_annotations_are_allowed() -> None:
    _compile_with('\ndsish:Place rdfs:comment "Where a profile is." ; sh:name "place" .\n')
