"""What the node asks of wherever the aggregated graph lives: the interface both graph stores offer.

``process.GraphService`` runs the embedded Oxigraph store in a graph process of its own (the default);
``remotestore.RemoteStore`` keeps the graph in an external SPARQL 1.1 engine through the standard protocols.
The sync, the SPARQL routes, the aggregate and the status pages hold a ``GraphStore`` and never know which.
Failures are ``process.GraphError`` (``kind``: ``syntax`` for the query's own text, ``unavailable`` when an
external engine cannot be reached, ``internal`` otherwise) and ``process.QueryTimeout``.
"""

from pathlib import Path
from typing import Protocol

from dsi4bcn.graph.process import QueryResult

__all__ = ["GraphStore"]


class GraphStore(Protocol):
    """The graph store's operations (see ``process.GraphService`` for what each one means)."""

    restarts: int
    # Which store this is, kept by the sync: a node pointed at another store writes every graph again.
    identity: str

    async def start(self) -> None:
        """Get ready to serve (start the graph process, or open the HTTP session)."""

    async def stop(self) -> None:
        """Finish the writes under way and let go of the store."""

    async def query(
        self,
        query: str,
        *,
        select_format: str,
        graph_format: str,
        cap: int,
        limit: float,
        union: bool = False,
        dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
        base: str | None = None,
    ) -> QueryResult:
        """Run a read-only SPARQL query within ``limit`` seconds, its result capped at ``cap`` rows or triples."""

    async def apply(self, graphs: dict[str, str | None]) -> int:
        """Replace (N-Triples text) or drop (None) named graphs."""

    async def apply_with_provenance(
        self,
        graphs: dict[str, str | None],
        provenance: dict[str, str | None],
        provenance_graph: str,
        fresh: list[str] | None = None,
    ) -> int:
        """Like ``apply``, also replacing what ``provenance_graph`` says about each graph."""

    async def clear(self) -> None:
        """Empty the node's graphs (before a rebuild)."""

    async def stats(self, limit: float = 60.0) -> dict[str, int]:
        """Number of triples (``triples``) and of named graphs (``graphs``): a scan of the store, so the node
        reads them from ``counts.GraphCounts``; ``QueryTimeout`` past ``limit`` seconds."""

    async def ping(self) -> None:
        """Return once the store answers a trivial query; ``GraphError`` (or ``QueryTimeout``) if it cannot."""

    async def graphs(self) -> list[str]:
        """The names of every named graph held."""

    async def dump(self, path: Path, media_type: str) -> Path:
        """Write the whole dataset to ``path`` (N-Quads or TriG)."""
