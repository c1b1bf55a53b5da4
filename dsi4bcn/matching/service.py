"""Matching as a node service: the index loaded from SQLite, kept up to date as graphs are written.

Every graph the graph sync writes (a local or a received profile) is re-read into the index, so queries
only score precomputed rows; an organisation's change also refreshes its projects (they inherit its
quadruple-helix sectors). The base index is rebuilt in a thread when enough profiles have changed.
Calls for collaboration are held beside the profiles (``callindex.CallIndex``): given at start
(``load_calls``) and as they change (``upsert_call``, ``remove_call``), matched against both
(``match_call``) and offered to profiles that could answer them (``calls_for_profile``).
"""

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from dsi4bcn.config import Config
from dsi4bcn.matching.callindex import CallIndex
from dsi4bcn.matching.callmatching import CallMatching
from dsi4bcn.matching.callmodel import CallFeatures
from dsi4bcn.matching.callreading import CallReading
from dsi4bcn.matching.features import profile_from_triples, triples_from_ntriples
from dsi4bcn.matching.index import MatchIndex
from dsi4bcn.matching.model import Profile, concept_label, explain, normalise_weights
from dsi4bcn.metrics import NodeMetrics
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.iris import actor_iri, parse_actor_iri
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedprofiles import ReceivedProfiles
from vocab.fastld import document_triples

__all__ = ["Matcher"]

log = logging.getLogger(__name__)
_LOAD_PAGE = 1000  # received profiles read (and turned into features) at a time when the node starts


