"""Which addresses and URLs the node may contact."""

from ipaddress import ip_address

import pytest

from federation.errors import FetchError, UnsafeURLError
from federation.netsafety import check_url, is_public_address, url_origin


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "1.1.1.1",
        "8.8.8.8",
        "2606:4700:4700::1111",
        "2a00:1450:4007:80e::200e",
        "::ffff:8.8.8.8",  # mapped public IPv4
        "2002:0808:0808::1",  # 6to4 around 8.8.8.8
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    ],
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(address)
    assert is_public_address(ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "::1",
        "::",
        "fd00::1",
        "fc00::1",
        "fe80::1",
        "fe80::1%eth0",
        "fec0::1",  # deprecated site-local
        "ff02::1",
        "ff0e::1",  # global-scope multicast is still multicast
        "2001:db8::1",  # documentation
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # deprecated IPv4-compatible
        "2002:7f00:0001::1",  # 6to4 around 127.0.0.1
        "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::808:808",  # NAT64 local use
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "[::1]",
        "not an address",
        "",
    ],
)
def test_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/users/alice",
        "https://example.org:8443/users/alice",
        "https://EXAMPLE.org./x",
        "HTTPS://example.org/",
        "https://93.184.215.14/",
        "https://[2606:4700:4700::1111]/",
    ],
)
def test_public_https_urls_pass(url: str) -> None:
    check_url(url, allow_private_network=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.org/", "only https"),
        ("ftp://example.org/", "unsupported URL scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("gopher://example.org/", "unsupported URL scheme"),
        ("example.org/users/alice", "unsupported URL scheme"),
        ("https://user:pass@example.org/", "userinfo"),
        ("https://user@example.org/", "userinfo"),
        ("https://example.org:0/", "port 0"),
        ("https://example.org:99999/", "malformed URL"),
        ("https://example.org:abc/", "malformed URL"),
        ("https:///path", "without a host"),
        ("https://127.0.0.1/", "non-public address 127.0.0.1"),
        ("https://10.0.0.1/", "non-public address"),
        ("https://169.254.169.254/latest/meta-data/", "non-public address"),
        ("https://0.0.0.0/", "non-public address"),
        ("https://[::1]/", "non-public address ::1"),
        ("https://[fd00::1]/", "non-public address"),
        ("https://[::ffff:127.0.0.1]/", "non-public address"),
        ("https://[fe80::1%25eth0]/", "IPv6 zone"),
        ("https://[not-v6]/", "malformed"),
        ("https://localhost/", "localhost"),
        ("https://LOCALHOST./", "localhost"),
        ("https://api.localhost/", "localhost"),
        ("https://2130706433/", "numeric host"),
        ("https://127.1/", "numeric host"),
        ("https://0x7f.0.0.1/", "numeric host"),
        # Unicode full stops, fullwidth and circled characters: yarl maps them to the private host itself.
        ("https://127\u30020\u30020\u30021/", "non-public address 127.0.0.1"),
        ("https://127\uff0e0\uff0e0\uff0e1:8443/x", "non-public address 127.0.0.1"),
        ("https://127\uff610\uff610\uff611/", "non-public address 127.0.0.1"),
        ("https://169\u3002254\u3002169\u3002254/latest/meta-data/", "non-public address 169.254.169.254"),
        ("https://\uff11\uff12\uff17.0.0.1/", "non-public address 127.0.0.1"),
        ("https://\u2460\u2461\u2466.0.0.1/", "non-public address 127.0.0.1"),
        ("https://127.0.0.1./", "non-public address 127.0.0.1"),
        ("https://127\u30020\u30020\u30021\u3002/", "non-public address 127.0.0.1"),
        ("https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/", "localhost"),
        ("https://localhost\u3002/", "localhost"),
        ("https://api\uff0elocalhost/", "localhost"),
        ("https://%31%32%37.0.0.1/", "percent"),
        ("https://127\u30021/", "numeric"),
        ("https://a\u200bb.example/", "invisible"),
    ],
)
def test_unsafe_urls_are_refused_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        check_url(url, allow_private_network=False)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/actor", "http://localhost/", "https://[::1]:8443/", "http://10.0.0.1/", "http://x/"],
)
def test_private_network_allows_http_and_private_addresses(url: str) -> None:
    check_url(url, allow_private_network=True)


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/", "http://u:p@127.0.0.1/", "http://127.0.0.1:0/", "http:///x", "javascript:alert(1)"],
)
def test_private_network_still_refuses_malformed_urls(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        check_url(url, allow_private_network=True)


def test_unsafe_url_error_is_a_fetch_error() -> None:
    with pytest.raises(FetchError):
        check_url("http://example.org/", allow_private_network=False)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Example.org/a", ("https", "example.org", 443)),
        ("https://example.org:443/a", ("https", "example.org", 443)),
        ("http://example.org/a", ("http", "example.org", 80)),
        ("http://127.0.0.1:8080/a?b#c", ("http", "127.0.0.1", 8080)),
        ("https://[::1]:8443/", ("https", "::1", 8443)),
        ("https://EXAMPLE.org./a", ("https", "example.org", 443)),
        ("https://example\u3002org/a", ("https", "example.org", 443)),
        ("http://127\uff0e0\uff0e0\uff0e1:8080/a", ("http", "127.0.0.1", 8080)),
        ("https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org/a", ("https", "example.org", 443)),
    ],
)
def test_url_origin_fills_in_the_default_port(url: str, origin: tuple[str, str, int]) -> None:
    assert url_origin(url) == origin


def test_url_origin_tells_origins_apart() -> None:
    assert url_origin("https://example.org/a") != url_origin("https://example.org:8443/a")
    assert url_origin("https://example.org/a") != url_origin("http://example.org/a")
    assert url_origin("https://example.org/a") != url_origin("https://evil.example.org/a")


def test_a_private_network_still_normalises_the_host() -> None:
    with pytest.raises(UnsafeURLError, match="percent"):
        check_url("http://%31%32%37.0.0.1/", allow_private_network=True)
    assert check_url("http://127\u30020\u30020\u30021:8080/a?b", allow_private_network=True) == (
        "http://127.0.0.1:8080/a?b"
    )


@pytest.mark.parametrize(
    ("url", "rebuilt"),
    [
        ("https://Example.org./users/a?page=2#x", "https://example.org/users/a?page=2#x"),
        ("https://example\u3002org:8443/a", "https://example.org:8443/a"),
        ("https://b\u00fccher.de/", "https://xn--bcher-kva.de/"),
        ("https://[2606:4700:4700:0::1111]:443/", "https://[2606:4700:4700::1111]:443/"),
    ],
)
def test_check_url_returns_the_url_with_the_host_it_checked(url: str, rebuilt: str) -> None:
    assert check_url(url, allow_private_network=False) == rebuilt
