"""Which graph store a node uses: an external SPARQL 1.1 engine if configured, else the embedded one."""

from dsi4bcn.config import Config
from dsi4bcn.graph.process import GraphService
from dsi4bcn.graph.remotestore import RemoteStore
from dsi4bcn.graph.store import GraphStore
from dsi4bcn.storage.database import Database

__all__ = ["graph_store_for"]


def graph_store_for(config: Config, database: Database) -> GraphStore:
    """The external store ``config.graph_store`` names (docs/external-store.md), or the embedded Oxigraph
    store in the data folder's ``graph/``; not started yet."""
    if config.graph_store:
        return RemoteStore(config.graph_store, database)
    return GraphService(config.data_dir / "graph")
