"""The directory as a node service: the index loaded from SQLite at start, kept in step as graphs are written.

Like the matcher, it re-reads every graph the graph sync writes (a local or a received profile), so a
profile's change, deletion or erasure reaches the directory within the sync's latency; a profile that is
deleted, erased or not indexable leaves it. A received profile's source is the node it came from (the
peer's origin); a local one's is this node.

The index is saved in the data folder (``snapshot``) after it is built and when the node stops. At start,
a snapshot made by the same code for the same node is read back and serves at once; then the profiles
that changed while the node was down (their graph's version differs from the one the snapshot reflects,
or they are new or gone) and the node's own profiles are read again, as the graph sync's changes are.
Without a usable snapshot the index is built from the database, as before, and then saved.
"""

import asyncio
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from dsi4bcn.config import LANGUAGES, Config
from dsi4bcn.directory.engine import DirectoryAnswer, DirectoryIndex
from dsi4bcn.directory.entries import Entry, entry_from_triples, with_sectors
from dsi4bcn.directory.query import DirectoryQuery
from dsi4bcn.directory.snapshot import (
    FORMAT,
    SNAPSHOT_NAME,
    Snapshot,
    code_digest,
    load_snapshot,
    save_snapshot,
    vocabulary_digest,
)
from dsi4bcn.matching.features import triples_from_ntriples
from dsi4bcn.metrics import NodeMetrics
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.iris import actor_iri, parse_actor_iri
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.directoryindex import graph_versions, received_for_directory
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedprofiles import ReceivedProfiles
from federation.hosts import origin
from vocab.fastld import document_triples

__all__ = ["DirectoryService", "source_of"]

log = logging.getLogger(__name__)
_LOAD_PAGE = 1000  # received profiles read (and turned into entries) at a time when the node starts


def source_of(peer: str) -> str:
    """The source node of a profile received from ``peer`` (its instance actor): its host and port."""
    return urlsplit(origin(peer)).netloc


def _received_entry(actor: str, peer: str, ntriples: str) -> Entry | None:
    return entry_from_triples(actor, triples_from_ntriples(ntriples), source=source_of(peer), local=False)


def _received_entries(rows: Iterable[tuple[str, str, str]]) -> list[Entry]:
    found = (_received_entry(actor, peer, ntriples) for actor, peer, ntriples in rows)
    return [entry for entry in found if entry is not None]


def _inherit_sectors(entries: list[Entry]) -> list[Entry]:
    """Projects that name no sector given their organisation's (wherever it came from)."""
    organisations = {entry.id: entry for entry in entries if entry.kind == "organisation"}
    return [
        with_sectors(entry, organisations[entry.organisation].concepts.get("sector", frozenset()))
        if entry.organisation in organisations
        else entry
        for entry in entries
    ]


