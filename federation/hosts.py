"""One canonical form per host: what every check compares, and what the client connects to.

A URL's host can be spelt many ways that reach the same machine: ``EXAMPLE.org.``, ``example。org`` (the
ideographic full stop U+3002, also U+FF0E and U+FF61), fullwidth letters and digits (``ｌｏｃａｌｈｏｓｔ``,
``１２７.0.0.1``), Unicode labels and their A-labels. ``urllib.parse`` leaves them alone, while yarl (and so
aiohttp) maps them with IDNA's UTS-46 processing, so a check on ``urlsplit(url).hostname`` can pass for
``127。0。0。1`` and aiohttp then connects to the IP literal ``127.0.0.1`` without asking any resolver.

``normalise_host`` is the single mapping: UTS-46 with IDNA 2008 (the ``idna`` package, the very function
yarl calls: https://www.unicode.org/reports/tr46/, RFC 5891), lower case, no trailing dot, IP literals in
their canonical text. What could mean two hosts is refused instead: percent-escapes (yarl keeps them, a
WHATWG parser decodes them), characters UTS-46 would silently delete, empty or overlong labels, and hosts
whose last label is a number but which are not a dotted-quad IPv4 address (``127.1``, ``0x7f.1``; WHATWG URL
§3.5 reads those as IPv4, ``getaddrinfo`` as well). A unit test checks it against yarl code point by code
point.

An origin (RFC 6454 §4) is the triple ``url_origin`` returns: scheme, normalised host and effective port (the
port written, else the scheme's default), so ``https://a.example:443/x`` and ``https://a.example/y`` are one
origin, ``http://a.example`` another. ``origin`` serialises that triple and ``same_origin`` compares it: every
origin check in ``federation`` and ``dsi4bcn`` goes through these three. Pure: no I/O.
"""

from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address
from urllib.parse import urlsplit

import idna

from federation.errors import UnsafeURLError

__all__ = [
    "DEFAULT_PORTS",
    "HostError",
    "domains_of",
    "host_in_domain",
    "normalise_host",
    "origin",
    "same_origin",
    "url_host",
    "url_origin",
]

DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_HOST = 253  # RFC 1035 §2.3.4, without the trailing dot
_MAX_LABEL = 63
# Letters, digits, hyphen; underscore too, since DNS names carry it and resolvers accept it.
_HOST_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class HostError(UnsafeURLError):
    """A host that cannot be brought to one canonical form, so the node refuses to use it."""


def _ends_in_a_number(host: str) -> bool:
    """WHATWG URL's rule: a host whose last label is numeric is an IPv4 address in some notation."""
    last = host.rpartition(".")[2]
    return last.isdigit() or (last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:]))


def _ip_literal(host: str) -> str:
    """The canonical text of an IPv6 literal (``'[::1]'`` or ``'::1'``), without brackets."""
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if "[" in inner or "]" in inner:
        raise HostError(f"malformed IPv6 literal {host!r}")
    try:
        address = ip_address(inner)
    except ValueError as error:
        raise HostError(f"malformed IPv6 literal {host!r}") from error
    if not isinstance(address, IPv6Address):
        raise HostError(f"malformed IPv6 literal {host!r}: an IPv4 address in brackets")
    return address.compressed


def _map_unicode(host: str) -> str:
    """UTS-46 mapping and IDNA 2008 encoding of a host with non-ASCII characters, as yarl does it."""
    for character in set(host):
        if character.isascii():
            continue
        try:
            mapped = idna.uts46_remap(character, std3_rules=False, transitional=False)
        except idna.IDNAError as error:
            raise HostError(f"host {host!r} cannot be mapped to ASCII: {error}") from error
        if not mapped:  # UTS-46 deletes it: e\u200bvil.com would become evil.com
            raise HostError(f"host {host!r} holds an invisible character U+{ord(character):04X}")
    try:
        return idna.encode(host, uts46=True, std3_rules=False, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise HostError(f"host {host!r} cannot be mapped to ASCII: {error}") from error


def _check_a_label(label: str, host: str) -> None:
    """An ``xn--`` label must decode to a valid Unicode label (else it names nothing yarl can show)."""
    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError) as error:
        raise HostError(f"host {host!r} has an invalid A-label {label!r}") from error


