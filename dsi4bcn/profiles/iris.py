"""Where things live on a node: one place that turns slugs into IRIs and back."""

from urllib.parse import urlsplit

from dsi4bcn.profiles.validation import KINDS, Kind

__all__ = [
    "ACTOR_PATHS",
    "actor_iri",
    "instance_actor_iri",
    "parse_actor_iri",
    "profile_page",
    "shared_inbox",
]

ACTOR_PATHS: dict[Kind, str] = {"organisation": "organisations", "project": "projects"}


def actor_iri(base_url: str, kind: Kind, slug: str) -> str:
    """The id of an organisation or project actor."""
    return f"{base_url}/{ACTOR_PATHS[kind]}/{slug}"


def profile_page(base_url: str, slug: str) -> str:
    """The human page of an actor (its ``url``), on the same host as its id as Mastodon requires."""
    return f"{base_url}/@{slug}"


def instance_actor_iri(base_url: str) -> str:
    """The node's own Application actor, used for node-to-node federation."""
    return f"{base_url}/actor"


def shared_inbox(base_url: str) -> str:
    """The node-wide inbox every local actor advertises as ``endpoints.sharedInbox``."""
    return f"{base_url}/inbox"


def parse_actor_iri(base_url: str, iri: str) -> tuple[Kind, str] | None:
    """``(kind, slug)`` if ``iri`` is a local organisation or project actor id, else None."""
    if not iri.startswith(base_url + "/"):
        return None
    path = urlsplit(iri).path.strip("/").split("/")
    if len(path) != 2:
        return None
    for kind in KINDS:
        if path[0] == ACTOR_PATHS[kind]:
            return kind, path[1]
    return None