class DirectoryService:
    """Search over every organisation and project the node knows (local and received)."""

    def __init__(
        self, config: Config, database: Database, profiles: ProfileStore, metrics: NodeMetrics | None = None
    ) -> None:
        self._config = config
        self._timed = (metrics or NodeMetrics()).directory_duration.labels("profiles")
        self._database = database
        self._received = ReceivedProfiles(database)
        self._profiles = profiles
        self.index = DirectoryIndex()
        self.ready = asyncio.Event()
        self._missed: list[str] = []  # graphs written while the index was loading
        self.snapshot_path = config.data_dir / SNAPSHOT_NAME
        self.loaded_from = ""  # "snapshot" or "database", once loaded
        self._seen: dict[str, int] = {}  # graph -> the version the index reflects (read before its content)
        self._lock = asyncio.Lock()  # changes to the index, and saving it, one at a time
        self._dirty = False  # changed since it was last saved

    @property
    def own_source(self) -> str:
        """This node's source name (its authority)."""
        return self._config.authority

    async def _local(self, slug_kind: str, slug: str) -> Entry | None:
        record = await self._profiles.get(slug)
        if record is None or record.deleted or record.fields.get("indexable") is False or record.kind != slug_kind:
            return None
        document = render_actor(
            record, base_url=self._config.base_url, authority=self._config.authority, language=self._config.language
        )
        iri = actor_iri(self._config.base_url, record.kind, record.slug)
        triples, _ = document_triples(document)
        return entry_from_triples(iri, triples, source=self._config.authority, local=True)

    async def _read(self, graph: str) -> Entry | None:
        """The entry of ``graph`` as it is now, or None (gone, erased, not indexable, not a profile)."""
        parsed = parse_actor_iri(self._config.base_url, graph)
        if parsed is not None:
            return await self._local(parsed[0], parsed[1])
        held = (await self._received.live([graph])).get(graph)
        if held is None:
            return None
        return await asyncio.to_thread(_received_entry, graph, held.peer, held.ntriples)

    def _identity(self) -> dict[str, str]:
        """What a snapshot must have been made for to be trusted here."""
        return {
            "format": str(FORMAT),
            "code": code_digest(),
            "base_url": self._config.base_url,
            "authority": self._config.authority,
            "vocabulary": vocabulary_digest(),
        }

    async def load(self) -> None:
        """Serve the saved index and catch up with what changed meanwhile, or build the index afresh."""
        loaded = await asyncio.to_thread(load_snapshot, self.snapshot_path, self._identity())
        if loaded is None:
            await self._build()
            self.loaded_from = "database"
        else:
            self.index, self._seen = loaded
            self.ready.set()
            self.loaded_from = "snapshot"
            log.info("directory: %d entries from %s", len(self.index), self.snapshot_path)
            await self._catch_up()
        missed, self._missed = self._missed, []
        await self.refresh(missed)  # what changed while it loaded, read again into the new index
        if self._dirty or self.loaded_from == "database":
            await self.save()

    async def _catch_up(self) -> None:
        """Read again the graphs whose version is not the one the saved index reflects (changed, new or
        gone while the node was down) and the node's own profiles (few; written without a version too)."""
        versions = await graph_versions(self._database)
        changed = [graph for graph, version in versions.items() if self._seen.get(graph) != version]
        changed += [graph for graph in self._seen if graph not in versions]
        base = self._config.base_url
        local = [
            actor_iri(base, record.kind, record.slug)
            for kind in ("organisation", "project")
            for record in await self._profiles.list(kind)
        ]
        local += [iri for iri in self.index.ids() if iri.startswith(base) and parse_actor_iri(base, iri) is not None]
        log.info("directory: %d graphs changed since the snapshot; %d local profiles", len(changed), len(local))
        await self.refresh([*changed, *local])

    async def _build(self) -> None:
        """Read every local and received profile into a new index (built in a thread), then use it."""
        seen = await graph_versions(self._database)  # before the contents: later changes will show
        entries: list[Entry] = []
        for kind in ("organisation", "project"):
            for record in await self._profiles.list(kind):
                entry = await self._local(record.kind, record.slug)
                if entry is not None:
                    entries.append(entry)
        after = ""
        while True:
            page = await received_for_directory(self._database, after, _LOAD_PAGE)
            if not page:
                break
            after = page[-1][0]
            entries.extend(await asyncio.to_thread(_received_entries, page))
        index = DirectoryIndex()
        await asyncio.to_thread(index.upsert_many, _inherit_sectors(entries))
        self.index, self._seen = index, seen
        self.ready.set()
        log.info("directory: %d entries", len(index))

    async def save(self) -> None:
        """Write the index to the data folder (in a thread; changes wait meanwhile). A failure is logged."""
        if not self.ready.is_set():
            return
        identity = self._identity()
        async with self._lock:
            index, versions = self.index, dict(self._seen)
            try:
                await asyncio.to_thread(self._write, index, identity, versions)
            except OSError as error:
                log.warning("cannot save the directory snapshot %s: %s", self.snapshot_path, error)
                return
            self._dirty = False

    def _write(self, index: DirectoryIndex, identity: dict[str, str], versions: dict[str, int]) -> None:
        """In a thread, while no change is made: the index's state (with every language's name order)."""
        save_snapshot(self.snapshot_path, Snapshot(identity, versions, index.state(LANGUAGES)))

    async def close(self) -> None:
        """When the node stops: save the index if it changed since it was last saved."""
        if self._dirty:
            await self.save()

    async def refresh(self, graphs: Iterable[str]) -> None:
        """Re-read changed graphs into the index; those that are no longer listable leave it."""
        if not self.ready.is_set():
            self._missed.extend(graphs)
            return
        wanted = list(dict.fromkeys(graphs))
        if not wanted:
            return
        async with self._lock:
            versions = await graph_versions(self._database, wanted)  # before the contents, as in _build
            for graph in wanted:
                await self._refresh_one(graph)
                if graph in versions:
                    self._seen[graph] = versions[graph]
                else:
                    self._seen.pop(graph, None)
            self._dirty = True

    async def _refresh_one(self, graph: str) -> None:
        """Read ``graph`` again; an organisation's change (or departure) reaches its projects' sectors."""
        entry = await self._read(graph)
        if entry is None:
            before = self.index.get(graph)
            self.index.remove(graph)
            if before is not None and before.kind == "organisation":
                for project in self.index.projects_of(graph):  # they no longer inherit its sectors
                    own = await self._read(project)
                    if own is not None:
                        self.index.upsert(own)
            return
        if entry.organisation is not None:
            organisation = self.index.get(entry.organisation)
            if organisation is not None:
                entry = with_sectors(entry, organisation.concepts.get("sector", frozenset()))
        before = self.index.get(graph)
        if before == entry:
            return  # unchanged (a snapshot's catch-up reads the node's own profiles again, for one)
        self.index.upsert(entry)
        sectors = entry.concepts.get("sector", frozenset())
        if entry.kind == "organisation" and (before is None or before.concepts.get("sector") != sectors):
            for project in self.index.projects_of(entry.id):
                own = await self._read(project)
                if own is not None:
                    self.index.upsert(with_sectors(own, sectors))

    def search(self, query: DirectoryQuery, language: str) -> DirectoryAnswer:
        """The answer to a checked query (timed for ``/metrics``)."""
        with self._timed.time():
            return self.index.search(query, language)

    def entry(self, iri: str) -> Entry | None:
        """The entry of ``iri``, if the directory holds it."""
        return self.index.get(iri)

    def projects_of(self, organisation: str) -> list[Entry]:
        """The projects the directory holds whose organisation is ``organisation``."""
        found = (self.index.get(iri) for iri in self.index.projects_of(organisation))
        return [entry for entry in found if entry is not None]
