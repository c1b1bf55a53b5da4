"""Calls for collaboration of aggregated profiles: what is kept of a received FEP-0837 ``Proposal`` and when
it is kept at all.

As with posts (``noteintake``), a call is kept only when its author is a profile this node aggregates from
a peer it follows; the inbox has already checked that it is on its author's origin and attributed to the
sending actor. It is read in any form found in the wild (``federation.proposals.read_proposal``), its texts
sanitised to the markup Mastodon keeps, its times never later than its arrival, then rendered in the one
canonical form, whose RDF must conform to the shapes (``dsish:Proposal``) before it is stored and graphed.
A proposal without a title (FEP-0837 only recommends one) is given the start of its text, or its purpose.
"""

import dataclasses
import html
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from dsi4bcn.fediverse.outbox import sanitise_html
from dsi4bcn.matching.features import strip_tags
from dsi4bcn.profiles.ntriples import to_ntriples
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.receivedcalls import ReceivedCall, ReceivedCalls
from federation.inbox import NoteDeleted, ProposalReceived
from federation.proposals import Proposal, read_proposal, render_proposal
from federation.valueflows import ProposalRefused
from vocab.contexts import proposal_context
from vocab.fastld import document_triples
from vocab.fastshapes import validate_triples

__all__ = ["MAX_STORED_CALL", "CallIntake", "CallRefused", "checked_call"]

MAX_STORED_CALL = 100_000  # characters of the canonical document as JSON
_TITLE_FROM_TEXT = 80


class CallRefused(Exception):
    """A received call that is not kept, and why."""


def _stamp(moment: str | None) -> str | None:
    """A time as written by its origin, in the stored form (UTC, seconds, ``Z``)."""
    if moment is None:
        return None
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _title(proposal: Proposal, contents: Mapping[str, str]) -> dict[str, str]:
    if proposal.names:
        return dict(proposal.names)
    text = " ".join(html.unescape(strip_tags(next(iter(contents.values()), ""))).split())
    if len(text) > _TITLE_FROM_TEXT:
        text = text[: _TITLE_FROM_TEXT - 1].rstrip() + "…"
    return {"": text or proposal.purpose}


def checked_call(document: Mapping[str, Any], *, author: str, peer: str, received: str) -> ReceivedCall:
    """The call to keep of a received proposal, in canonical form; ``CallRefused`` (or ``ProposalRefused``)
    with the reason. ``received`` is the arrival time in the stored form."""
    proposal = read_proposal(document)
    if proposal.actor != author:
        raise CallRefused("the proposal is attributed to another actor than the one who sent it")
    contents = {language: sanitise_html(text) for language, text in proposal.contents.items()}
    published = min(_stamp(proposal.published) or received, received)
    updated = min(_stamp(proposal.updated) or published, received)
    kept = dataclasses.replace(
        proposal,
        names=_title(proposal, contents),
        contents=contents,
        published=published,
        updated=updated,
        begins=_stamp(proposal.begins),
        ends=_stamp(proposal.ends),
        deadline=_stamp(proposal.deadline),
    )
    canonical = render_proposal(kept, context=proposal_context())
    if len(json.dumps(canonical, ensure_ascii=False)) > MAX_STORED_CALL:
        raise CallRefused(f"the call is larger than {MAX_STORED_CALL} characters")
    triples, _ = document_triples(canonical)
    result = validate_triples(triples)
    if not result.conforms:
        violation = result.violations[0]
        raise CallRefused(f"the call does not conform to the shapes: {violation.path} {violation.message}")
    return ReceivedCall(
        iri=proposal.id,
        author=author,
        peer=peer,
        document=canonical,
        ntriples=to_ntriples(triples, proposal.id),
        ends=min((moment for moment in (kept.ends, kept.deadline) if moment), default=None),
        updated=updated,
        received=received,
    )


class CallIntake:
    """Carries out the inbox's call effects: keeps the calls of aggregated profiles, drops deleted ones."""

    def __init__(
        self,
        calls: ReceivedCalls,
        peer_for: Callable[[str], Awaitable[str | None]],
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._calls = calls
        self._peer_for = peer_for
        self._changed = changed  # wakes the graph sync, which writes (or drops) the call's graph

    async def receive(self, effect: ProposalReceived) -> str:
        """Store (or, for a newer version, replace) a received call; the outcome as text."""
        peer = await self._peer_for(effect.actor)
        if peer is None:
            return "ignored: a call from a node that is not a peer"
        try:
            call = checked_call(effect.document, author=effect.actor, peer=peer, received=utc_now())
        except (CallRefused, ProposalRefused) as refused:
            return f"refused: {refused}"
        outcome = await self._calls.store(call)
        self._changed()
        return outcome

    async def delete(self, effect: NoteDeleted) -> bool:
        """Drop a call its author deleted (its graph goes too); whether one was held."""
        removed = await self._calls.delete(effect.object_id, effect.actor, utc_now())
        if removed:
            self._changed()
        return removed
