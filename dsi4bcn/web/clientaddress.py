"""Who is asking: the client's IP address, through the reverse proxies the node was told to trust.

Behind a TLS-terminating proxy every request comes from the proxy's address, so per-client limits (SPARQL
query slots, later the inbox rate) would lump all visitors together. When the socket peer is one of the
configured trusted proxies (``--trusted-proxy``, ``DSI4BCN_TRUSTED_PROXIES``), the client is the rightmost
address of ``X-Forwarded-For`` that is not itself a trusted proxy: each proxy appends the address it received
the request from, so everything left of that is whatever the client chose to send and is never read. A peer
that is not a trusted proxy is the client, whatever headers it sends. ``Forwarded`` (RFC 7239) is not read:
a proxy that writes it would pass a client's forged ``X-Forwarded-For`` along untouched.

Only the last ``MAX_FORWARDED_CHARS`` characters of the header are read, once, from the right: the time
spent is bounded whatever the client sends.
"""

import ipaddress
from collections.abc import Iterable

from aiohttp import web

from dsi4bcn.web.appkeys import CONFIG

__all__ = ["INTERNAL_CLIENT_HEADER", "MAX_FORWARDED_CHARS", "Network", "client_address", "forwarded_client"]

MAX_FORWARDED_CHARS = 1024
# Who the client is, as a pool's secondary worker tells the primary (web/primaryproxy.py): read only from a
# request that came over a Unix socket, which only the primary listens on, in a folder only its user enters.
INTERNAL_CLIENT_HEADER = "X-Dsi4bcn-Client"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request: web.Request) -> str:
    """The IP address of the client behind ``request`` (socket peer, or forwarded by a trusted proxy).

    Returns the address as text (IPv4-mapped IPv6 addresses as IPv4), or ``"unknown"`` when the socket has
    no IP peer (a Unix socket). Use it as the key of per-client limits.
    """
    if _over_unix_socket(request) and (passed := _parse(request.headers.get(INTERNAL_CLIENT_HEADER, ""))):
        return str(passed)
    forwarded = request.headers.getall("X-Forwarded-For", [])
    return forwarded_client(request.remote, forwarded, request.app[CONFIG].trusted_proxies)


def _over_unix_socket(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and isinstance(transport.get_extra_info("sockname"), str)


def forwarded_client(peer: str | None, forwarded_for: Iterable[str], trusted: Iterable[Network]) -> str:
    """The client's address given the socket ``peer``, the ``X-Forwarded-For`` header lines and the proxies.

    Falls back to the peer when the peer is not trusted, when there is no header, or when the part of the
    header that would be used is not an IP address.
    """
    networks = tuple(trusted)
    peer_address = _parse(peer or "")
    if peer_address is None:
        return peer or "unknown"
    if not networks or not _is_trusted(peer_address, networks):
        return str(peer_address)
    header = ",".join(forwarded_for)
    if len(header) > MAX_FORWARDED_CHARS:
        header = header[-MAX_FORWARDED_CHARS:].split(",", 1)[-1]  # the first element may be cut: drop it
    client = peer_address
    for element in reversed(header.split(",")):
        if not element.strip():
            continue
        address = _parse(element)
        if address is None:
            return str(peer_address)
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def _parse(text: str) -> _Address | None:
    """An IP address from ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1`` or ``[2001:db8::1]:5678``."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: _Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)
