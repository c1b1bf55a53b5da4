"""The values FEP-0837 documents are made of, read from strangers' JSON: refusals, IRIs, quantities, dates, texts.

FEP-0837 (Federated Marketplace, https://codeberg.org/fediverse/fep/src/branch/main/fep/0837/fep-0837.md)
carries ValueFlows terms (https://w3id.org/valueflows/ont/vf#) in JSON that every implementation reads by
its terms rather than through a JSON-LD processor; so do we, and no context is ever fetched. These helpers
are shared by ``federation.proposals`` (calls for collaboration) and ``federation.agreements`` (the answers
to them). Each refusal is a ``ProposalRefused`` with a stable ``code`` and ``params`` (``field``, ``limit``)
for callers that answer people in their language, and an English message for logs and servers.

Quantities are ``Decimal``; a value is accepted only if it survives a trip through an IEEE double, so
that every consumer, JavaScript included, reads the same amount; the canonical document writes it as a
decimal string (``render_quantity``), typed ``xsd:decimal`` by the proposals context. Pure: no I/O, no clock.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from federation.activities import forbidden_keyword, is_http_iri
from federation.errors import FederationError
from federation.hosts import origin
from vocab.contexts import dsi_context, proposals_context

__all__ = [
    "MAX_DEPTH",
    "MAX_FRACTION_DIGITS",
    "MAX_IRI_LENGTH",
    "MAX_LANGUAGES",
    "MAX_QUANTITY",
    "MAX_UNIT_LENGTH",
    "VF",
    "ProposalRefused",
    "Quantity",
    "check_document",
    "expand_iri",
    "read_datetime",
    "read_http_iri",
    "read_iri",
    "read_quantity",
    "read_text",
    "read_text_map",
    "read_types",
    "render_quantity",
    "single",
    "values_of",
]

VF = "https://w3id.org/valueflows/ont/vf#"
MAX_IRI_LENGTH = 2048
# Quantities: at most this much in absolute value (below 2**53, so an integer is exact as a double too).
MAX_QUANTITY = Decimal(10) ** 15
# Digits after the decimal point (so that checking one amount is a multiple of another stays exact).
MAX_FRACTION_DIGITS = 9
# A unit is an OM 2 name ("one", "hour", "second-Time"): short.
MAX_UNIT_LENGTH = 64
# Languages in one nameMap or contentMap, and the length of a language tag (RFC 5646 §4.4.1 suggests 35).
MAX_LANGUAGES = 16
MAX_LANGUAGE_TAG_LENGTH = 35
# Nesting of arrays and objects, @context included (ours needs 3 levels, Mitra's 3, an Accept 4).
MAX_DEPTH = 8
# URLs and objects in @context, and values of ``type``.
MAX_CONTEXT_ENTRIES = 16
MAX_TYPES = 8
# "2026-12-01T09:00:00.123456789+01:00" is 35 characters; longer is refused before the pattern runs.
MAX_DATETIME_LENGTH = 35

# xsd:dateTime with a timezone (required here: a deadline without one names no instant). Bounded
# quantifiers and no nested repetition: one linear pass, after the length cap above.
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})"
)
# Characters an IRI cannot hold (RFC 3987; N-Triples' IRIREF), besides controls, spaces and surrogates.
_NOT_IN_IRI = frozenset('<>"{}|^`\\\x7f')
_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")

_MESSAGES = {
    "proposal_not_object": "a proposal must be a JSON object",
    "proposal_too_deep": "the document nests more than {limit} levels",
    "proposal_keyword_forbidden": "{field} is not accepted in a proposal",
    "proposal_context_invalid": "the @context must be URLs and objects",
    "proposal_type_invalid": "the object's type does not include Proposal",
    "proposal_id_invalid": "the {field} must be an absolute http(s) IRI",
    "proposal_purpose_invalid": "a proposal's purpose is offer or request",
    "proposal_actor_invalid": "attributedTo must name one actor by an http(s) IRI",
    "proposal_actor_origin": "the actor is not on the proposal's origin",
    "proposal_intent_missing": "a proposal publishes one primary intent",
    "proposal_intent_multiple": "{field} holds more than one intent",
    "proposal_intent_invalid": "the intent's {field} is missing or not acceptable",
    "proposal_intent_origin": "the {field} intent is not on the proposal's origin",
    "proposal_quantity_invalid": "{field} must be a unit and a plain number",
    "proposal_quantity_negative": "{field} must not be negative",
    "proposal_concepts_too_many": "an intent conforms to at most {limit} resource types",
    "proposal_iri_invalid": "{field} must be an absolute IRI",
    "proposal_datetime_invalid": "{field} must be an xsd:dateTime with a timezone",
    "proposal_ends_before_beginning": "hasEnd is before hasBeginning",
    "proposal_text_invalid": "{field} must be text, or a map from language tags to text",
    "proposal_text_too_long": "{field} is longer than {limit} characters",
    "proposal_location_invalid": "the location must be one Place with a latitude and a longitude in range",
    "proposal_value_multiple": "{field} must have one value",
    "proposal_value_invalid": "{field} has a value of the wrong kind",
    "agreement_not_object": "an activity must be a JSON object",
    "agreement_too_deep": "the document nests more than {limit} levels",
    "agreement_keyword_forbidden": "{field} is not accepted in an activity",
    "agreement_context_invalid": "the @context must be URLs and objects",
    "agreement_type_invalid": "the activity is not an {field}",
    "agreement_id_invalid": "the {field} must be an absolute http(s) IRI",
    "agreement_actor_invalid": "the actor must be one http(s) IRI",
    "agreement_actor_origin": "the actor is not on the activity's origin",
    "agreement_object_invalid": "{field} is missing or not acceptable",
    "agreement_commitment_invalid": "the commitment {field} is missing or not acceptable",
    "agreement_satisfies_invalid": "{field} must name an intent of one proposal (an IRI with a fragment)",
    "agreement_result_origin": "the agreement is not on the accepting actor's origin",
    "agreement_result_attribution": "the agreement is attributed to someone other than the accepting actor",
    "agreement_not_this_proposal": "the offer answers another proposal",
    "agreement_intent_mismatch": "{field} does not satisfy the proposal's intent",
    "agreement_unit_mismatch": "{field} is not in the proposal's unit",
    "agreement_amount_mismatch": "{field} is not an amount the proposal allows",
    "agreement_reciprocal_missing": "the proposal expects something in return and the offer does not say what",
    "agreement_reciprocal_unexpected": "the offer commits to a reciprocal the proposal does not have",
    "agreement_not_this_offer": "the answer is about another offer",
    "agreement_not_proposer": "the answer does not come from the proposal's author",
}


class ProposalRefused(FederationError, ValueError):
    """A proposal, offer or answer that is refused. ``code`` is stable (``proposal_*`` or ``agreement_*``);
    ``params`` says where (``field``) and which bound (``limit``); the message is English."""

    def __init__(self, code: str, message: str | None = None, **params: str | int) -> None:
        super().__init__(message or _MESSAGES.get(code, code).format_map({"field": "value", "limit": 0, **params}))
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Quantity:
    """An amount of a resource: an OM 2 unit name and a value (None: any amount may be proposed)."""

    unit: str
    value: Decimal | None = None


@cache
def _prefixes() -> dict[str, str]:
    terms = {**dsi_context(), **proposals_context()}
    return {
        term: value
        for term, value in terms.items()
        if isinstance(value, str) and value.endswith(("/", "#")) and "://" in value
    }


def expand_iri(value: str) -> str:
    """``skill:3d-printing`` → ``https://w3id.org/dsi4bcn/skill/3d-printing``: a compact IRI whose prefix is one
    of the bundled contexts' (dsi4bcn and ValueFlows) is expanded; anything else is returned unchanged."""
    prefix, colon, rest = value.partition(":")
    expansion = _prefixes().get(prefix) if colon and not rest.startswith("//") else None
    return expansion + rest if expansion is not None else value


