"""JSON-LD to RDF triples: fast for documents in the published shape, through pyld for everything else.

Nodes ingest each other's actor documents (``dsi4bcn.published``) by the thousand, and pyld, the reference
processor, converts a few hundred a second. ``fast_triples`` converts a document whose ``@context`` is made
only of the pinned contexts (ActivityStreams, security v1, the dsi4bcn terms inline or by their bundled
identifier) and whose keys are terms of that context (or compact or absolute IRIs), with no keyword but
``@context`` and the ``id`` and ``type`` aliases. What each term means (IRI, type coercion, container,
whether it may act as a prefix) is not written here: pyld's own context processing says, once per context.
The value rules copy pyld 3.3's ``_expand_value``, ``_expand_iri``, ``_expand_language_map`` and
``_object_to_rdf``, down to its canonical ``xsd:double`` form. Anything else (a remote or changed context, an
unknown term, a keyword, a relative IRI, a blank node identifier, a nested array or ``@context``, a
non-finite number) makes it return None, and ``document_triples`` then asks pyld.
``tests/unit/vocab/test_fastld.py`` shows both paths give the same triples up to blank-node names.
See https://www.w3.org/TR/json-ld11-api/#expansion-algorithm and #deserialize-json-ld-to-rdf-algorithm.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Final

from pyld import FrozenDocumentLoader, jsonld

from vocab.contexts import AS_CONTEXT, DSI_CONTEXT_URL, SECURITY_CONTEXT, document_loader, dsi_context

__all__ = ["Term", "Triple", "document_triples", "fast_triples", "reference_triples"]

# ("iri", value) | ("blank", label) | ("literal", lexical form, datatype IRI, language or "")
Term = tuple[str, ...]
Triple = tuple[Term, Term, Term]

XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN: Final = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER: Final = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DOUBLE: Final = "http://www.w3.org/2001/XMLSchema#double"
RDF_LANG_STRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TYPE_PREDICATE: Final[Term] = ("iri", _RDF_TYPE)

# pyld's ``_is_absolute_iri`` minus blank nodes and trailing newlines: an IRI pyld does not take as
# absolute it drops, or resolves against a made-up base (``http://example.org/base/``).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+-.]*:[^\s]*\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+-.]*\Z")
# Language-map keys we take; pyld takes any key and lower-cases it.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")
# pyld writes integers from this size on as doubles; we leave them to pyld.
_LARGE: Final = 10**21
# The context entries the fast path knows; _INLINE stands for the dsi4bcn terms written inline.
_KNOWN_CONTEXT_URLS: Final = frozenset({AS_CONTEXT, SECURITY_CONTEXT, DSI_CONTEXT_URL})
_INLINE: Final = ""
_MAX_CONTEXT_ENTRIES: Final = 4
_MEMO_LIMIT: Final = 20_000

# How the values of a term become RDF objects.
_PLAIN, _ID, _VOCAB, _TYPED, _LANGUAGE_MAP = range(5)
# The entries of a term definition (as pyld stores them) that the fast path understands.
_SIMPLE_ENTRIES = frozenset({"@id", "reverse", "protected", "_prefix", "_term_has_colon"})
_PROPERTY_ENTRIES = _SIMPLE_ENTRIES | {"@type", "@container"}


class _Unsupported(Exception):
    """The document is outside the shape the fast path converts."""


@dataclass(frozen=True, slots=True)
class _Table:
    """What one context means, read from pyld's active context."""

    # term -> (predicate, conversion, datatype IRI or "", whether another term names the same property)
    properties: dict[str, tuple[Term, int, str, bool]]
    id_key: str  # the alias of @id
    type_keys: frozenset[str]  # aliases of @type
    classes: dict[str, str]  # term -> IRI when used as a ``type`` value
    defined: frozenset[str]  # every term pyld defines (not to be read as a compact IRI)
    prefixes: dict[str, str]  # prefix -> namespace ("": refuse), for terms pyld lets act as prefixes
    none_keys: frozenset[str]  # language-map keys pyld expands to @none
    overlapping: frozenset[str]  # keys whose triples could repeat another key's

    # Memos, bounded: IRI or compact IRI -> its IRI term; language-map key -> its tag.
    iris: dict[str, Term] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _State:
    """What converting one document keeps track of."""

    blanks: int = 0
    repeats: bool = False  # a triple may have been produced twice
    subjects: set[Term] = field(default_factory=set)


@cache
def _loader() -> FrozenDocumentLoader:
    return document_loader()


@cache
def _inline_context() -> dict[str, Any]:
    return dsi_context()


def _string_leaves(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_string_leaves(item) for item in value.values())
    return type(value) is str