@lru_cache(maxsize=8192)
def normalise_host(host: str) -> str:
    """The canonical form of a URL host, or ``HostError`` saying why it has none.

    Accepts a host as written in a URL (IPv6 in brackets or not, no port, no userinfo). Returns lower-case
    ASCII with A-labels for Unicode labels and no trailing dot; an IPv4 address in dotted-quad form; an
    IPv6 address compressed, without brackets (as ``urlsplit().hostname`` and yarl's ``raw_host`` give it).
    """
    if not host:
        raise HostError("empty host")
    if "%" in host:
        raise HostError(f"host {host!r} holds a percent-escape or an IPv6 zone")
    if host.startswith("[") or ":" in host:
        return _ip_literal(host)
    mapped = host.lower() if host.isascii() else _map_unicode(host)
    if mapped.endswith("."):
        mapped = mapped[:-1]
    if not mapped:
        raise HostError(f"empty host {host!r}")
    labels = mapped.split(".")
    if any(not label for label in labels):
        raise HostError(f"host {host!r} has an empty label")
    if not set(mapped) <= _HOST_CHARACTERS:
        bad = sorted(set(mapped) - _HOST_CHARACTERS)
        raise HostError(f"characters {''.join(bad)!r} are not allowed in host {host!r}")
    if len(mapped) > _MAX_HOST:
        raise HostError(f"host {host!r} is longer than {_MAX_HOST} characters")
    for label in labels:
        if len(label) > _MAX_LABEL:
            raise HostError(f"host {host!r} has a label longer than {_MAX_LABEL} characters")
        if label.startswith("xn--"):
            _check_a_label(label, host)
    if _ends_in_a_number(mapped):
        try:
            address = ip_address(mapped)
        except ValueError:
            address = None
        if not isinstance(address, IPv4Address) or str(address) != mapped:
            raise HostError(f"numeric host {host!r} is not a canonical IPv4 address")
    return mapped


def _written_host(netloc: str, url: str) -> str:
    """The host of a netloc exactly as written (``urlsplit().hostname`` lower-cases it), brackets kept."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0 or netloc[end + 1 :][:1] not in ("", ":"):
            raise HostError(f"malformed IPv6 literal in {url!r}")
        return netloc[: end + 1]
    return netloc.partition(":")[0]


def url_origin(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an absolute URL: scheme lower-case, host normalised, default port filled
    in (0 for schemes without one); ``HostError`` for userinfo, a bad port or a host with no canonical form.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise HostError(f"malformed URL {url!r}: {error}") from error
    if "@" in parts.netloc:
        raise HostError(f"URL with userinfo refused: {url!r}")
    written = _written_host(parts.netloc, url)
    if not written:
        raise HostError(f"URL without a host: {url!r}")
    scheme = parts.scheme.lower()
    return scheme, normalise_host(written), port if port is not None else DEFAULT_PORTS.get(scheme, 0)


@lru_cache(maxsize=4096)
def origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL (RFC 6454 §6.2): the ``url_origin`` triple, the port left
    out when it is the scheme's default (an explicit ``:443`` on https too) and kept otherwise (``:0`` too);
    '' if the URL has no scheme, no host, a host with no canonical form, userinfo or a bad port."""
    try:
        scheme, host, port = url_origin(url)
    except HostError:
        return ""
    if not scheme:
        return ""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" if port == DEFAULT_PORTS.get(scheme, 0) else f"{scheme}://{shown}:{port}"


def same_origin(first: str, second: str) -> bool:
    """Whether two URLs share scheme, normalised host and effective port (FEP-fe34's origin-based trust);
    never for a URL that has no origin."""
    mine = origin(first)
    return bool(mine) and mine == origin(second)


def url_host(url: str) -> str:
    """The normalised host of an absolute URL; ``HostError`` if it has none."""
    return url_origin(url)[1]


def host_in_domain(host: str, domain: str) -> bool:
    """Whether normalised ``host`` is ``domain`` or below it; an IP address matches only itself."""
    if host == domain:
        return True
    if ":" in host or _ends_in_a_number(host):
        return False
    return host.endswith("." + domain)


def domains_of(host: str) -> list[str]:
    """Normalised ``host`` and the domains above it (``a.b.example`` → itself, ``b.example``, ``example``), for
    set lookups; an IP address has none above it."""
    if ":" in host or _ends_in_a_number(host):
        return [host]
    labels = host.split(".")
    return [".".join(labels[start:]) for start in range(len(labels))]