def check_document(document: Any, kind: str) -> Mapping[str, Any]:
    """``document`` if it is an object nested at most ``MAX_DEPTH`` levels, free of ``@graph``, ``@reverse`` and
    ``@included``, whose ``@context`` holds only URLs and objects (never fetched); refusal codes begin with
    ``kind`` (``proposal``, ``agreement``)."""
    if not isinstance(document, Mapping):
        raise ProposalRefused(f"{kind}_not_object")
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, Mapping) else item if isinstance(item, list) else ()
        if children and depth >= MAX_DEPTH:
            raise ProposalRefused(f"{kind}_too_deep", limit=MAX_DEPTH)
        pending.extend((child, depth + 1) for child in children if isinstance(child, Mapping | list))
    problem = forbidden_keyword(document)
    if problem:
        raise ProposalRefused(f"{kind}_keyword_forbidden", field=problem.split(" ", 1)[0])
    context = document.get("@context")
    entries = context if isinstance(context, list) else [] if context is None else [context]
    if len(entries) > MAX_CONTEXT_ENTRIES or not all(isinstance(entry, str | Mapping) for entry in entries):
        raise ProposalRefused(f"{kind}_context_invalid")
    return document


def read_types(value: Any, field: str) -> set[str]:
    """The types an object declares, as written and with compact IRIs (``vf:Proposal``) expanded."""
    values = values_of(value, field, MAX_TYPES)
    if not values or not all(isinstance(kind, str) for kind in values):
        raise ProposalRefused("proposal_value_invalid", field=field)
    return {expand_iri(kind) for kind in values} | set(values)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: nothing downstream could write it
        return False
    return True


