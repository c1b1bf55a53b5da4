"""The aggregated graph as the rest of the node sees it: the graph process, its sync, and what it holds."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from dsi4bcn.config import Config
from dsi4bcn.graph.process import GraphService
from dsi4bcn.graph.sync import PROVENANCE_GRAPH, GraphSync
from dsi4bcn.matching.service import Matcher
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import GraphState
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.peers import PeerStore
from dsi4bcn.supervise import LoopHealth, stop_tasks, supervised

__all__ = ["Aggregate", "start_aggregate"]

_NAMES_TTL = 2.0


@dataclass
class Aggregate:
    """Shared by the SPARQL routes, the inbox processor and the peering code."""

    database: Database
    service: GraphService
    sync: GraphSync
    task: "asyncio.Task[None] | None" = None
    matcher: Matcher | None = None
    matcher_task: "asyncio.Task[None] | None" = None
    loops: dict[str, LoopHealth] = field(default_factory=dict)
    _names: frozenset[str] = frozenset()
    _names_read: float = 0.0
    _state: GraphState = field(init=False)
    _peers: PeerStore = field(init=False)

    def __post_init__(self) -> None:
        self._state = GraphState(self.database)
        self._peers = PeerStore(self.database)

    async def graph_names(self) -> frozenset[str]:
        """Named graphs the node holds (or is about to write), read from SQLite at most every 2 s."""
        if time.monotonic() - self._names_read > _NAMES_TTL:
            self._names = frozenset(await self._state.graph_names()) | {PROVENANCE_GRAPH}
            self._names_read = time.monotonic()
        return self._names

    async def void(self, config: Config) -> dict[str, Any]:
        """VoID + DCAT description of the dataset."""
        stats = await self.service.stats()
        peers = await self._peers.actors()
        updated = await self._state.last_modified()
        base = config.base_url
        return {
            "@context": {
                "void": "http://rdfs.org/ns/void#",
                "dcat": "http://www.w3.org/ns/dcat#",
                "dcterms": "http://purl.org/dc/terms/",
                "xsd": "http://www.w3.org/2001/XMLSchema#",
            },
            "@id": f"{base}/graph/void#dataset",
            "@type": ["void:Dataset", "dcat:Dataset"],
            "dcterms:title": [
                {"@value": "Xarxa DSI4BCN: dades agregades", "@language": "ca"},
                {"@value": "Red DSI4BCN: datos agregados", "@language": "es"},
                {"@value": "DSI4BCN network: aggregated data", "@language": "en"},
            ],
            "dcterms:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
            "dcterms:modified": {"@value": updated or "", "@type": "xsd:dateTime"},
            "void:triples": stats["triples"],
            "void:graphs": stats["graphs"],
            "dcterms:source": [{"@id": peer} for peer in peers],
            "void:sparqlEndpoint": {"@id": f"{base}/sparql"},
            "void:dataDump": {"@id": f"{base}/graph"},
            "void:vocabulary": [
                {"@id": "https://w3id.org/dsi4bcn/ns#"},
                {"@id": "https://www.w3.org/ns/activitystreams#"},
            ],
            "dcat:distribution": [
                {
                    "@type": "dcat:Distribution",
                    "dcat:downloadURL": {"@id": f"{base}/graph"},
                    "dcat:mediaType": "application/n-quads",
                },
                {
                    "@type": "dcat:Distribution",
                    "dcat:accessURL": {"@id": f"{base}/sparql"},
                    "dcat:mediaType": "application/sparql-results+json",
                },
            ],
        }

    async def stop(self) -> None:
        """Stop the sync loop, the matching index loader and the graph process."""
        await stop_tasks([self.task, self.matcher_task])
        await self.service.stop()


async def start_aggregate(config: Config, database: Database, profiles: ProfileStore) -> Aggregate:
    """Start the graph process, make sure SQLite and the store agree, and start syncing."""
    service = GraphService(config.data_dir / "graph")
    await service.start()
    sync = GraphSync(config, database, profiles, service)
    await sync.reconcile()
    matcher = Matcher(config, database, profiles)
    aggregate = Aggregate(database=database, service=service, sync=sync, matcher=matcher)
    matching = aggregate.loops["matching-index"] = LoopHealth("matching-index")
    aggregate.matcher_task = asyncio.create_task(
        supervised("matching-index", matcher.load, health=matching, until_done=True), name="matching-index"
    )
    sync.listeners.append(matcher.refresh)
    syncing = aggregate.loops["graph-sync"] = LoopHealth("graph-sync")
    aggregate.task = asyncio.create_task(supervised("graph-sync", sync.run, health=syncing), name="graph-sync")
    return aggregate
