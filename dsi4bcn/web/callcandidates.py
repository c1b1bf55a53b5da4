"""Who could answer a call, and which calls a profile could answer, as pages show them: each candidate with
its name, where it leads and its reasons in words (what it asks met by what is offered, "meets" or
"related"), from the matcher's explained results (``matching.service.Matcher``)."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from markupsafe import Markup

from dsi4bcn.fediverse.outbox import sanitise_html
from dsi4bcn.i18n import UI
from dsi4bcn.matching.callmodel import CALL_REASON_LABELS
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.storage.callreplies import CallReplies
from dsi4bcn.web.actorlabels import actor_label, call_label
from dsi4bcn.web.appkeys import DATABASE, MATCHER

__all__ = ["call_candidates", "call_sections", "calls_to_answer", "reasons_in_words"]

SHOWN = 5


def _label(concept: Any) -> str:
    """A concept of an explanation by its label (explanations give ``{id, code, label}``)."""
    return str(concept.get("label", concept.get("code", ""))) if isinstance(concept, Mapping) else str(concept)


def reasons_in_words(explanation: Mapping[str, Any], language: str) -> list[str]:
    """Each reason of an explained candidate as one line: the label, then "wanted ← available" pairs."""
    lines = []
    for code, label in CALL_REASON_LABELS.items():
        pairs = explanation.get(code) or []
        if pairs:
            shown = ", ".join(f"{_label(pair['need'])} ← {_label(pair['offer'])}" for pair in pairs)
            lines.append(f"{UI[label][language]}: {shown}")
    return lines


async def _entries(app: web.Application, results: Sequence[Mapping[str, Any]], language: str) -> list[dict[str, Any]]:
    entries = []
    for result in results:
        iri = str(result["candidate"])
        label = await (call_label if result["kind"] == "call" else actor_label)(app, iri, language)
        entries.append(
            {
                "name": label.name,
                "href": label.href,
                "kind": result["kind"],
                "purpose": result.get("purpose"),
                "reasons": reasons_in_words(result["explanation"], language),
            }
        )
    return entries


async def call_candidates(app: web.Application, call: str, language: str, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The profiles and open calls that best fit ``call``; empty while the matcher loads or if it is unknown."""
    matcher = app[MATCHER]
    if not matcher.ready.is_set():
        return []
    results = await matcher.match_call(call, limit=limit, now=datetime.now(UTC), language=language)
    return await _entries(app, results or [], language)


async def calls_to_answer(
    app: web.Application, profile: str, language: str, limit: int = SHOWN
) -> list[dict[str, Any]]:
    """The open calls ``profile`` could answer, best first; empty while the matcher loads."""
    matcher = app[MATCHER]
    if not matcher.ready.is_set():
        return []
    results = await matcher.calls_for_profile(profile, limit=limit, now=datetime.now(UTC), language=language)
    entries = await _entries(app, results or [], language)
    for entry, result in zip(entries, results or [], strict=True):
        entry["call"] = result["candidate"]
    return entries


async def call_sections(app: web.Application, iri: str, language: str) -> dict[str, Any]:
    """What a call's page shows below the call: who could answer it, the agreements made on it and the
    replies its caller approved (none for a received call)."""
    database = app[DATABASE]
    agreements = [
        {"with": await actor_label(app, agreement.offerer, language), "date": agreement.accepted[:10]}
        for agreement in await CallOffers(database).agreements_of_call(iri)
    ]
    replies = [
        {
            "author": await actor_label(app, reply.author, language),
            "content": Markup(sanitise_html(str(reply.note.get("content", "")))),  # noqa: S704 - sanitised just now
            "date": reply.received[:10],
        }
        for reply in await CallReplies(database).of_call(iri, approved_only=True)
    ]
    return {"agreements": agreements, "replies": replies, "candidates": await call_candidates(app, iri, language)}
