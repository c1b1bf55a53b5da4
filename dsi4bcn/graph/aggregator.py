"""The aggregated graph as the rest of the node sees it: which named graphs it holds, and its description."""

import time
from dataclasses import dataclass, field
from typing import Any

from dsi4bcn.config import Config
from dsi4bcn.graph.counts import GraphCounts
from dsi4bcn.graph.store import GraphStore
from dsi4bcn.graph.sync import PROVENANCE_GRAPH
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import GraphState
from dsi4bcn.storage.peers import PeerStore

__all__ = ["Aggregate"]

_NAMES_TTL = 2.0


@dataclass
class Aggregate:
    """What the SPARQL routes ask of the graph beyond the queries themselves."""

    database: Database
    service: GraphStore
    _names: frozenset[str] = frozenset()
    _names_read: float = 0.0
    counts: GraphCounts = field(init=False)  # the node's primary runs its loop (app.py)
    _state: GraphState = field(init=False)
    _peers: PeerStore = field(init=False)

    def __post_init__(self) -> None:
        self.counts = GraphCounts(self.service)
        self._state = GraphState(self.database)
        self._peers = PeerStore(self.database)

    async def graph_names(self) -> frozenset[str]:
        """Named graphs the node holds (or is about to write), read from SQLite at most every 2 s."""
        if time.monotonic() - self._names_read > _NAMES_TTL:
            self._names = frozenset(await self._state.graph_names()) | {PROVENANCE_GRAPH}
            self._names_read = time.monotonic()
        return self._names

    async def void(self, config: Config) -> dict[str, Any]:
        """VoID + DCAT description of the dataset; its size as last counted (left out before a first count)."""
        counted = await self.counts.current(wait=5.0)
        size = {"void:triples": counted.triples, "void:graphs": counted.graphs} if counted else {}
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
            **size,
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
