"""A call for collaboration published: an FEP-0837 ``Proposal`` that Mastodon shows as a post.

The document is a ValueFlows ``Proposal`` (https://codeberg.org/fediverse/fep/src/branch/main/fep/0837/fep-0837.md):
``purpose`` request or offer, ``publishes`` one ``Intent`` (``#primary``) whose ``resourceConformsTo``
are the call's concepts and whose ``resourceQuantity`` is how many are wanted or offered, and, when the
call names a budget, a ``reciprocal`` intent: the transfer of that many euros. Its context is
``vocab.contexts.proposal_context()``: every term inline, nothing to fetch.

Mastodon shows only a few object types and ignores the rest, but takes an object whose ``type`` array
includes ``Note`` (``equals_or_includes_any?`` in its ActivityPub handlers), so the type is
``["Proposal", "Note"]``, as FEP-0837 allows, and the ``content`` is written for people: the title, the
description, what is asked or offered, where and until when, with the call's page as ``url``.
"""

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsi4bcn.i18n import message
from dsi4bcn.profiles.callvalidation import call_state
from dsi4bcn.profiles.iris import actor_iri
from dsi4bcn.profiles.validation import Kind
from vocab.concepts import concept_index
from vocab.contexts import proposal_context

__all__ = [
    "EURO",
    "CallRecord",
    "call_iri",
    "call_tombstone",
    "parse_call_iri",
    "plain_paragraphs",
    "render_call",
]

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
EURO = "http://www.wikidata.org/entity/Q4916"
_LANGUAGES = ("ca", "es", "en")


@dataclass(frozen=True)
class CallRecord:
    """A local call as stored: its canonical fields, its author (a local actor) and its times."""

    id: str
    kind: Kind  # the author's kind
    author: str  # the author's slug
    fields: Mapping[str, Any]
    published: str
    updated: str
    closed: str | None = None
    deleted: str | None = None

    def title(self, language: str) -> str:
        """The title in ``language``, else in another of ca/es/en, else any."""
        names: Mapping[str, str] = self.fields.get("nameMap", {})
        for candidate in (language, *_LANGUAGES):
            if candidate in names:
                return names[candidate]
        return next(iter(names.values()), self.id)

    def state(self, now: str) -> str:
        """upcoming, open, expired or closed at ``now``."""
        return call_state(self.fields, closed=self.closed, now=now)


def call_iri(base_url: str, call_id: str) -> str:
    """The id of a local call, which is also its page."""
    return f"{base_url}/calls/{call_id}"


def parse_call_iri(base_url: str, iri: str) -> str | None:
    """The call id if ``iri`` is a local call's id, else None."""
    prefix = f"{base_url}/calls/"
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return rest if rest and "/" not in rest and "#" not in rest and "?" not in rest else None


def plain_paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs: escaped, a blank line between paragraphs, ``<br>`` for a line break."""
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return "".join("<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs)


def _concept_labels(curies: list[str], language: str) -> str:
    index = concept_index()
    labels = []
    for curie in curies:
        concept = index.resolve(curie)
        labels.append(concept.label(language) if concept else curie)
    return ", ".join(labels)


def _content(record: CallRecord, language: str) -> str:
    """What Mastodon shows: the title, the description, what is asked or offered, until when."""
    fields = record.fields
    descriptions: Mapping[str, str] = fields.get("contentMap", {})
    description = descriptions.get(language) or next(iter(descriptions.values()), "")
    what = message(f"call_{fields['purpose']}_line", language, concepts=_concept_labels(fields["concepts"], language))
    lines = [f"<p><strong>{html.escape(record.title(language))}</strong></p>", plain_paragraphs(description)]
    details = [html.escape(what)]
    if fields.get("validUntil"):
        details.append(html.escape(message("call_until_line", language, until=fields["validUntil"][:10])))
    lines.append("<p>" + "<br>".join(details) + "</p>")
    return "".join(lines)


def _intents(iri: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    index = concept_index()
    quantity: dict[str, Any] = {"hasUnit": "one"}
    if "quantity" in fields:
        quantity["hasNumericalValue"] = str(fields["quantity"])
    intents: dict[str, Any] = {
        "publishes": {
            "id": f"{iri}#primary",
            "type": "Intent",
            "action": "deliverService",
            "resourceConformsTo": [concept.iri for c in fields["concepts"] if (concept := index.resolve(c))],
            "resourceQuantity": quantity,
        }
    }
    if "budget" in fields:
        intents["reciprocal"] = {
            "id": f"{iri}#reciprocal",
            "type": "Intent",
            "action": "transfer",
            "resourceConformsTo": EURO,
            "resourceQuantity": {"hasUnit": "one", "hasNumericalValue": fields["budget"]},
        }
    return intents


def render_call(record: CallRecord, *, base_url: str, language: str) -> dict[str, Any]:
    """The published ``Proposal`` of a live call (``language`` is the node's, for ``name`` and ``content``)."""
    fields = record.fields
    iri = call_iri(base_url, record.id)
    actor = actor_iri(base_url, record.kind, record.author)
    languages = [lang for lang in fields["nameMap"] if lang in _LANGUAGES] or [language]
    document: dict[str, Any] = {
        "@context": proposal_context(),
        "id": iri,
        "type": ["Proposal", "Note"],
        "purpose": fields["purpose"],
        "attributedTo": actor,
        "name": record.title(language),
        "nameMap": dict(fields["nameMap"]),
        "content": _content(record, language),
        "contentMap": {lang: _content(record, lang) for lang in languages},
        "url": iri,
        "published": record.published,
        "updated": record.updated,
        "to": [PUBLIC],
        "cc": [f"{actor}/followers"],
        **_intents(iri, fields),
        "unitBased": False,
    }
    ends = [moment for moment in (fields.get("validUntil"), record.closed) if moment]
    if fields.get("validFrom"):
        document["hasBeginning"] = fields["validFrom"]
    if ends:
        document["hasEnd"] = min(ends)
    if fields.get("deadline"):
        document["deadline"] = fields["deadline"]
    if fields.get("basedIn"):
        document["basedIn"] = fields["basedIn"]
    if fields.get("location"):
        document["location"] = dict(fields["location"])
    return document


def call_tombstone(base_url: str, call_id: str, deleted: str) -> dict[str, Any]:
    """What a deleted call's id answers, and what its ``Delete`` carries."""
    return {"id": call_iri(base_url, call_id), "type": "Tombstone", "formerType": "Proposal", "deleted": deleted}
