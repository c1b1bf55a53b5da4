"""The directory as a node service: the index loaded from SQLite at start, kept in step as graphs are written.

Like the matcher, it re-reads every graph the graph sync writes (a local or a received profile), so a
profile's change, deletion or erasure reaches the directory within the sync's latency; a profile that is
deleted, erased or not indexable leaves it. A received profile's source is the node it came from (the
peer's origin); a local one's is this node.
"""

import asyncio
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from dsi4bcn.config import Config
from dsi4bcn.directory.engine import DirectoryAnswer, DirectoryIndex
from dsi4bcn.directory.entries import Entry, entry_from_triples, with_sectors
from dsi4bcn.directory.query import DirectoryQuery
from dsi4bcn.matching.features import triples_from_ntriples
from dsi4bcn.profiles.documents import render_actor
from dsi4bcn.profiles.iris import actor_iri, parse_actor_iri
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.directoryindex import received_for_directory
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

    def __init__(self, config: Config, database: Database, profiles: ProfileStore) -> None:
        self._config = config
        self._database = database
        self._received = ReceivedProfiles(database)
        self._profiles = profiles
        self.index = DirectoryIndex()
        self.ready = asyncio.Event()
        self._missed: list[str] = []  # graphs written while the index was loading

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

    async def load(self) -> None:
        """Read every local and received profile into a new index (built in a thread), then use it."""
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
        self.index = index
        self.ready.set()
        missed, self._missed = self._missed, []
        await self.refresh(missed)  # what changed while it loaded, read again into the new index
        log.info("directory: %d entries", len(index))

    async def refresh(self, graphs: Iterable[str]) -> None:
        """Re-read changed graphs into the index; those that are no longer listable leave it."""
        if not self.ready.is_set():
            self._missed.extend(graphs)
            return
        for graph in dict.fromkeys(graphs):
            entry = await self._read(graph)
            if entry is None:
                self.index.remove(graph)
                continue
            if entry.organisation is not None:
                organisation = self.index.get(entry.organisation)
                if organisation is not None:
                    entry = with_sectors(entry, organisation.concepts.get("sector", frozenset()))
            before = self.index.get(graph)
            self.index.upsert(entry)
            sectors = entry.concepts.get("sector", frozenset())
            if entry.kind == "organisation" and (before is None or before.concepts.get("sector") != sectors):
                projects = [e for e in self.index.entries() if e.organisation == entry.id]
                for project in projects:
                    own = await self._read(project.id)
                    if own is not None:
                        self.index.upsert(with_sectors(own, sectors))

    def search(self, query: DirectoryQuery, language: str) -> DirectoryAnswer:
        """The answer to a checked query."""
        return self.index.search(query, language)

    def entry(self, iri: str) -> Entry | None:
        """The entry of ``iri``, if the directory holds it."""
        return self.index.get(iri)

    def projects_of(self, organisation: str) -> list[Entry]:
        """The projects the directory holds whose organisation is ``organisation``."""
        return [entry for entry in self.index.entries() if entry.organisation == organisation]
