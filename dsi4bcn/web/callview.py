"""The view model of a call's page (pure): its title, what it asks or offers, where, when, and for whom.

Every text is the caller's or a label; the template escapes them all (the description is plain text, made
into paragraphs by ``plain_paragraphs``, which escapes it).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from dsi4bcn.i18n import UI
from dsi4bcn.profiles.calldocuments import CallRecord, plain_paragraphs
from dsi4bcn.web.callform import barcelona_time
from dsi4bcn.web.profilelinks import directory_link
from vocab.concepts import concept_index

__all__ = ["CallView", "call_view"]


@dataclass(frozen=True)
class CallView:
    """What a call's page shows."""

    iri: str
    title: str
    purpose: str  # request or offer
    state: str  # upcoming, open, expired or closed
    description: Markup
    concepts: list[tuple[str, str]]  # (label, concept page)
    facts: list[tuple[str, str]]  # (label, text)
    author: str
    author_page: str
    published: str
    source: str = ""  # the node a received call comes from; "" for this node's


def _label(key: str, language: str) -> str:
    return UI[key][language]


def _when(moment: str, term: str) -> str:
    """A stored time as people in Barcelona read it: the day, and the local time unless the day alone says it
    (its start for ``validFrom``, its end for the others), as the call's form shows it."""
    local = barcelona_time(moment, term)
    return f"{local['date']} {local['time']}" if local["time"] else local["date"]


def _facts(fields: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    index = concept_index()
    if "quantity" in fields:
        facts.append((_label("call_quantity", language), str(fields["quantity"])))
    if "basedIn" in fields:
        place = index.resolve(fields["basedIn"])
        facts.append((_label("call_place", language), place.label(language) if place else fields["basedIn"]))
    elif "location" in fields:
        location = fields["location"]
        where = location.get("name") or f"{location['latitude']:.4f}, {location['longitude']:.4f}"
        facts.append((_label("call_place", language), where))
    for term, key in (("validFrom", "call_from"), ("validUntil", "call_until"), ("deadline", "call_deadline")):
        if term in fields:
            facts.append((_label(key, language), _when(fields[term], term)))
    if "budget" in fields:
        facts.append((_label("call_budget", language), f"{fields['budget']} €"))
    return facts


def call_view(record: CallRecord, *, iri: str, author: str, author_page: str, language: str, now: str) -> CallView:
    """The page of ``record`` in ``language`` at ``now``."""
    index = concept_index()
    descriptions: Mapping[str, str] = record.fields.get("contentMap", {})
    description = descriptions.get(language) or next(iter(descriptions.values()), "")
    concepts = []
    for curie in record.fields["concepts"]:
        concept = index.resolve(curie)
        if concept is not None:
            concepts.append((concept.label(language), directory_link("needs", concept.curie)))
    return CallView(
        iri=iri,
        title=record.title(language),
        purpose=record.fields["purpose"],
        state=record.state(now),
        description=Markup(plain_paragraphs(description)),  # noqa: S704 - plain_paragraphs escapes the text
        concepts=concepts,
        facts=_facts(record.fields, language),
        author=author,
        author_page=author_page,
        published=record.published[:10],
    )
