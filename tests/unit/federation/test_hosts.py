"""One canonical form per host, the same one yarl (and so aiohttp) connects to, or a refusal."""

import sys
import unicodedata

import idna
import pytest
from yarl import URL

from federation.errors import UnsafeURLError
from federation.hosts import (
    HostError,
    domains_of,
    host_in_domain,
    normalise_host,
    origin,
    same_origin,
    url_host,
    url_origin,
)

# Full stops that IDNA (UTS-46) maps to "." and that urllib.parse leaves alone.
FULL_STOPS = ("\u3002", "\uff0e", "\uff61")


@pytest.mark.parametrize(
    ("host", "canonical"),
    [
        ("example.org", "example.org"),
        ("EXAMPLE.Org", "example.org"),
        ("example.org.", "example.org"),
        ("Example.ORG.", "example.org"),
        *[(f"example{dot}org", "example.org") for dot in FULL_STOPS],
        *[(f"example.org{dot}", "example.org") for dot in FULL_STOPS],
        *[(f"127{dot}0{dot}0{dot}1", "127.0.0.1") for dot in FULL_STOPS],
        ("127.0.0.1.", "127.0.0.1"),
        ("\uff11\uff12\uff17.0.0.1", "127.0.0.1"),  # fullwidth digits
        ("\u2460\u2461\u2466.0.0.1", "127.0.0.1"),  # circled digits
        ("\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54", "localhost"),  # fullwidth letters
        ("\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34\u3002", "localhost"),
        ("\uff45\uff56\uff49\uff4c\uff0e\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45", "evil.example"),
        ("b\u00fccher.de", "xn--bcher-kva.de"),
        ("B\u00dcCHER.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("XN--BCHER-KVA.DE", "xn--bcher-kva.de"),
        ("fa\u00df.de", "xn--fa-hia.de"),  # IDNA 2008 (yarl's), not 2003's "fass.de"
        ("\ufb01.example", "fi.example"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[0:0:0:0:0:0:0:1]", "::1"),
        ("[::FFFF:127.0.0.1]", "::ffff:7f00:1"),
        ("93.184.215.14", "93.184.215.14"),
        ("under_score.example", "under_score.example"),
    ],
)
def test_hosts_are_normalised_to_one_form(host: str, canonical: str) -> None:
    assert normalise_host(host) == canonical


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("", "empty"),
        (".", "empty"),
        ("example.org..", "empty label"),
        ("a..b", "empty label"),
        (".a.b", "empty label"),
        ("%31%32%37.0.0.1", "percent"),
        ("127.0.0.1%2e", "percent"),
        ("ex%41mple.com", "percent"),
        ("[fe80::1%25eth0]", "percent"),
        ("a\u200bb.example", "invisible"),  # zero-width space: UTS-46 deletes it, yarl refuses
        ("a\u00adb.example", "invisible"),  # soft hyphen
        ("ex ample.com", "not allowed"),
        ("ex\uff0fample.com", "cannot be mapped"),  # fullwidth solidus maps to "/"
        ("\u2603.com", "cannot be mapped"),
        ("a_b.b\u00fccher.de", "cannot be mapped"),
        ("xn--a.com", "A-label"),
        ("127.1", "numeric"),
        ("2130706433", "numeric"),
        ("0x7f.0.0.1", "numeric"),
        ("127.000.0.1", "numeric"),
        ("127\u30020\u30021", "numeric"),
        ("1.2.3.4.5", "numeric"),
        ("[not-v6]", "IPv6"),
        ("[::1", "IPv6"),
        ("a" * 64 + ".example", "63"),
        (".".join(["a" * 60] * 5), "253"),
        ("user@example.org", "not allowed"),
        ("example.org:443", "IPv6"),  # a colon means an IPv6 address here, and this is not one
    ],
)
def test_what_cannot_be_normalised_is_refused(host: str, reason: str) -> None:
    with pytest.raises(HostError, match=reason):
        normalise_host(host)


def test_a_host_error_is_an_unsafe_url_error() -> None:
    with pytest.raises(UnsafeURLError):
        normalise_host("%31.example")


def _yarl_canonical(host: str) -> str | None:
    """The host yarl (so aiohttp) would connect to for ``https://{host}/``, without a trailing dot."""
    try:
        raw = URL(f"https://{host}/").raw_host
    except (ValueError, UnicodeError):
        return None
    return None if raw is None else raw.removesuffix(".")


def _tricky_characters() -> list[str]:
    """Every non-ASCII code point that NFKC or UTS-46 turns into ASCII: the ones that can forge a host."""
    found = []
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cs", "Co", "Cn"):
            continue
        try:
            mapped = idna.uts46_remap(char, std3_rules=False, transitional=False)
        except idna.IDNAError:
            mapped = ""
        folded = unicodedata.normalize("NFKC", char)
        if (folded != char and folded.isascii()) or (mapped and mapped.isascii()):
            found.append(char)
    return found


CORPUS = [
    "example.org",
    "EXAMPLE.org.",
    "localhost",
    "127.0.0.1",
    "b\u00fccher.de",
    "fa\u00df.de",
    "\u0440\u0430\u0443\u0440\u0430\u0430l.com",
    "xn--nxasmq6b.com",
    "\U0001f4a9.la",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[2001:db8::1]",
    *[f"127{dot}0{dot}0{dot}1" for dot in FULL_STOPS],
    *[f"localhost{dot}" for dot in FULL_STOPS],
    *[f"evil{dot}example{dot}" for dot in FULL_STOPS],
    "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",
    "\u2460\u2461\u2466.0.0.1",
    "a\u200bb.example",
    "ex\uff0fample.com",
    "%31%32%37.0.0.1",
    "127.1",
]


