"""How a page names an actor or a call it links to: a local profile by its name and page, a received profile
by its name and its page on this node, anyone else as ``name@host`` from their id (a link to their own
server); a call by its title; and the agreements a profile made, as its page lists them."""

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from dsi4bcn.profiles.calldocuments import parse_call_iri
from dsi4bcn.profiles.documents import pick_language
from dsi4bcn.profiles.iris import parse_actor_iri, profile_page
from dsi4bcn.storage.calloffers import CallOffers
from dsi4bcn.web.appkeys import CALLS, CONFIG, DATABASE, RECEIVED_CALLS, RECEIVED_PROFILES, STORE
from dsi4bcn.web.networkposts import received_page

__all__ = ["ActorLabel", "actor_label", "agreements_of", "call_label"]


@dataclass(frozen=True)
class ActorLabel:
    """A name to show and where it leads."""

    name: str
    href: str


async def actor_label(app: web.Application, iri: str, language: str) -> ActorLabel:
    """The label of ``iri`` in ``language``."""
    base_url = app[CONFIG].base_url
    local = parse_actor_iri(base_url, iri)
    if local is not None:
        record = await app[STORE].get(local[1])
        if record is not None and not record.deleted:
            return ActorLabel(record.name(language), f"{profile_page(base_url, record.slug)}?lang={language}")
    received = await app[RECEIVED_PROFILES].document(iri)
    if received is not None:
        document = json.loads(received.document)
        names = document.get("nameMap")
        if isinstance(names, dict) and names and all(isinstance(v, str) for v in names.values()):
            return ActorLabel(pick_language(names, language), received_page(iri, language))
        if isinstance(document.get("name"), str):
            return ActorLabel(document["name"], received_page(iri, language))
    return ActorLabel(_handle_like(iri), iri)


def _handle_like(iri: str) -> str:
    """``name@host`` from an actor id this node knows no name for (``https://b.example/users/ana`` gives
    ``ana@b.example``), else the id itself."""
    parts = urlsplit(iri)
    name = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{name}@{parts.netloc}" if name and parts.netloc else iri


async def call_label(app: web.Application, iri: str, language: str) -> ActorLabel:
    """The title of a local or received call and where it leads (a call's id is its page)."""
    local = parse_call_iri(app[CONFIG].base_url, iri)
    record = await app[CALLS].get(local) if local else None
    if record is not None and not record.deleted:
        return ActorLabel(record.title(language), f"{iri}?lang={language}")
    held = await app[RECEIVED_CALLS].get(iri)
    names = held.document.get("nameMap") if held else None
    if isinstance(names, dict) and names and all(isinstance(v, str) for v in names.values()):
        return ActorLabel(pick_language(names, language), iri)
    if held is not None and isinstance(held.document.get("name"), str):
        return ActorLabel(str(held.document["name"]), iri)
    return ActorLabel(iri, iri)


async def agreements_of(app: web.Application, actor: str, language: str) -> list[dict[str, object]]:
    """The agreements ``actor`` made, as caller or as the one who answered: the call and the other party."""
    found = []
    for agreement in await CallOffers(app[DATABASE]).agreements_of(actor):
        other = agreement.offerer if agreement.proposer == actor else agreement.proposer
        found.append(
            {
                "call": await call_label(app, agreement.call, language),
                "with": await actor_label(app, other, language),
                "date": agreement.accepted[:10],
            }
        )
    return found
