"""Matching calls for collaboration over every profile and every open call: ranked candidates, explained.

``match`` answers "who could answer this call?": the profiles (from the node's profile index) and the open
calls of the other purpose (from the call index) that fit a call, in one ranking, since both are scored by
the same formula (``callmodel``). ``for_profile`` answers "which calls could this profile answer?": the
open requests its offers meet and the open offers its needs want. Pure and synchronous: the node's
``Matcher`` runs them in a thread.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dsi4bcn.matching.callindex import CALL_REASONS, CallIndex
from dsi4bcn.matching.callmodel import CallFeatures, as_profile, explain_call, index_weights
from dsi4bcn.matching.index import Candidate, MatchIndex
from dsi4bcn.matching.model import Profile

__all__ = ["CallMatching", "call_parts_of"]


def call_parts_of(parts: Mapping[str, float]) -> dict[str, float]:
    """The call model's parts from the index's: ``concepts`` is ``needs`` plus ``offers`` (one is 0)."""
    return {
        "concepts": parts["needs"] + parts["offers"],
        "place": parts["place"],
        "sectors": parts["sectors"],
        "text": parts["text"],
    }


def _name(names: Mapping[str, str], language: str, fallback: str) -> str:
    return names.get(language) or next(iter(names.values()), fallback)


class CallMatching:
    """Candidates for calls and calls for profiles, over a profile index and a call index."""

    def __init__(self, profiles: MatchIndex, calls: CallIndex) -> None:
        self.profiles = profiles
        self.calls = calls

    def rank(self, call: CallFeatures, limit: int, now: datetime) -> list[Candidate]:
        """The best ``limit`` profiles and open calls for ``call``, best first (ties by IRI)."""
        found = [
            *self.profiles.top(as_profile(call), index_weights(), limit, reasons=CALL_REASONS),
            *self.calls.top(call, limit, now),
        ]
        found.sort(key=lambda candidate: (-candidate.score, candidate.id))
        return found[:limit]

    def match(self, call: CallFeatures, limit: int, now: datetime, language: str) -> list[dict[str, Any]]:
        """Who could answer ``call`` (or whose call it could answer), each with its score and explanation."""
        results = []
        for candidate in self.rank(call, limit, now):
            other: Profile | CallFeatures | None = self.calls.calls.get(candidate.id) or self.profiles.profiles.get(
                candidate.id
            )
            if other is not None:
                results.append(self._result(call, other, candidate, language))
        return results

    def for_profile(self, profile: Profile, limit: int, now: datetime, language: str) -> list[dict[str, Any]]:
        """The open calls ``profile`` could answer, best first, each with its score and explanation."""
        results = []
        for candidate in self.calls.top(profile, limit, now):
            call = self.calls.calls.get(candidate.id)
            if call is not None:
                results.append(self._result(profile, call, candidate, language))
        return results

    @staticmethod
    def _result(
        asker: Profile | CallFeatures, other: Profile | CallFeatures, candidate: Candidate, language: str
    ) -> dict[str, Any]:
        parts = call_parts_of(candidate.parts)
        return {
            "candidate": candidate.id,
            "kind": "call" if isinstance(other, CallFeatures) else other.kind,
            "purpose": other.purpose if isinstance(other, CallFeatures) else None,
            "name": _name(other.names, language, other.id),
            "score": round(candidate.score, 4),
            "explanation": explain_call(asker, other, parts, language),
        }
