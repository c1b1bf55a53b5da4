"""Keep the Oxigraph store in step with SQLite, which says what each named graph must contain.

Every change to a profile (local or received) marks its graph unsynced in the same SQLite transaction;
this loop writes unsynced graphs, with their provenance, to the graph process in batches (one store
transaction each) and marks them synced only if nothing changed meanwhile. A crash or a killed graph
process therefore only delays a graph, never loses it; ``rebuild`` empties the store and writes all again.

Layout: one named graph per actor, named by the actor's IRI, and one per call for collaboration, local or
received, named by the call's IRI (its FEP-0837 ``Proposal``, while the call and its author live), and one
per agreement made on a call, named by the agreement's IRI; the vocabulary in
``https://w3id.org/dsi4bcn/ns``; provenance about every graph in ``urn:dsi4bcn:provenance`` (PROV-O and
Dublin Core: source node, activity, received and updated times, verifying key).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dsi4bcn.config import Config
from dsi4bcn.graph.process import GraphError, QueryTimeout
from dsi4bcn.graph.store import GraphStore
from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.calldocuments import parse_call_iri, render_call
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.iris import actor_iri, instance_actor_iri, parse_actor_iri
from dsi4bcn.profiles.ntriples import Triple, to_ntriples
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.database import Connection, Database
from dsi4bcn.storage.graphstate import GraphState, mark_unsynced
from dsi4bcn.storage.localactors import ProfileStore, WriteHook, utc_now
from dsi4bcn.storage.receivedcalls import ReceivedCalls
from dsi4bcn.storage.receivedprofiles import ReceivedProfile, ReceivedProfiles
from dsi4bcn.supervise import wait_for_event
from vocab.fastld import document_triples
from vocab.graph import vocabulary_fingerprint, vocabulary_ntriples
from vocab.namespace import ONTOLOGY_IRI

__all__ = ["PROVENANCE_GRAPH", "VOCABULARY_GRAPH", "GraphSync", "profile_marker"]

log = logging.getLogger(__name__)
PROVENANCE_GRAPH = "urn:dsi4bcn:provenance"
VOCABULARY_GRAPH = ONTOLOGY_IRI
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
DSI = "https://w3id.org/dsi4bcn/ns#"
_BATCH = 500


def profile_marker(base_url: str) -> WriteHook:
    """A profile write hook that marks the written local profile's graph unsynced, in the write's transaction."""

    async def mark(connection: Connection, record: ActorRecord, _created: bool) -> None:
        await mark_unsynced(connection, [actor_iri(base_url, record.kind, record.slug)])

    return mark


def _provenance(
    graph: str, *, source: str, updated: str, received: str, activity: str | None, key: str | None
) -> list[Triple]:
    subject = ("iri", graph)
    triples: list[Triple] = [
        (subject, ("iri", RDF_TYPE), ("iri", PROV + "Entity")),
        (subject, ("iri", PROV + "wasAttributedTo"), ("iri", source)),
        (subject, ("iri", DCTERMS + "source"), ("iri", graph)),
        (subject, ("iri", PROV + "generatedAtTime"), ("literal", received, XSD_DATETIME, "")),
        (subject, ("iri", DCTERMS + "modified"), ("literal", updated, XSD_DATETIME, "")),
    ]
    if activity:
        triples.append((subject, ("iri", PROV + "wasDerivedFrom"), ("iri", activity)))
    if key:
        triples.append((subject, ("iri", DSI + "verificationKey"), ("iri", key)))
    return triples


@dataclass(frozen=True)
class _Prepared:
    """A graph ready to write: its N-Triples and its provenance (None drops it)."""

    graph: str
    version: int
    written: bool
    content: str | None
    about: str | None


class GraphSync:
    """Writes unsynced graphs to the store; wake it after marking graphs."""

    def __init__(self, config: Config, database: Database, profiles: ProfileStore, graph: GraphStore) -> None:
        self._config = config
        self._state = GraphState(database)
        self._received = ReceivedProfiles(database)
        self._profiles = profiles
        self._calls = Calls(database)
        self._received_calls = ReceivedCalls(database)
        self._offers = CallOffers(database)
        self._graph = graph
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()
        # Called with the graphs just written (the matching index re-reads them).
        self.listeners: list[Callable[[list[str]], Awaitable[None]]] = []

    def on_written(self, listener: Callable[[list[str]], Awaitable[None]]) -> None:
        """Call ``listener(graphs)`` after each batch of graphs is written to the store."""
        self.listeners.append(listener)

    def poke(self) -> None:
        """Look for unsynced graphs now (some were just marked)."""
        self.wake.set()

    async def reconcile(self) -> None:
        """At start-up: every local actor and the vocabulary have a sync row; a changed vocabulary is rewritten,
        and so is every graph if the node now writes to another store than before."""
        base = self._config.base_url
        graphs = [
            actor_iri(base, record.kind, record.slug)
            for kind in ("organisation", "project")
            for record in await self._profiles.list(kind)
        ]
        changed_from = await self._state.adopt_store(self._graph.identity)
        if changed_from is not None:
            log.warning(
                "the graph store was %s and is now %s: every graph will be written to it again",
                changed_from,
                self._graph.identity,
            )
        vocabulary_hash = vocabulary_fingerprint()
        changed = await self._state.vocabulary_hash() != vocabulary_hash
        await self._state.add_graphs(graphs, vocabulary=(VOCABULARY_GRAPH, vocabulary_hash) if changed else None)

    async def rebuild(self) -> int:
        """Empty the store and mark every graph unsynced; returns how many graphs will be written."""
        await self._graph.clear()
        await self._state.mark_all_unsynced()
        await self.reconcile()
        unsynced = await self._state.count_unsynced()
        self.wake.set()
        return unsynced

    async def run(self) -> None:
        """Sync until cancelled."""
        while True:
            # Cleared before looking for work, so that a wake-up during a sync is never lost.
            self.wake.clear()
            try:
                done = await self.sync_once()
            except GraphError as error:
                log.warning("writing graphs failed (%s); retrying", error)
                done = 0
                await asyncio.sleep(1.0)
            except Exception:  # a bad graph must not stop the sync of all the others; logged, retried later
                log.exception("preparing graphs for the store failed; retrying")
                done = 0
                await asyncio.sleep(1.0)
            if done < _BATCH:
                self.idle.set()
                await wait_for_event(self.wake, 5.0)
                self.idle.clear()

    async def sync_once(self) -> int:
        """Write one batch of unsynced graphs; how many were handled (written or set aside)."""
        rows = await self._state.unsynced(_BATCH)
        if not rows:
            return 0
        remote = await self._received.live([row.graph for row in rows])
        prepared: list[_Prepared] = []
        for row in rows:
            try:
                content, about = await self._content(row.graph, remote)
            except Exception as error:  # this graph alone is set aside, with its reason; the batch goes on
                log.exception("cannot prepare the graph %s for the store", row.graph)
                await self._quarantine(row.graph, row.version, f"{type(error).__name__}: {error}")
                continue
            prepared.append(_Prepared(row.graph, row.version, row.written, content, about))
        if prepared:
            await self._write(prepared)
        await self.notify([item.graph for item in prepared])
        return len(rows)

    async def notify(self, graphs: list[str]) -> None:
        """Hand the listeners graphs just written to the store (by this process, or by the primary worker
        of a pool, as ``written_since`` says)."""
        for listener in self.listeners:
            await listener(graphs)

    async def latest_batch(self) -> int:
        """The number of the last batch of graphs written to the store, by any process of the node."""
        return await self._state.latest_batch()

    async def written_since(self, batch: int) -> tuple[list[str], int]:
        """The graphs written in batches after ``batch``, and the last batch they include."""
        return await self._state.written_since(batch)

    async def _write(self, prepared: list["_Prepared"]) -> None:
        """Write graphs in one store transaction; if the store refuses the batch, write them one by one
        so that only the graphs it refuses are set aside (a graph process that is down fails the batch)."""
        try:
            await self._apply(prepared)
        except Exception as error:  # the batch is split until the graph at fault is found and set aside
            if not await self._store_is_up():
                raise  # not the data's fault: the whole batch is tried again later
            if len(prepared) == 1:
                item = prepared[0]
                log.warning("the store refused the graph %s (%s); set aside", item.graph, error)
                await self._quarantine(item.graph, item.version, str(error))
                return
            half = len(prepared) // 2
            await self._write(prepared[:half])
            await self._write(prepared[half:])

    async def _store_is_up(self) -> bool:
        try:
            await self._graph.ping()
        except (GraphError, QueryTimeout):
            return False
        return True

    async def _apply(self, prepared: list["_Prepared"]) -> None:
        fresh = [item.graph for item in prepared if not item.written]
        if fresh:
            # Marked before writing: if this write fails half-way, the retry replaces instead of adding.
            await self._state.mark_written(fresh)
        await self._graph.apply_with_provenance(
            {item.graph: item.content for item in prepared},
            {item.graph: item.about for item in prepared},
            PROVENANCE_GRAPH,
            fresh,
        )
        await self._state.mark_synced([(item.graph, item.version) for item in prepared])

    async def _quarantine(self, graph: str, version: int, reason: str) -> None:
        """Set a graph aside with ``reason``; what the store held of it is dropped rather than left stale."""
        try:
            await self._graph.apply_with_provenance({graph: None}, {graph: None}, PROVENANCE_GRAPH, [])
        except GraphError as error:
            log.warning("could not drop the graph %s set aside: %s", graph, error)
        await self._state.set_aside(graph, version, reason)

    async def quarantined(self, limit: int = 20) -> tuple[int, list[dict[str, str]]]:
        """How many graphs are set aside, and the first ``limit`` of them with their reasons."""
        count, graphs = await self._state.set_aside_graphs(limit)
        return count, [{"graph": item.graph, "reason": item.reason} for item in graphs]

    async def pending(self) -> int:
        """How many graphs wait to be written (not counting those set aside)."""
        return await self._state.count_pending()

    async def _content(self, graph: str, remote: dict[str, ReceivedProfile]) -> tuple[str | None, str | None]:
        """N-Triples of a graph and of its provenance; ``(None, None)`` to drop both."""
        base = self._config.base_url
        if graph == VOCABULARY_GRAPH:
            about = _provenance(
                graph, source=instance_actor_iri(base), updated=utc_now(), received=utc_now(), activity=None, key=None
            )
            return vocabulary_ntriples(), to_ntriples(about, PROVENANCE_GRAPH)
        parsed = parse_actor_iri(base, graph)
        if parsed is not None:
            record = await self._profiles.get(parsed[1])
            if record is None or record.deleted or record.fields.get("indexable") is False:
                return None, None
            document = render_actor(
                record, base_url=base, authority=self._config.authority, language=self._config.language
            )
            triples, _ = document_triples(document)
            about = _provenance(
                graph,
                source=instance_actor_iri(base),
                updated=record.updated,
                received=record.updated,
                activity=None,
                key=None,
            )
            return to_ntriples(triples, graph), to_ntriples(about, PROVENANCE_GRAPH)
        call_id = parse_call_iri(base, graph)
        if call_id is not None:
            return await self._call_content(graph, call_id)
        row = remote.get(graph)
        if row is None:
            return await self._answer_content(graph)
        about = _provenance(
            graph,
            source=row.peer,
            updated=row.updated,
            received=row.received,
            activity=row.activity_id,
            key=row.key_id,
        )
        return row.ntriples, to_ntriples(about, PROVENANCE_GRAPH)

    async def _call_content(self, graph: str, call_id: str) -> tuple[str | None, str | None]:
        """A local call's graph and provenance; nothing once it, or its author, is deleted or not indexable."""
        base = self._config.base_url
        call = await self._calls.get(call_id)
        author = await self._profiles.get(call.author) if call else None
        if call is None or call.deleted or author is None or author.deleted or author.fields.get("indexable") is False:
            return None, None
        triples, _ = document_triples(render_call(call, base_url=base, language=self._config.language))
        about = _provenance(
            graph, source=instance_actor_iri(base), updated=call.updated, received=call.updated, activity=None, key=None
        )
        return to_ntriples(triples, graph), to_ntriples(about, PROVENANCE_GRAPH)

    async def _answer_content(self, graph: str) -> tuple[str | None, str | None]:
        """A received call's graph, or an agreement's, and its provenance; nothing if neither is held."""
        call = await self._received_calls.get(graph)
        if call is None:
            return await self._agreement_content(graph)
        about = _provenance(
            graph, source=call.peer, updated=call.updated, received=call.received, activity=None, key=None
        )
        return call.ntriples, to_ntriples(about, PROVENANCE_GRAPH)

    async def _agreement_content(self, graph: str) -> tuple[str | None, str | None]:
        """An agreement's graph, with whoever told this node of it as its source; nothing if none is held."""
        agreement = await self._offers.agreement(graph)
        if agreement is None:
            return None, None
        triples, _ = document_triples(agreement.document)
        about = _provenance(
            graph,
            source=agreement.source,
            updated=agreement.accepted,
            received=agreement.accepted,
            activity=None,
            key=None,
        )
        return to_ntriples(triples, graph), to_ntriples(about, PROVENANCE_GRAPH)
