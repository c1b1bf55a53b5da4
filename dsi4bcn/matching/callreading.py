"""The calls the matcher holds, read from SQLite: local calls through their published proposal, received
calls from their stored N-Triples, so that both are read from the same RDF (``callfeatures``)."""

import asyncio
from collections.abc import Iterable

from dsi4bcn.config import Config
from dsi4bcn.matching.callfeatures import call_from_triples
from dsi4bcn.matching.callmodel import CallFeatures
from dsi4bcn.matching.features import triples_from_ntriples
from dsi4bcn.profiles.calldocuments import parse_call_iri, render_call
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.receivedcalls import ReceivedCalls
from vocab.fastld import document_triples

__all__ = ["CallReading"]

_PAGE = 1000
_ALL_LOCAL = 100_000


def _received(rows: Iterable[tuple[str, str]]) -> list[CallFeatures]:
    found = (call_from_triples(iri, triples_from_ntriples(ntriples)) for iri, ntriples in rows)
    return [call for call in found if call is not None]


class CallReading:
    """Reads calls (local and received) into matching features."""

    def __init__(self, config: Config, database: Database) -> None:
        self._config = config
        self._local = Calls(database)
        self._received = ReceivedCalls(database)

    def is_local_call(self, graph: str) -> bool:
        """Whether ``graph`` names a call of this node."""
        return parse_call_iri(self._config.base_url, graph) is not None

    async def read(self, graph: str) -> CallFeatures | None:
        """The call in ``graph`` as it is now; None if there is none (deleted, or not a call)."""
        local = parse_call_iri(self._config.base_url, graph)
        if local is not None:
            record = await self._local.get(local)
            if record is None or record.deleted:
                return None
            document = render_call(record, base_url=self._config.base_url, language=self._config.language)
            triples, _ = document_triples(document)
            return call_from_triples(graph, triples)
        ntriples = await self._received.ntriples(graph)
        return None if ntriples is None else call_from_triples(graph, triples_from_ntriples(ntriples))

    async def all(self) -> list[CallFeatures]:
        """Every live call, local and received (received ones read a page at a time, in a thread)."""
        calls: list[CallFeatures] = []
        for record in await self._local.live(limit=_ALL_LOCAL):
            call = await self.read(f"{self._config.base_url}/calls/{record.id}")
            if call is not None:
                calls.append(call)
        after = ""
        while page := await self._received.page(after, _PAGE):
            after = page[-1][0]
            calls.extend(await asyncio.to_thread(_received, page))
        return calls
