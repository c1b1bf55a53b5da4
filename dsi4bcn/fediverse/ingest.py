"""Ingest profiles received from peer nodes into the aggregated graph, or refuse them with a reason.

A received organisation or project document is turned into RDF with only the bundled contexts (a fast
path for documents in the exact published shape, pyld otherwise; any other remote ``@context`` is refused
without a fetch), checked (no ``@graph``/``@reverse``/``@included``; every subject on the sending actor's
origin; the SHACL shapes) and stored raw in SQLite with its triples, replacing the previous version in one
transaction; the graph sync then rewrites its named graph and provenance. An older ``updated`` never
overwrites a newer one; ``indexable: false`` (FEP-5feb) and ``Delete`` purge the graph and its provenance.

Tombstones are ordered by the origin's clock only. A tombstone's ``updated`` is a time the origin gave
(the ``deleted`` of a listed ``Tombstone``, the ``updated`` of the ``indexable: false`` version) or, for a
``Delete`` that carries none, the ``updated`` of the erased version (also the origin's); the local time of
the erasure goes to ``deleted`` and is never compared with the origin's times. Over a tombstone only a
strictly newer version comes back: an equal one is the erased copy (or one the origin made in the same
second, which the origin's next edit brings back). So a node whose clock runs ahead of a peer's never
blocks that peer's later versions, and an erased copy never returns.
"""

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyld.jsonld import JsonLdError

from dsi4bcn.profiles.images import image_urls
from dsi4bcn.profiles.ntriples import Triple, to_ntriples
from dsi4bcn.storage.blocks import blocked_domains_in, blocked_url
from dsi4bcn.storage.database import Database
from dsi4bcn.storage.graphstate import mark_unsynced
from dsi4bcn.storage.localactors import utc_now
from dsi4bcn.storage.mediastore import drop_profile_images_in, set_profile_images_in
from dsi4bcn.storage.receivedprofiles import (
    HeldVersion,
    NewProfile,
    ReceivedProfiles,
    erase_in,
    held_versions_in,
    write_profiles_in,
)
from federation.activities import forbidden_keyword, is_http_iri
from federation.hosts import origin
from vocab.fastld import document_triples
from vocab.fastshapes import validate_triples

__all__ = ["Checked", "Ingestor", "Refused", "check_profile", "origin_stamp"]

log = logging.getLogger(__name__)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROFILE_TYPES = frozenset({"https://w3id.org/dsi4bcn/ns#Project", "http://www.w3.org/ns/org#Organization"})


class Refused(Exception):
    """A profile that is not ingested, and why."""


