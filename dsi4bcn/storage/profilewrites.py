"""Writes of local profiles with the hooks the app registers: some run in the write's transaction, some after.

The admin API validates a profile and hands it here; what else a change entails (announcing it to
followers, marking its graph unsynced, waking the loops that act on that) is registered by ``app.py``:
transaction hooks run inside the SQLite transaction of the write, with its connection, so that the change
and what it owes are committed together or not at all; committed hooks run once that transaction is
committed (to wake loops), and only if something was written.
"""

from collections.abc import Callable, Mapping
from typing import Any

import aiosqlite

from dsi4bcn.profiles.actorrecords import ActorRecord
from dsi4bcn.profiles.validation import Kind
from dsi4bcn.storage.localactors import ProfileStore, WriteHook

__all__ = ["CommittedHook", "ProfileWrites"]

# Runs after a profile write was committed: (the record written, whether it was created).
CommittedHook = Callable[[ActorRecord, bool], None]


class ProfileWrites:
    """Creates, replaces and deletes local profiles in ``store``, calling the registered hooks."""

    def __init__(self, store: ProfileStore) -> None:
        self._store = store
        self._in_transaction: list[WriteHook] = []
        self._committed: list[CommittedHook] = []

    def in_transaction(self, hook: WriteHook) -> None:
        """Call ``hook(connection, record, created)`` inside every profile write's transaction."""
        self._in_transaction.append(hook)

    def committed(self, hook: CommittedHook) -> None:
        """Call ``hook(record, created)`` after every profile write is committed."""
        self._committed.append(hook)

    async def put(
        self, kind: Kind, slug: str, fields: Mapping[str, Any], organisation: str | None
    ) -> tuple[ActorRecord, bool]:
        """Create or replace a profile (see ``ProfileStore.put``); return it and whether it was created."""
        written: list[bool] = []
        record, created = await self._store.put(kind, slug, fields, organisation, then=self._hooks(written))
        self._after(record, written)
        return record, created

    async def delete(self, kind: Kind, slug: str) -> ActorRecord | None:
        """Delete a profile (see ``ProfileStore.delete``); None if there is no such live profile."""
        written: list[bool] = []
        record = await self._store.delete(kind, slug, then=self._hooks(written))
        if record is not None:
            self._after(record, written)
        return record

    def _hooks(self, written: list[bool]) -> WriteHook:
        """One hook for the store calling every registered one; it notes in ``written`` that it ran."""

        async def run(connection: aiosqlite.Connection, record: ActorRecord, created: bool) -> None:
            for hook in self._in_transaction:
                await hook(connection, record, created)
            written.append(created)

        return run

    def _after(self, record: ActorRecord, written: list[bool]) -> None:
        """The committed hooks, if the store wrote (rewriting an unchanged profile writes nothing)."""
        if written:
            for hook in self._committed:
                hook(record, written[0])