def _disagreement(host: str) -> str | None:
    """Why ``normalise_host`` and yarl disagree on ``host``, or None if we refuse it or both say the same."""
    try:
        ours = normalise_host(host)
    except HostError:
        return None  # refused: nothing is connected to, whatever yarl would make of it
    theirs = _yarl_canonical(host)
    return None if ours == theirs else f"{host!r}: we say {ours!r}, yarl connects to {theirs!r}"


@pytest.mark.parametrize("host", CORPUS)
def test_normalise_host_agrees_with_yarl_or_refuses(host: str) -> None:
    assert _disagreement(host) is None


def test_every_character_that_can_forge_ascii_agrees_with_yarl_or_is_refused() -> None:
    tricky = _tricky_characters()  # here, not at import: every pytest worker imports this module to collect it
    assert set(FULL_STOPS) <= set(tricky)
    assert "\uff4c" in tricky and "\u2460" in tricky and "\u00df" not in tricky
    hosts = [template.format(c=char) for char in tricky for template in ("a{c}b.example", "127{c}0{c}0{c}1", "x.{c}")]
    problems = [problem for problem in map(_disagreement, hosts) if problem]
    assert problems == []


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Example.org./users/a", "example.org"),
        ("https://127\u30020\u30020\u30021:8443/x", "127.0.0.1"),
        ("http://[::1]:8080/", "::1"),
        ("https://\uff45\uff56\uff49\uff4c.example/", "evil.example"),
    ],
)
def test_url_host_is_the_normalised_host_of_a_url(url: str, host: str) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize("url", ["https:///x", "not a url", "https://a.example:99999/", "https://a.example\uff1a80/"])
def test_url_host_refuses_urls_without_a_usable_host(url: str) -> None:
    with pytest.raises(HostError):
        url_host(url)


@pytest.mark.parametrize(
    ("host", "domain", "inside"),
    [
        ("evil.example", "evil.example", True),
        ("a.b.evil.example", "evil.example", True),
        ("notevil.example", "evil.example", False),
        ("evil.example.org", "evil.example", False),
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "0.0.1", False),  # an IP address matches only itself
        ("::1", "::1", True),
        ("localhost", "localhost", True),
        ("api.localhost", "localhost", True),
    ],
)
def test_host_in_domain(host: str, domain: str, inside: bool) -> None:
    assert host_in_domain(host, domain) is inside


@pytest.mark.parametrize(
    ("host", "domains"),
    [
        ("a.b.example", ["a.b.example", "b.example", "example"]),
        ("localhost", ["localhost"]),
        ("127.0.0.1", ["127.0.0.1"]),
        ("::1", ["::1"]),
    ],
)
def test_domains_of_a_host(host: str, domains: list[str]) -> None:
    assert domains_of(host) == domains
    assert all(host_in_domain(host, domain) for domain in domains)


@pytest.mark.parametrize(
    ("url", "serialised"),
    [
        ("https://a.example:443/x", "https://a.example"),
        ("https://A.EXAMPLE./y", "https://a.example"),
        ("http://a.example:80", "http://a.example"),
        ("http://a.example:443/x", "http://a.example:443"),
        ("https://a.example:80/x", "https://a.example:80"),
        ("https://a.example:0/x", "https://a.example:0"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("https://user@a.example/x", ""),
        ("/relative/path", ""),
        ("https://a.example:99999/x", ""),
    ],
)
def test_origin_serialises_scheme_host_and_effective_port(url: str, serialised: str) -> None:
    assert origin(url) == serialised


# Pairs of URLs the one definition of origin says are, or are not, the same origin.
_PAIRS = [
    ("https://a.example:443/x", "https://a.example/y", True),
    ("http://a.example:80/x", "http://a.example/y", True),
    ("https://A.example./x", "https://a\u3002example/y", True),
    ("http://a.example/x", "https://a.example/x", False),
    ("https://a.example:8443/x", "https://a.example/x", False),
    ("http://a.example:443/x", "https://a.example/x", False),
    # An explicit port 0 is not the default port (origin() used to drop it, so the inbox took
    # https://a.example:0/x for the origin of https://a.example/y while the client did not).
    ("https://a.example:0/x", "https://a.example/y", False),
]


@pytest.mark.parametrize(("first", "second", "same"), _PAIRS)
def test_same_origin_compares_scheme_host_and_effective_port(first: str, second: str, same: bool) -> None:
    assert same_origin(first, second) is same
    assert same_origin(second, first) is same
    assert (origin(first) == origin(second)) is same


@pytest.mark.parametrize(("first", "second", "same"), _PAIRS)
def test_origin_agrees_with_the_url_origin_triple(first: str, second: str, same: bool) -> None:
    # One definition: comparing serialised origins and comparing (scheme, host, port) triples never differ.
    assert (url_origin(first) == url_origin(second)) is same


def test_a_url_without_an_origin_is_never_the_same_origin() -> None:
    assert not same_origin("https://user@a.example/x", "https://user@a.example/x")
    assert not same_origin("not a url", "not a url")
