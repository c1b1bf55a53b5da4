"""The latest posts across the network: the node's own and those of the profiles it aggregates from its
peers, newest first, each with its author's name, its author's page on this node (``/@slug`` or
``/network/profile?id=…``) and the node it comes from. The home page, the network feed and the page of a
received profile list them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from dsi4bcn.profiles.iris import profile_page
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.notes import Notes
from dsi4bcn.storage.receivednotes import ReceivedNote, ReceivedNotes
from dsi4bcn.web.receivedview import received_name

__all__ = ["NetworkPost", "latest_network_posts", "received_page", "received_posts"]


@dataclass(frozen=True)
class NetworkPost:
    """A post as the network lists it: ``node`` is the host it comes from, None for this node's own."""

    author: str
    author_page: str
    node: str | None
    note: Mapping[str, Any]

    @property
    def published(self) -> str:
        """When it was published (the stored form sorts as text)."""
        return str(self.note.get("published", ""))


def received_page(iri: str, language: str) -> str:
    """The page on this node of a received profile, in ``language``."""
    return f"/network/profile?{urlencode({'id': iri, 'lang': language})}"


def _received(item: ReceivedNote, language: str) -> NetworkPost:
    return NetworkPost(
        author=received_name(item.author_document, language) or item.author,
        author_page=received_page(item.author, language),
        node=urlsplit(item.author).netloc,
        note=item.note,
    )


def received_posts(items: list[ReceivedNote], language: str) -> list[NetworkPost]:
    """Received notes as the network lists them."""
    return [_received(item, language) for item in items]


async def latest_network_posts(
    notes: Notes, received: ReceivedNotes, store: ProfileStore, *, base_url: str, language: str, limit: int
) -> list[NetworkPost]:
    """The newest ``limit`` posts of this node and of the profiles it aggregates, newest first."""
    names: dict[str, str] = {}
    own: list[NetworkPost] = []
    for local, note in await notes.latest(None, limit):
        if local not in names:
            record = await store.get(local)
            names[local] = record.name(language) if record else local
        own.append(NetworkPost(names[local], f"{profile_page(base_url, local)}?lang={language}", None, note))
    theirs = received_posts(await received.latest(None, limit), language)
    return sorted(own + theirs, key=lambda post: post.published, reverse=True)[:limit]