@cache
def _inline_is_plain() -> bool:
    """Whether ``==`` against the inline context is exact: only strings, which ``==`` never confuses."""
    return _string_leaves(_inline_context())


def _context_key(context: Any) -> tuple[str, ...] | None:
    """The context as a tuple of known URLs and ``_INLINE``, or None if it holds anything else."""
    entries = context if type(context) is list else [context]
    if not 0 < len(entries) <= _MAX_CONTEXT_ENTRIES:
        return None
    key: list[str] = []
    for entry in entries:
        if type(entry) is str and entry in _KNOWN_CONTEXT_URLS:
            key.append(entry)
        elif type(entry) is dict and _inline_is_plain() and entry == _inline_context():
            key.append(_INLINE)
        else:
            return None
    return tuple(key)


def _is_iri(value: Any) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.match(value) is not None


def _property(mapping: Mapping[str, Any]) -> tuple[Term, int, str] | None:
    """How the values of a term convert, or None if the fast path leaves the term to pyld."""
    if not mapping.keys() <= _PROPERTY_ENTRIES or mapping.get("reverse") or not _is_iri(mapping.get("@id")):
        return None
    predicate = ("iri", mapping["@id"])
    container = set(mapping.get("@container", ()))
    coercion = mapping.get("@type")
    if container == {"@language"}:
        return (predicate, _LANGUAGE_MAP, "") if coercion is None else None
    if not container <= {"@set"}:
        return None
    if coercion is None:
        return predicate, _PLAIN, ""
    if coercion == "@id":
        return predicate, _ID, ""
    if coercion == "@vocab":
        return predicate, _VOCAB, ""
    if _is_iri(coercion):
        return predicate, _TYPED, coercion
    return None


@cache
def _table(key: tuple[str, ...]) -> _Table | None:
    """Process the context named by ``key`` with pyld and tabulate its terms (None: not usable)."""
    context = [_inline_context() if entry == _INLINE else entry for entry in key]
    processor = jsonld.JsonLdProcessor()
    options = {"documentLoader": _loader(), "processingMode": "json-ld-1.1", "base": ""}
    try:
        active = processor.process_context(processor.process_context(None, None, options), context, options)
    except jsonld.JsonLdError:
        return None
    # A default language, direction or base would change how plain strings and relative IRIs convert.
    if any(name in active for name in ("@language", "@direction", "@base")):
        return None
    properties: dict[str, tuple[Term, int, str]] = {}
    id_keys: set[str] = set()
    type_keys: set[str] = set()
    classes: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    none_keys: set[str] = {"@none"}
    for term, mapping in active["mappings"].items():
        if mapping is None:
            continue
        iri = mapping.get("@id")
        if mapping.get("_prefix"):
            prefixes[term] = iri if _is_iri(iri) else ""
        simple = mapping.keys() <= _SIMPLE_ENTRIES and not mapping.get("reverse")
        if iri == "@none":
            none_keys.add(term)
        elif iri == "@id" and simple:
            id_keys.add(term)
        elif iri == "@type" and simple:
            type_keys.add(term)
        if "@context" not in mapping and _is_iri(iri):
            classes[term] = iri
        spec = _property(mapping)
        if spec is not None:
            properties[term] = spec
    if len(id_keys) != 1:  # no alias of @id, or two that would collide in one node
        return None
    groups: dict[tuple[str, bool], list[str]] = {}
    for term, (predicate, mode, _) in properties.items():
        groups.setdefault((predicate[1], mode == _LANGUAGE_MAP), []).append(term)
    groups.setdefault((_RDF_TYPE, False), []).extend(type_keys)
    overlapping = frozenset(term for terms in groups.values() if len(terms) > 1 for term in terms)
    specs = {term: (*spec, term in overlapping) for term, spec in properties.items()}
    return _Table(
        specs,
        id_keys.pop(),
        frozenset(type_keys),
        classes,
        frozenset(active["mappings"]),
        prefixes,
        frozenset(none_keys),
        overlapping,
    )


@lru_cache(maxsize=256)
def _is_scheme(text: str) -> bool:
    return _SCHEME.match(text) is not None


def _expand_iri(value: str, prefixes: Mapping[str, str]) -> str:
    """A compact or absolute IRI as pyld's ``_expand_iri`` expands it; relative IRIs and blank nodes refused.

    ``prefix:suffix`` with a prefix pyld lets act as one becomes namespace + suffix, unless the suffix starts
    with ``//``; anything else must be absolute by pyld's test (a scheme, a colon, no whitespace). The only
    printable whitespace is the space, and refusing every unprintable character errs on the safe side.
    """
    if " " in value or not value.isprintable():
        raise _Unsupported
    if value.startswith(("https://", "http://")):  # pyld leaves ``scheme://`` alone, prefix or not
        return value
    scheme, colon, rest = value.partition(":")
    if not colon or scheme == "_":
        raise _Unsupported
    if not rest.startswith("//"):
        namespace = prefixes.get(scheme)
        if namespace is not None:
            if not namespace:
                raise _Unsupported
            return namespace + rest
    if not _is_scheme(scheme):
        raise _Unsupported
    return value