def _is_absolute_iri(value: str) -> bool:
    scheme, colon, rest = value.partition(":")
    return (
        0 < len(value) <= MAX_IRI_LENGTH
        and bool(colon and rest and scheme)
        and scheme[0].isascii()
        and scheme[0].isalpha()
        and all(character in _SCHEME_CHARACTERS for character in scheme)
        and not any(character <= " " or character in _NOT_IN_IRI for character in value)
        and _encodable(value)
    )


def single(value: Any, field: str, code: str = "proposal_value_multiple") -> Any:
    """The one value of a functional property: a one-element array stands for its element, an empty one for
    no value (None); more than one raises ``code``."""
    if isinstance(value, list):
        if len(value) > 1:
            raise ProposalRefused(code, field=field)
        return value[0] if value else None
    return value


def read_iri(value: Any, field: str) -> str:
    """An absolute IRI of any scheme (``caip:19:…`` names assets), given as a string or an object with an
    ``id``; compact IRIs with our prefixes are expanded."""
    value = single(value, field)
    if isinstance(value, Mapping):
        value = value.get("id")
    if not isinstance(value, str) or not _is_absolute_iri(expanded := expand_iri(value)):
        raise ProposalRefused("proposal_iri_invalid", field=field)
    return expanded


def read_http_iri(value: Any, field: str, code: str = "proposal_id_invalid") -> str:
    """An http(s) IRI with an origin, given as a string or an object with an ``id``; else ``code``."""
    value = single(value, field, code)
    if isinstance(value, Mapping):
        value = value.get("id")
    if not is_http_iri(value) or not origin(value):
        raise ProposalRefused(code, field=field)
    return str(value)


def _read_number(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProposalRefused("proposal_quantity_invalid", field=field)
    if isinstance(value, int) and abs(value) > MAX_QUANTITY:
        raise ProposalRefused("proposal_quantity_invalid", field=field)
    text = repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):  # a decimal: an optional sign, digits, at most one point (no exponent, no "_")
        whole, _, fraction = (text[1:] if text[:1] in "+-" else text).partition(".")
        if len(text) > 40 or not (whole + fraction).isascii() or not (whole + fraction).isdigit():
            raise ProposalRefused("proposal_quantity_invalid", field=field)
    try:
        number = Decimal(text)
    except InvalidOperation as error:  # "nan", "inf" from a float
        raise ProposalRefused("proposal_quantity_invalid", field=field) from error
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -MAX_FRACTION_DIGITS or abs(number) > MAX_QUANTITY:
        raise ProposalRefused("proposal_quantity_invalid", field=field)
    if Decimal(repr(float(number))) != number:  # it would not read back the same as a JSON number
        raise ProposalRefused("proposal_quantity_invalid", field=field)
    return number


