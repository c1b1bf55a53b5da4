"""NodeInfo 2.1 (https://nodeinfo.diaspora.software/protocol) and the FEP-2677 application-actor link."""

from collections.abc import Mapping
from typing import Any

from federation.media import NODEINFO_21_PROFILE

__all__ = ["APPLICATION_ACTOR_REL", "nodeinfo_document", "nodeinfo_links"]

# FEP-2677: a NodeInfo link to the server's Application actor.
APPLICATION_ACTOR_REL = "https://www.w3.org/ns/activitystreams#Application"


def nodeinfo_links(nodeinfo_url: str, application_actor: str | None = None) -> dict[str, Any]:
    """The ``/.well-known/nodeinfo`` JRD: where the 2.1 document is, and the application actor."""
    links: list[dict[str, str]] = [{"rel": NODEINFO_21_PROFILE, "href": nodeinfo_url}]
    if application_actor:
        links.append({"rel": APPLICATION_ACTOR_REL, "href": application_actor})
    return {"links": links}


def nodeinfo_document(
    *,
    software_name: str,
    software_version: str,
    repository: str | None = None,
    homepage: str | None = None,
    total_users: int,
    active_month: int,
    active_halfyear: int,
    local_posts: int,
    open_registrations: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A NodeInfo 2.1 document. ``software_name`` must match ``^[a-z0-9-]+$`` (schema rule)."""
    if not software_name or not all(c.islower() or c.isdigit() or c == "-" for c in software_name):
        raise ValueError("NodeInfo software.name must match ^[a-z0-9-]+$")
    software: dict[str, str] = {"name": software_name, "version": software_version}
    if repository:
        software["repository"] = repository
    if homepage:
        software["homepage"] = homepage
    return {
        "version": "2.1",
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {"total": total_users, "activeMonth": active_month, "activeHalfyear": active_halfyear},
            "localPosts": local_posts,
        },
        "metadata": dict(metadata or {}),
    }