def _iri(value: str, table: _Table) -> Term:
    """``_expand_iri`` as a term, remembered."""
    term = table.iris.get(value)
    if term is None:
        term = ("iri", _expand_iri(value, table.prefixes))
        if len(table.iris) >= _MEMO_LIMIT:
            table.iris.clear()
        table.iris[value] = term
    return term


def _tag(language: Any, table: _Table) -> str:
    """A language-map key as pyld tags its strings (lower-cased), remembered; odd keys refused."""
    tag = table.tags.get(language) if type(language) is str else None
    if tag is None:
        if type(language) is not str or language in table.none_keys or _LANGUAGE_TAG.match(language) is None:
            raise _Unsupported
        tag = language.lower()
        if len(table.tags) >= _MEMO_LIMIT:
            table.tags.clear()
        table.tags[language] = tag
    return tag


def _expand_class(value: Any, table: _Table) -> Term:
    """A ``type`` value (a term, compact IRI or absolute IRI, as pyld expands it with vocab=True)."""
    if type(value) is not str:
        raise _Unsupported
    iri = table.classes.get(value)
    if iri is not None:
        return ("iri", iri)
    if value in table.defined:
        raise _Unsupported
    return _iri(value, table)


def _canonical_double(value: float) -> str:
    """pyld's ``_canonicalize_double``: ``f"{value:1.15E}"`` less trailing zeros, ``+`` and exponent padding."""
    mantissa, _, exponent = f"{value:1.15E}".partition("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def _number(value: float, datatype: str) -> Term:
    """A JSON number as pyld's ``_object_to_rdf`` writes it (``datatype``: the term's coercion, or "").

    A float with a fraction, or of 1e21 or more, is a canonical double (typed with the coercion if any, so
    ``latitude`` 41.4 is ``"4.14E1"^^xsd:float``); any other whole number, float or not, is written as an
    integer unless the coercion is ``xsd:double`` (so 41.0 is ``"41"``). Integers of 1e21 or more are left
    to pyld.
    """
    if type(value) is float:
        if not math.isfinite(value):
            raise _Unsupported
        if not value.is_integer() or not -_LARGE < value < _LARGE:
            return ("literal", _canonical_double(value), datatype or XSD_DOUBLE, "")
    elif not -_LARGE < value < _LARGE:
        raise _Unsupported
    if datatype == XSD_DOUBLE:
        return ("literal", _canonical_double(float(value)), XSD_DOUBLE, "")
    return ("literal", str(int(value)), datatype or XSD_INTEGER, "")


def _language_map(subject: Term, predicate: Term, values: Any, table: _Table, out: list[Triple], state: _State) -> None:
    """One language-tagged string per entry (pyld lower-cases the tag); null entries are skipped."""
    if type(values) is not dict:
        raise _Unsupported
    for language, texts in values.items():
        tag = table.tags.get(language) or _tag(language, table)
        if tag != language:
            state.repeats = True  # "CA" and "ca" are one language
        if type(texts) is str:
            out.append((subject, predicate, ("literal", texts, RDF_LANG_STRING, tag)))
            continue
        if type(texts) is not list:
            if texts is None:
                continue
            raise _Unsupported
        state.repeats = True
        for text in texts:
            if type(text) is str:
                out.append((subject, predicate, ("literal", text, RDF_LANG_STRING, tag)))
            elif text is not None:
                raise _Unsupported


def _iri_key(key: str, table: _Table) -> tuple[Term, int, str, bool]:
    """A key that is a compact or absolute IRI: a property with no coercion (pyld's ``_expand_value``)."""
    if type(key) is not str or key in table.defined or ":" not in key:
        raise _Unsupported  # a term the fast path leaves to pyld, a keyword, or an unknown term
    return _iri(key, table), _PLAIN, "", True


def _value(item: Any, mode: int, datatype: str, table: _Table, out: list[Triple], state: _State) -> Term | None:
    """The object a value of a term stands for (None: a null to skip); a nested node adds its triples."""
    kind = type(item)
    if kind is str:
        if mode == _ID:
            return table.iris.get(item) or _iri(item, table)
        if mode == _PLAIN:
            return ("literal", item, XSD_STRING, "")
        if mode == _TYPED:
            return ("literal", item, datatype, "")
        return _expand_class(item, table)
    if kind is dict:
        return _node(item, table, out, state, False)
    if kind is bool:
        return ("literal", "true" if item else "false", datatype or XSD_BOOLEAN, "")
    if kind is int or kind is float:
        return _number(item, datatype)
    if item is None:
        return None
    raise _Unsupported  # a nested array, or not JSON


def _node(node: dict[str, Any], table: _Table, out: list[Triple], state: _State, top: bool) -> Term:
    """Append the triples of a node object to ``out``; return its subject."""
    subject: Term
    if table.id_key not in node:
        subject = ("blank", f"b{state.blanks}")
        state.blanks += 1
    elif type(identifier := node[table.id_key]) is str:
        subject = _iri(identifier, table)
        if subject in state.subjects:
            state.repeats = True  # a node met twice: pyld merges it
        state.subjects.add(subject)
    else:
        raise _Unsupported
    properties = table.properties
    iris = table.iris
    append = out.append
    for key, value in node.items():
        spec = properties.get(key)
        if spec is None:
            if key in table.type_keys:
                classes = [_expand_class(item, table) for item in (value if type(value) is list else (value,))]
                if key in table.overlapping or len(set(classes)) < len(classes):
                    state.repeats = True
                out += [(subject, _TYPE_PREDICATE, kind) for kind in classes]
                continue
            if key == table.id_key or (top and key == "@context"):
                continue
            spec = _iri_key(key, table)
        predicate, mode, datatype, overlaps = spec
        if overlaps:
            state.repeats = True  # another term names the same property
        # The common case first: one string.
        if type(value) is str and mode != _LANGUAGE_MAP:
            if mode == _PLAIN:
                append((subject, predicate, ("literal", value, XSD_STRING, "")))
            elif mode == _ID:
                append((subject, predicate, iris.get(value) or _iri(value, table)))
            elif mode == _TYPED:
                append((subject, predicate, ("literal", value, datatype, "")))
            else:
                append((subject, predicate, _expand_class(value, table)))
        elif value is None:
            continue
        elif mode == _LANGUAGE_MAP:
            _language_map(subject, predicate, value, table, out, state)
        elif type(value) is list:
            objects = [obj for item in value if (obj := _value(item, mode, datatype, table, out, state)) is not None]
            if len(objects) > 1 and len(set(objects)) < len(objects):
                state.repeats = True
            out += [(subject, predicate, obj) for obj in objects]
        else:
            obj = _value(value, mode, datatype, table, out, state)
            if obj is not None:
                append((subject, predicate, obj))
    return subject


def fast_triples(document: Mapping[str, Any]) -> list[Triple] | None:
    """The default-graph triples of ``document``, or None if it is not in the shape the fast path converts.

    None means "ask the reference path", never "no triples". Blank nodes are labelled ``b0``, ``b1``...
    """
    if type(document) is not dict:
        if not isinstance(document, Mapping):
            return None
        document = dict(document)  # as reference_triples does; nested mappings must still be dicts
    key = _context_key(document.get("@context"))
    if key is None:
        return None
    table = _table(key)
    if table is None:
        return None
    out: list[Triple] = []
    state = _State()
    try:
        _node(document, table, out, state, True)
    except _Unsupported:
        return None
    # pyld's node map keeps one copy of a value given twice (a repeated item, a node met twice).
    return list(dict.fromkeys(out)) if state.repeats else out


def _reference_term(value: Mapping[str, str]) -> Term:
    kind = value["type"]
    if kind == "IRI":
        return ("iri", value["value"])
    if kind == "blank node":
        return ("blank", value["value"].removeprefix("_:"))
    return ("literal", value["value"], value.get("datatype") or XSD_STRING, value.get("language") or "")


def reference_triples(document: Mapping[str, Any]) -> list[Triple]:
    """The default-graph triples of ``document`` through pyld with only the bundled contexts.

    A context that is not bundled is refused with pyld's ``JsonLdError``; named graphs are left out, as in
    ``vocab.rdf.jsonld_to_graph``.
    """
    source = document if isinstance(document, dict) else dict(document)
    dataset = jsonld.to_rdf(source, {"documentLoader": _loader()})
    return [
        (_reference_term(quad["subject"]), _reference_term(quad["predicate"]), _reference_term(quad["object"]))
        for quad in dataset.get("@default", [])
    ]


def document_triples(document: Mapping[str, Any]) -> tuple[list[Triple], bool]:
    """The default-graph triples of ``document`` and whether the fast path made them."""
    triples = fast_triples(document)
    if triples is not None:
        return triples, True
    return reference_triples(document), False