def read_quantity(value: Any, field: str) -> Quantity:
    """An OM 2 quantity ``{"hasUnit": "one", "hasNumericalValue": 2}``; the value may be a JSON number or a
    decimal string (as FEP-0837's examples and Mitra write it), zero or more, or absent."""
    value = single(value, field, "proposal_quantity_invalid")
    if not isinstance(value, Mapping):
        raise ProposalRefused("proposal_quantity_invalid", field=field)
    unit = single(value.get("hasUnit"), field, "proposal_quantity_invalid")
    if not isinstance(unit, str) or not 0 < len(unit) <= MAX_UNIT_LENGTH or not _is_unit(unit):
        raise ProposalRefused("proposal_quantity_invalid", field=field)
    amount = single(value.get("hasNumericalValue"), field, "proposal_quantity_invalid")
    if amount is None:
        return Quantity(unit)
    number = _read_number(amount, field)
    if number < 0:
        raise ProposalRefused("proposal_quantity_negative", field=field)
    return Quantity(unit, number)


def _is_unit(unit: str) -> bool:
    return unit.isascii() and all(character.isalnum() or character in "-_:/.#" for character in unit)


def render_quantity(quantity: Quantity) -> dict[str, Any]:
    """The JSON of a quantity, its value as a decimal string: what FEP-0837's examples show, Mitra's
    deserialiser requires, Fedify's ``parseDecimal`` reads (it fails on a JSON number), and what the
    ``xsd:decimal`` coercion of ``vocab/proposals.jsonld`` types."""
    rendered: dict[str, Any] = {"hasUnit": quantity.unit}
    if quantity.value is not None:
        rendered["hasNumericalValue"] = format(quantity.value, "f")
    return rendered


def read_datetime(value: Any, field: str) -> tuple[str, datetime] | None:
    """An xsd:dateTime with a timezone, as written and as an aware ``datetime``; None if absent."""
    value = single(value, field)
    if value is None:
        return None
    match = _DATE_TIME.fullmatch(value) if isinstance(value, str) and len(value) <= MAX_DATETIME_LENGTH else None
    if match is None:
        raise ProposalRefused("proposal_datetime_invalid", field=field)
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, zone = match[7] or "0", match[8]
    hours, minutes = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[4:6]))
    sign = -1 if zone.startswith("-") else 1
    try:
        if hours * 60 + minutes > 14 * 60 or minutes > 59:
            raise ValueError(zone)
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        instant = datetime(year, month, day, hour, minute, second, int(fraction[:6].ljust(6, "0")), tzinfo=tz)
    except ValueError as error:  # day 31 of a short month, hour 24, year 0, an offset past 14:00
        raise ProposalRefused("proposal_datetime_invalid", field=field) from error
    return value, instant


def _is_language_tag(tag: str) -> bool:
    subtags = tag.split("-")
    return (
        len(tag) <= MAX_LANGUAGE_TAG_LENGTH
        and tag.isascii()
        and subtags[0].isalpha()
        and all(0 < len(subtag) <= 8 and subtag.isalnum() for subtag in subtags)
    )


def read_text(value: Any, field: str, limit: int) -> str | None:
    """A string of at most ``limit`` characters (None if absent); a one-element array stands for its string."""
    value = single(value, field)
    if value is None:
        return None
    if not isinstance(value, str) or not _encodable(value):
        raise ProposalRefused("proposal_text_invalid", field=field)
    if len(value) > limit:
        raise ProposalRefused("proposal_text_too_long", field=field, limit=limit)
    return value


def read_text_map(document: Mapping[str, Any], key: str, limit: int) -> dict[str, str]:
    """``nameMap``/``name`` (or ``contentMap``/``content``) as {language: text}. The map wins; the plain value
    is kept under the key "" (no language) when there is no map or it says something the map does not."""
    texts: dict[str, str] = {}
    mapped = document.get(f"{key}Map")
    if mapped is not None:
        if not isinstance(mapped, Mapping) or len(mapped) > MAX_LANGUAGES:
            raise ProposalRefused("proposal_text_invalid", field=f"{key}Map")
        for language, text in mapped.items():
            if not _is_language_tag(language):
                raise ProposalRefused("proposal_text_invalid", field=f"{key}Map")
            texts[language] = read_text(text, f"{key}Map", limit) or ""
    plain = read_text(document.get(key), key, limit)
    if plain is not None and plain not in texts.values():
        texts[""] = plain
    return texts


def values_of(value: Any, field: str, limit: int, code: str = "proposal_value_invalid") -> list[Any]:
    """The values of a property as a list (one value or an array); more than ``limit`` raises ``code``."""
    values = value if isinstance(value, list) else [] if value is None else [value]
    if len(values) > limit:
        raise ProposalRefused(code, field=field, limit=limit)
    return values
