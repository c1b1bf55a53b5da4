"""WebFinger (RFC 7033) and host-meta (RFC 6415): parse queries, build answers.

Mastodon always queries ``https://{domain}/.well-known/webfinger?resource=acct:{user}@{domain}``, takes the
``self`` link whose ``type`` is an ActivityPub media type, then checks that the actor's
``preferredUsername`` at the actor's host WebFingers back to the same actor
(``app/lib/webfinger.rb``, ``ResolveAccountService``).
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from federation.errors import WebFingerError
from federation.media import ACTIVITY_JSON, HTML
from federation.types import Acct

__all__ = [
    "PROFILE_PAGE_REL",
    "SERVICE_REL",
    "acct_query_url",
    "filter_rels",
    "host_meta_json",
    "host_meta_xrd",
    "jrd",
    "parse_acct",
    "parse_resource",
]

PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
# FEP-d556: server-level actor discovery.
SERVICE_REL = "https://www.w3.org/ns/activitystreams#Service"
_MAX_RESOURCE = 512


def parse_acct(value: str) -> Acct:
    """Parse ``acct:user@host`` (also ``@user@host`` and ``user@host``); raise with the reason."""
    text = value.strip()
    if text.startswith("acct:"):
        text = text[len("acct:") :]
    text = unquote(text.removeprefix("@"))
    user, at, host = text.rpartition("@")
    if not at or not user or not host or "@" in user or "/" in host:
        raise WebFingerError(f"not an acct: URI: {value!r}", "webfinger_not_acct")
    return Acct(user=user.lower(), host=host.lower())


def parse_resource(resource: str | None) -> Acct | str:
    """The WebFinger ``resource`` parameter as an ``Acct`` or an absolute http(s) URL."""
    if not resource:
        raise WebFingerError("the resource parameter is required", "webfinger_missing")
    if len(resource) > _MAX_RESOURCE:
        raise WebFingerError("the resource parameter is too long", "webfinger_too_long")
    if resource.startswith("acct:"):
        return parse_acct(resource)
    try:
        parts = urlsplit(resource)
    except ValueError as error:  # an unbalanced "[" or "]", a bracketed host that is no IP address
        raise WebFingerError(f"resource is not a valid URL: {error}", "webfinger_not_url") from error
    if parts.scheme in ("http", "https") and parts.netloc:
        return resource
    raise WebFingerError("resource must be an acct: URI or an http(s) URL", "webfinger_not_url")


def jrd(
    subject: str,
    actor_id: str,
    *,
    profile_page: str | None = None,
    aliases: Sequence[str] = (),
    extra_links: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A JSON Resource Descriptor pointing at an ActivityPub actor."""
    links: list[dict[str, Any]] = [{"rel": "self", "type": ACTIVITY_JSON, "href": actor_id}]
    if profile_page:
        links.append({"rel": PROFILE_PAGE_REL, "type": HTML, "href": profile_page})
    links.extend(extra_links)
    document: dict[str, Any] = {"subject": subject, "links": links}
    unique_aliases = [alias for alias in dict.fromkeys(aliases) if alias != subject]
    if unique_aliases:
        document["aliases"] = unique_aliases
    return document


def filter_rels(document: dict[str, Any], rels: Sequence[str]) -> dict[str, Any]:
    """Keep only the links whose ``rel`` was asked for (RFC 7033 §4.3); all of them if none was."""
    if not rels:
        return document
    wanted = set(rels)
    return {**document, "links": [link for link in document["links"] if link.get("rel") in wanted]}


def host_meta_xrd(base_url: str) -> str:
    """The host-meta XRD document with the LRDD template pointing at our WebFinger endpoint."""
    template = f"{base_url.rstrip('/')}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/jrd+json" template={quoteattr(template)}/>\n'
        f"  <!-- {escape('WebFinger: RFC 7033')} -->\n"
        "</XRD>\n"
    )


def host_meta_json(base_url: str) -> dict[str, Any]:
    """The JSON form of host-meta (RFC 6415 appendix A)."""
    template = f"{base_url.rstrip('/')}/.well-known/webfinger?resource={{uri}}"
    return {"links": [{"rel": "lrdd", "type": "application/jrd+json", "template": template}]}


def acct_query_url(acct: Acct, scheme: str = "https") -> str:
    """The WebFinger URL a client queries for ``acct`` (used by tests and by the client side)."""
    return f"{scheme}://{acct.host}/.well-known/webfinger?resource={quote(str(acct), safe=':@')}"