@dataclass(frozen=True)
class Checked:
    """A profile that passed every check, ready to store."""

    actor: str
    document: Mapping[str, Any]
    ntriples: str
    updated: str
    indexable: bool
    images: Mapping[str, str] = field(default_factory=dict)  # the URL of its logo and header image


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Refused("the profile has no updated time")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise Refused(f"updated is not a date-time: {value[:40]!r}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def origin_stamp(value: Any) -> str | None:
    """A date-time from a peer's document in the stored form (UTC, seconds, ``Z``), or None if it is none."""
    try:
        return _stamp(_timestamp(value))
    except Refused:
        return None


def check_profile(document: Any, expected_origin: str) -> Checked:
    """Every check that needs no database; raise ``Refused`` with the reason."""
    if not isinstance(document, Mapping) or not isinstance(document.get("id"), str):
        raise Refused("the profile is not a JSON object with an id")
    actor = str(document["id"])
    if not is_http_iri(actor):
        raise Refused("the profile's id is not an absolute http(s) IRI")
    if origin(actor) != expected_origin:
        raise Refused(f"the profile {actor} is not on {expected_origin}")
    problem = forbidden_keyword(document)
    if problem:
        raise Refused(problem)
    updated = _timestamp(document.get("updated"))
    indexable = document.get("indexable") is not False
    try:
        triples, _fast = document_triples(document)
    except (JsonLdError, ValueError, TypeError) as error:
        raise Refused(f"the profile's JSON-LD cannot be processed with the bundled contexts: {error}") from error
    _check_subjects(triples, expected_origin)
    types = {o[1] for s, p, o in triples if s == ("iri", actor) and p == ("iri", RDF_TYPE)}
    if not types & PROFILE_TYPES:
        raise Refused("the document is neither a dsi:Project nor an org:Organization")
    result = validate_triples(triples)
    if not result.conforms:
        shown = "; ".join(str(violation) for violation in result.violations[:3])
        raise Refused(f"the profile breaks the SHACL shapes: {shown}")
    try:
        ntriples = to_ntriples(triples, actor)
    except ValueError as error:
        raise Refused(str(error)) from error
    return Checked(actor, document, ntriples, _stamp(updated), indexable, image_urls(actor, triples))


def _check_subjects(triples: Sequence[Triple], expected_origin: str) -> None:
    for subject, _predicate, _object in triples:
        if subject[0] == "iri" and origin(subject[1]) != expected_origin:
            raise Refused(f"the profile asserts triples about {subject[1]}, which is not on {expected_origin}")


class Ingestor:
    """Stores checked profiles and erasures; wakes the graph sync."""

    def __init__(self, database: Database, wake_sync: Any) -> None:
        self._db = database
        self._profiles = ReceivedProfiles(database)
        self._wake_sync = wake_sync

    async def ingest(
        self,
        document: Any,
        *,
        peer: str,
        activity_id: str | None = None,
        key_id: str | None = None,
    ) -> str:
        """Check and store one profile from ``peer`` (its instance actor); returns the outcome as text."""
        outcomes = await self.ingest_many([document], peer=peer, activity_id=activity_id, key_id=key_id)
        return outcomes[0]

    async def ingest_many(
        self,
        documents: Sequence[Any],
        *,
        peer: str,
        activity_id: str | None = None,
        key_id: str | None = None,
    ) -> list[str]:
        """Check profiles from one peer and store all the acceptable ones in one transaction.

        Each document fails alone: a refusal or any error while checking it is its outcome, and the
        others are still stored. The activity and key ids become provenance IRIs, so they must be IRIs.
        """
        for name, value in (("activity id", activity_id), ("key id", key_id)):
            if value is not None and not is_http_iri(value):
                log.info("refused %d profile(s) from %s: the %s is not an IRI", len(documents), peer, name)
                return [f"refused: the {name} is not an absolute http(s) IRI"] * len(documents)
        checked = _check_each(documents, origin(peer), peer)
        outcomes: list[str] = []
        changed: list[str] = []
        received = utc_now()
        actors = [item.actor for item in checked if not isinstance(item, str)]
        rows_to_write: list[NewProfile] = []
        images: dict[str, Mapping[str, str]] = {}
        erased: list[tuple[str, str]] = []
        async with self._db.transaction() as connection:
            held = await held_versions_in(connection, actors)
            # Read in the transaction, so that a resync or push racing a domain block cannot write after it.
            blocked = await blocked_domains_in(connection)
            for item in checked:
                outcome = item if isinstance(item, str) else _outcome(item, held, blocked)
                outcomes.append(outcome)
                if isinstance(item, str) or not outcome.startswith(("erased", "ingested")):
                    continue
                if outcome.startswith("erased"):
                    erased.append((item.actor, item.updated))
                    held[item.actor] = HeldVersion(item.updated, received)
                else:
                    document = json.dumps(item.document, ensure_ascii=False, separators=(",", ":"))
                    rows_to_write.append(
                        NewProfile(
                            item.actor, peer, document, item.ntriples, activity_id, key_id, received, item.updated
                        )
                    )
                    held[item.actor] = HeldVersion(item.updated, None)
                    images[item.actor] = item.images
            await write_profiles_in(connection, rows_to_write)
            await set_profile_images_in(connection, images)
            for actor, origin_time in erased:
                await erase_in(connection, actor, peer, received, origin_time)
            await drop_profile_images_in(connection, [actor for actor, _time in erased])
            changed = [row.actor for row in rows_to_write] + [actor for actor, _time in erased]
            if changed:
                await mark_unsynced(connection, changed)
        if changed:
            self._wake_sync()
        return outcomes

    async def erase(
        self, actor: str, *, peer: str, origin_time: str | None = None, if_updated: str | None = None
    ) -> bool:
        """Purge a profile (its actor was deleted or withdrew consent); whether there was one to purge.

        ``origin_time`` is when the origin says the profile went (a listed ``Tombstone``'s ``deleted``): a
        held version newer than that is kept, since the tombstone is older than it. ``if_updated`` erases
        only if the held version is still that one (a resync that saw it missing from a listing must not
        erase a version pushed while it was listing). The tombstone keeps the origin's time, or else the
        erased version's ``updated``.
        """
        async with self._db.transaction() as connection:
            row = (await held_versions_in(connection, [actor])).get(actor)
            if row is None or row.deleted is not None:
                return False
            if if_updated is not None and row.updated != if_updated:
                log.info("kept %s: it changed while the resync that found it missing was listing", actor)
                return False
            if origin_time is not None and row.updated > origin_time:
                log.info(
                    "kept %s: the held version (%s) is newer than its tombstone (%s)",
                    actor,
                    row.updated,
                    origin_time,
                )
                return False
            await erase_in(connection, actor, peer, utc_now(), origin_time or row.updated)
            await drop_profile_images_in(connection, [actor])
            await mark_unsynced(connection, [actor])
        self._wake_sync()
        return True

    async def erase_peer(self, peer: str) -> int:
        """Drop every profile received from ``peer`` (the peering was removed)."""
        actors = await self._profiles.remove_peer(peer)
        self._wake_sync()
        return len(actors)

    async def holds(self, actor: str) -> bool:
        """Whether a live (not erased) profile of ``actor`` is held."""
        return await self._profiles.holds(actor)

    async def held(self, peer: str) -> dict[str, str]:
        """``{actor: updated}`` of the live profiles held from ``peer``."""
        return await self._profiles.held(peer)


def _check_each(documents: Sequence[Any], expected: str, peer: str) -> list[Checked | str]:
    """Each document checked alone: its checked form, or the outcome of its refusal or failure."""
    checked: list[Checked | str] = []
    for document in documents:
        actor = document.get("id") if isinstance(document, Mapping) else None
        try:
            checked.append(check_profile(document, expected))
        except Refused as refused:
            log.info("refused the profile %s from %s: %s", actor, peer, refused)
            checked.append(f"refused: {refused}")
        except Exception as error:  # this profile alone fails, recorded with its reason
            log.exception("checking the profile %.200r from %s failed", actor, peer)
            checked.append(f"failed: {type(error).__name__}: {error}")
    return checked


def _outcome(item: Checked, held: Mapping[str, HeldVersion], blocked: Collection[str]) -> str:
    """What becomes of a checked profile, given the versions held and the blocked domains."""
    if blocked and blocked_url(item.actor, blocked):
        return "refused: the domain is blocked"
    version = held.get(item.actor, HeldVersion("", None))
    updated, deleted = version.updated, version.deleted
    if updated > item.updated or (deleted is not None and updated == item.updated):
        # Over a tombstone only a strictly newer version returns: an equal one is the erased copy.
        log.info("ignored a stale version of %s (%s <= %s)", item.actor, item.updated, updated)
        return "stale: a newer version (or its erasure) is already held"
    if updated == item.updated and deleted is None:
        return "unchanged"
    if not item.indexable:
        return "erased: the actor does not want to be indexed"
    return "ingested"
