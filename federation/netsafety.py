"""Which URLs and addresses the node may contact: the pure half of the client's SSRF defence.

A federated node fetches whatever URLs strangers hand it (actor ids, key ids, inboxes), so without a check
anyone could make it request ``http://127.0.0.1:6379/`` or a cloud metadata endpoint such as
``http://169.254.169.254/``. ``check_url`` screens a URL before any connection is made (scheme, userinfo,
port, IP literals, localhost names, all on the host as ``federation.hosts.normalise_host`` maps it) and
``is_public_address`` screens every address a host name resolves to; the I/O module ``federation.client``
calls both, the second from its resolver, for every redirect hop. ``url_origin`` (from ``federation.hosts``)
is offered here too; origins are compared with ``federation.hosts.same_origin``.
Special-purpose ranges follow the IANA registries (RFC 6890):
https://www.iana.org/assignments/iana-ipv4-special-registry/ and
https://www.iana.org/assignments/iana-ipv6-special-registry/.
"""

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit, urlunsplit

from federation.errors import UnsafeURLError
from federation.hosts import DEFAULT_PORTS, url_origin

__all__ = ["check_url", "is_public_address", "url_origin"]

# NAT64 well-known prefix (RFC 6052): the last 32 bits are the IPv4 address the gateway talks to.
_NAT64 = IPv6Network("64:ff9b::/96")
# IPv4-embedding prefixes whose traffic never leaves a site: NAT64 local use (RFC 8215), Teredo (RFC 4380).
_NEVER_PUBLIC_V6 = (IPv6Network("64:ff9b:1::/48"), IPv6Network("2001::/32"))
# Shared address space for carrier-grade NAT (RFC 6598); older Pythons count it neither private nor global.
_NEVER_PUBLIC_V4 = (IPv4Network("100.64.0.0/10"),)


def _is_public_v4(ip: IPv4Address) -> bool:
    if any(ip in network for network in _NEVER_PUBLIC_V4):
        return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def _embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d (RFC 4291 §2.5.5.2)
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:aabb:ccdd::/48 (RFC 3056)
        return ip.sixtofour
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str | IPv4Address | IPv6Address) -> bool:
    """Whether an IP address is globally routable, so that the node may connect to it.

    Refuses private, loopback, link-local, shared (CGNAT), multicast, reserved, unspecified and documentation
    ranges; an IPv6 address that embeds an IPv4 one (``::ffff:127.0.0.1``, 6to4, NAT64) is judged by the
    IPv4 address it carries, and Teredo and local-use NAT64 are refused outright. Anything that does not
    parse as an address is not public.
    """
    if isinstance(address, str):
        try:
            ip = ip_address(address.strip("[]"))
        except ValueError:
            return False
    else:
        ip = address
    if isinstance(ip, IPv4Address):
        return _is_public_v4(ip)
    if ip.scope_id or any(ip in network for network in _NEVER_PUBLIC_V6):
        return False
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return _is_public_v4(embedded)
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_site_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private_network: bool) -> str:
    """The URL to connect to, with its host in canonical form; ``UnsafeURLError`` with the reason unless
    ``url`` is one the node may contact.

    Without ``allow_private_network`` only ``https`` URLs on a host name or a public IP literal are allowed;
    with it, ``http`` and private addresses are too. Either way userinfo (``user:pass@``), other schemes,
    a missing host, port 0 and a host with no canonical form (``federation.hosts.normalise_host``) are
    refused. Every check is made on the normalised host, and the URL returned carries that host, so what
    was checked is what the client connects to (``127。0。0。1`` is checked, and fetched, as ``127.0.0.1``).
    Host names are resolved later; their addresses are checked with ``is_public_address`` at connect time.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"malformed URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURLError(f"unsupported URL scheme {scheme or '(none)'!r} in {url!r}")
    if scheme != "https" and not allow_private_network:
        raise UnsafeURLError(f"only https URLs are fetched, not {url!r}")
    if "@" in parts.netloc:
        raise UnsafeURLError(f"URL with userinfo refused: {url!r}")
    _, host, _ = url_origin(url)
    if port == 0:
        raise UnsafeURLError(f"port 0 refused: {url!r}")
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    rebuilt = urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))
    if allow_private_network:
        return rebuilt
    try:
        literal = ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if not is_public_address(literal):
            raise UnsafeURLError(f"non-public address {literal} refused: {url!r}")
        return rebuilt
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761 §6.3
        raise UnsafeURLError(f"localhost refused: {url!r}")
    return rebuilt