class Matcher:
    """Suggests partners for a profile, over every profile the node knows (local and received)."""

    def __init__(
        self, config: Config, database: Database, profiles: ProfileStore, metrics: NodeMetrics | None = None
    ) -> None:
        self._config = config
        self._timed = (metrics or NodeMetrics()).matching_duration  # each answer's time, by kind
        self._received = ReceivedProfiles(database)
        self._profiles = profiles
        self.index = MatchIndex()
        self.calls = CallIndex()
        self._calls = CallMatching(self.index, self.calls)
        self._call_reading = CallReading(config, database)
        self._rebuilding: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def _read(self, graph: str) -> Profile | None:
        """The profile in ``graph`` as it is now, or None if there is none (or it is not indexable)."""
        parsed = parse_actor_iri(self._config.base_url, graph)
        if parsed is not None:
            record = await self._profiles.get(parsed[1])
            if record is None or record.deleted or record.fields.get("indexable") is False:
                return None
            document = render_actor(
                record, base_url=self._config.base_url, authority=self._config.authority, language=self._config.language
            )
            triples, _ = document_triples(document)
            profile = profile_from_triples(graph, triples)
        else:
            ntriples = await self._received.ntriples(graph)
            if ntriples is None:
                return None
            # In a thread: a received summary may be a mebibyte of markup or character references, which
            # take a good part of a second to unescape and strip even in linear time.
            profile = await asyncio.to_thread(_received_profile, graph, ntriples)
        if profile is not None and profile.kind == "project" and not profile.sectors and profile.organisation:
            organisation = self.index.profiles.get(profile.organisation)
            if organisation is not None:
                profile = _with_sectors(profile, organisation.sectors)
        return profile

    async def load(self) -> None:
        """Read every local and received profile, then build the index (in a thread).

        Received profiles are read a page at a time and turned into features in a thread, so that a
        large directory neither costs a database round trip per profile nor holds up the event loop.
        """
        for kind in ("organisation", "project"):
            for record in await self._profiles.list(kind):
                profile = await self._read(actor_iri(self._config.base_url, record.kind, record.slug))
                if profile is not None:
                    self.index.profiles[profile.id] = profile
        after = ""
        while True:
            page = await self._received.page(after, _LOAD_PAGE)
            if not page:
                break
            after = page[-1][0]
            for profile in await asyncio.to_thread(_profiles_from_rows, page):
                self.index.profiles[profile.id] = profile
        inheriting = await asyncio.to_thread(_inherit_sectors, list(self.index.profiles.values()))
        self.index.profiles.update((profile.id, profile) for profile in inheriting)
        await asyncio.to_thread(self.index.rebuild)
        calls = await self._call_reading.all()
        await asyncio.to_thread(self.load_calls, calls)
        self.ready.set()
        log.info("matching index: %d profiles, %d calls", len(self.index.profiles), len(calls))

    async def refresh(self, graphs: Iterable[str]) -> None:
        """Re-read changed graphs (and the projects of changed organisations) into the index."""
        pending = list(dict.fromkeys(graphs))
        for graph in pending:
            if graph in self.calls.calls or self._call_reading.is_local_call(graph):
                await self._refresh_call(graph)
                continue
            before = self.index.profiles.get(graph)
            profile = await self._read(graph)
            if profile is None:
                if before is not None:
                    self.index.remove(graph)
                else:
                    await self._refresh_call(graph)  # a received call new to this node, or nothing
                continue
            self.index.upsert(profile)
            if profile.kind == "organisation" and (before is None or before.sectors != profile.sectors):
                for project in [p for p in self.index.profiles.values() if p.organisation == profile.id]:
                    self.index.upsert(_with_sectors(project, profile.sectors))
        if self.index.needs_rebuild and (self._rebuilding is None or self._rebuilding.done()):
            self._rebuilding = asyncio.create_task(asyncio.to_thread(self.index.rebuild))

    async def _refresh_call(self, graph: str) -> None:
        call = await self._call_reading.read(graph)
        if call is not None:
            self.upsert_call(call)
        elif graph in self.calls.calls:
            self.remove_call(graph)

    def profile(self, iri: str) -> Profile | None:
        """A known profile."""
        return self.index.profiles.get(iri)

    async def suggest(
        self, asker: Profile, *, limit: int, weights: Mapping[str, float] | None, include_own: bool, language: str
    ) -> dict[str, Any]:
        """The ranked partners of ``asker``, each with its score and explanation."""
        with self._timed.labels("partners").time():
            return await self._suggest(asker, limit, normalise_weights(weights), include_own, language)

    async def _suggest(
        self, asker: Profile, limit: int, chosen: dict[str, float], include_own: bool, language: str
    ) -> dict[str, Any]:
        candidates = await asyncio.to_thread(self.index.top, asker, chosen, limit, include_own)
        results = []
        for candidate in candidates:
            partner = self.index.profiles.get(candidate.id)
            if partner is None:
                continue
            results.append(
                {
                    "partner": candidate.id,
                    "kind": partner.kind,
                    "name": _name(partner, language),
                    "score": round(candidate.score, 4),
                    "explanation": explain(asker, partner, candidate.parts, chosen, language),
                }
            )
        return {
            "asker": {
                "id": asker.id,
                "kind": asker.kind,
                "name": _name(asker, language),
                "needs": [concept_label(iri, language) for iri in sorted(asker.needs)],
                "offers": [concept_label(iri, language) for iri in sorted(asker.offers)],
            },
            "weights": {name: round(value, 4) for name, value in chosen.items()},
            "results": results,
        }

    def _with_author(self, call: CallFeatures) -> CallFeatures:
        """``call`` with its author's sectors and organisation, from the author's profile when known."""
        author = self.index.profiles.get(call.author)
        if author is None:
            return call
        organisation = call.organisation or (author.organisation if author.kind == "project" else None)
        return replace(call, sectors=call.sectors or author.sectors, organisation=organisation)

    def load_calls(self, calls: Iterable[CallFeatures]) -> None:
        """Hold ``calls`` (every call the node knows, replacing any held) and index them."""
        self.calls.load(self._with_author(call) for call in calls)

    def upsert_call(self, call: CallFeatures) -> None:
        """Add or replace a call (its author's sectors and organisation filled in when known)."""
        self.calls.upsert(self._with_author(call))

    def remove_call(self, iri: str) -> None:
        """Forget a call (withdrawn, deleted, or closed for good)."""
        self.calls.remove(iri)

    def call(self, iri: str) -> CallFeatures | None:
        """A held call."""
        return self.calls.calls.get(iri)

    async def match_call(
        self, call: str | CallFeatures, *, limit: int, now: datetime, language: str
    ) -> list[dict[str, Any]] | None:
        """The profiles and open calls that fit ``call`` (a held call's IRI, or features), best first, each
        explained; None for an IRI of no held call. ``now`` (aware) decides which calls are open."""
        features = self.call(call) if isinstance(call, str) else self._with_author(call)
        if features is None:
            return None
        with self._timed.labels("call").time():
            return await asyncio.to_thread(self._calls.match, features, limit, now, language)

    async def calls_for_profile(
        self, profile_iri: str, *, limit: int, now: datetime, language: str
    ) -> list[dict[str, Any]] | None:
        """The open calls the profile could answer (requests its offers meet, offers its needs want), best
        first, each explained; None if the profile is unknown."""
        profile = self.profile(profile_iri)
        if profile is None:
            return None
        with self._timed.labels("calls_for_profile").time():
            return await asyncio.to_thread(self._calls.for_profile, profile, limit, now, language)


def _received_profile(actor: str, ntriples: str) -> Profile | None:
    """Matching features of a received profile, from its stored N-Triples."""
    return profile_from_triples(actor, triples_from_ntriples(ntriples))


def _profiles_from_rows(rows: Iterable[tuple[str, str]]) -> list[Profile]:
    """Matching features of received profiles, from their stored N-Triples."""
    found = (_received_profile(actor, ntriples) for actor, ntriples in rows)
    return [profile for profile in found if profile is not None]


def _inherit_sectors(profiles: list[Profile]) -> list[Profile]:
    """The projects that name no sectors, given their organisation's (wherever it came from)."""
    organisations = {profile.id: profile for profile in profiles if profile.kind == "organisation"}
    return [
        _with_sectors(profile, organisations[profile.organisation].sectors)
        for profile in profiles
        if profile.kind == "project"
        and not profile.sectors
        and profile.organisation in organisations
        and organisations[profile.organisation].sectors
    ]


def _name(profile: Profile, language: str) -> str:
    return profile.names.get(language) or next(iter(profile.names.values()), profile.id)


def _with_sectors(profile: Profile, sectors: frozenset[str]) -> Profile:
    return replace(profile, sectors=sectors)
