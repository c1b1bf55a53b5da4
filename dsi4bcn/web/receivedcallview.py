"""The view model of a received call's page on this node (pure): the stored canonical proposal of a call
of an aggregated profile, shown as a local call's page is (``callview.CallView``), with the node it comes
from. Its description was sanitised when it arrived and is sanitised again here, before it is shown.
"""

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from dsi4bcn.directory.calllist import CallEntry
from dsi4bcn.fediverse.outbox import sanitise_html
from dsi4bcn.i18n import UI
from dsi4bcn.web.callview import CallView
from dsi4bcn.web.profilelinks import directory_link
from vocab.concepts import concept_index

__all__ = ["received_call_view"]


def _when(moment: str) -> str:
    return f"{moment[:10]} {moment[11:16]} UTC"


def _state(entry: CallEntry, now: str) -> str:
    if entry.ends is not None and entry.ends <= now:
        return "expired"
    if entry.begins is not None and entry.begins > now:
        return "upcoming"
    return "open"


def _facts(entry: CallEntry, language: str) -> list[tuple[str, str]]:
    facts = []
    if entry.quantity:
        facts.append((UI["call_quantity"][language], entry.quantity))
    if entry.place:
        concept = concept_index().by_iri(entry.place)
        facts.append((UI["call_place"][language], concept.label(language) if concept else entry.place))
    for moment, key in ((entry.begins, "call_from"), (entry.ends, "call_until"), (entry.deadline, "call_deadline")):
        if moment:
            facts.append((UI[key][language], _when(moment)))
    if entry.budget:
        facts.append((UI["call_budget"][language], f"{entry.budget} €"))
    return facts


def received_call_view(
    entry: CallEntry, document: Mapping[str, Any], *, author: str, author_page: str, language: str, now: str
) -> CallView:
    """The page of a received call in ``language`` at ``now``: ``entry`` read from ``document``."""
    contents = document.get("contentMap")
    content = contents.get(language) if isinstance(contents, Mapping) else None
    if not isinstance(content, str):
        content = document.get("content") if isinstance(document.get("content"), str) else ""
    index = concept_index()
    skills = [concept for code in entry.skills if (concept := index.get("skill", code)) is not None]
    return CallView(
        iri=entry.iri,
        title=entry.title(language),
        purpose=entry.purpose,
        state=_state(entry, now),
        description=Markup(sanitise_html(str(content))),  # noqa: S704 - sanitised to the markup Mastodon keeps
        concepts=[(concept.label(language), directory_link("needs", concept.curie)) for concept in skills],
        facts=_facts(entry, language),
        author=author,
        author_page=author_page,
        published=entry.published[:10],
        source=entry.source,
    )
