"""The network's calls for collaboration as a node service: the list read from SQLite at start, kept in step
as graphs are written, like the directory.

Every change of a call (local or received, a deletion, an author erased with its calls) marks the call's
graph unsynced, so the graph sync's listeners hear of it: each written graph that is a call is read again
(and leaves the list if it is gone), and a local profile's graph brings its calls with it (it may have
stopped being listed). A local call is listed while its author is indexable; a received one while it is
held. Whether a call is open is decided at each request, with the clock, not here.
"""

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from dsi4bcn.config import Config
from dsi4bcn.directory.calllist import CallAnswer, CallEntry, CallList, call_entry
from dsi4bcn.directory.callquery import CallQuery
from dsi4bcn.directory.directoryservice import source_of
from dsi4bcn.metrics import NodeMetrics
from dsi4bcn.profiles.calldocuments import CallRecord, parse_call_iri, render_call
from dsi4bcn.profiles.iris import parse_actor_iri
from dsi4bcn.storage.callstore import Calls
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedcalls import ReceivedCall, ReceivedCalls

__all__ = ["CallDirectory"]

log = logging.getLogger(__name__)
_LOAD_PAGE = 1000  # calls read at a time when the node starts


def _received_entry(call: ReceivedCall) -> CallEntry | None:
    return call_entry(call.document, source=source_of(call.peer), local=False)


class CallDirectory:
    """The calls this node lists: its own (of indexable profiles) and those it holds from its peers."""

    def __init__(
        self, config: Config, database: Database, profiles: ProfileStore, metrics: NodeMetrics | None = None
    ) -> None:
        self._config = config
        self._timed = (metrics or NodeMetrics()).directory_duration.labels("calls")
        self._calls = Calls(database)
        self._received = ReceivedCalls(database)
        self._profiles = profiles
        self.calls = CallList()
        self.ready = asyncio.Event()
        self._missed: list[str] = []  # graphs written while the list was loading
        self._lock = asyncio.Lock()

    def _document(self, record: CallRecord) -> dict[str, Any]:
        return render_call(record, base_url=self._config.base_url, language=self._config.language)

    async def _local_entries(self, records: Iterable[CallRecord]) -> list[CallEntry]:
        """The entries of live local calls whose authors are listed (live and indexable)."""
        listed: dict[str, bool] = {}
        entries = []
        for record in records:
            if record.author not in listed:
                author = await self._profiles.get(record.author)
                listed[record.author] = bool(
                    author and not author.deleted and author.fields.get("indexable") is not False
                )
            entry = call_entry(self._document(record), source=self._config.authority, local=True)
            if listed[record.author] and not record.deleted and entry is not None:
                entries.append(entry)
        return entries

    async def load(self) -> None:
        """Read every live local and received call into a new list, then serve it."""
        entries: list[CallEntry] = []
        offset = 0
        while page := await self._calls.live(limit=_LOAD_PAGE, offset=offset):
            entries.extend(await self._local_entries(page))
            offset += len(page)
        after = ""
        while received := await self._received.live(after=after, limit=_LOAD_PAGE):
            after = received[-1].iri
            entries.extend(found for call in received if (found := _received_entry(call)) is not None)
        self.calls = await asyncio.to_thread(CallList, entries)
        self.ready.set()
        log.info("calls: %d listed", len(self.calls))
        missed, self._missed = self._missed, []
        await self.refresh(missed)

    async def refresh(self, graphs: Iterable[str]) -> None:
        """Read again the calls among ``graphs``, and the calls of the local profiles among them."""
        if not self.ready.is_set():
            self._missed.extend(graphs)
            return
        base = self._config.base_url
        local_calls: list[CallRecord] = []
        others: list[str] = []
        async with self._lock:
            for graph in dict.fromkeys(graphs):
                if (call_id := parse_call_iri(base, graph)) is not None:
                    record = await self._calls.get(call_id)
                    self.calls.remove(graph)
                    local_calls.extend([record] if record is not None else [])
                elif (actor := parse_actor_iri(base, graph)) is not None:
                    records = await self._calls.of_author(actor[1])
                    for iri in [entry.iri for entry in self.calls.of_author(graph, None)]:
                        self.calls.remove(iri)
                    local_calls.extend(records)
                else:
                    others.append(graph)
            for entry in await self._local_entries(local_calls):
                self.calls.upsert(entry)
            await self._refresh_received(others)

    async def _refresh_received(self, graphs: list[str]) -> None:
        held = await self._received.held(graphs)
        for graph in graphs:
            call = held.get(graph)
            entry = _received_entry(call) if call is not None else None
            if entry is None:
                self.calls.remove(graph)
            else:
                self.calls.upsert(entry)

    def search(self, query: CallQuery, now: str) -> CallAnswer:
        """The answer to a checked query at ``now`` (timed for ``/metrics``)."""
        with self._timed.time():
            return self.calls.search(query, now)

    def of_author(self, author: str, now: str) -> list[CallEntry]:
        """The open calls of the profile ``author`` (an IRI), newest first."""
        return self.calls.of_author(author, now)

    async def document(self, entry: CallEntry) -> Mapping[str, Any] | None:
        """The canonical proposal of a listed call, as it is now (None if it has just gone)."""
        call_id = parse_call_iri(self._config.base_url, entry.iri) if entry.local else None
        if call_id is not None:
            record = await self._calls.get(call_id)
            return self._document(record) if record is not None and not record.deleted else None
        held = await self._received.get(entry.iri)
        return held.document if held is not None else None
