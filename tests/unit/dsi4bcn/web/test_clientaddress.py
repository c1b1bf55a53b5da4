"""Who the client is: the socket peer, or what a trusted proxy put in X-Forwarded-For (and nothing else)."""

import ipaddress
import time
from pathlib import Path
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dsi4bcn.config import ConfigError, load_config
from dsi4bcn.web.appkeys import CONFIG
from dsi4bcn.web.clientaddress import MAX_FORWARDED_CHARS, client_address, forwarded_client

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:1::/48"))


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        # No trusted proxy, or a peer that is not one: the header is whatever the client wrote, ignored.
        ("203.0.113.5", ["198.51.100.7"], "203.0.113.5"),
        ("192.0.2.1", ["198.51.100.7, 10.0.0.2"], "192.0.2.1"),
        # A trusted proxy: the rightmost address that is not a trusted proxy.
        ("10.0.0.1", ["198.51.100.7"], "198.51.100.7"),
        ("10.0.0.1", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # 6.6.6.6 is what the client claimed
        ("10.0.0.1", ["6.6.6.6, 198.51.100.7, 10.0.0.9"], "198.51.100.7"),  # two proxies in a row
        ("10.0.0.1", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),  # header lines read in order
        ("10.0.0.1", ["198.51.100.7:4711"], "198.51.100.7"),
        ("10.0.0.1", ["[2001:db8:2::7]:4711"], "2001:db8:2::7"),
        ("::ffff:10.0.0.1", ["2001:db8:2::7, 2001:db8:1::1"], "2001:db8:2::7"),
        ("10.0.0.1", ["::ffff:198.51.100.7"], "198.51.100.7"),
        ("10.0.0.1", ["10.0.0.3, 10.0.0.2"], "10.0.0.3"),  # only proxies: the farthest one
        ("10.0.0.1", [], "10.0.0.1"),
        ("10.0.0.1", [" , "], "10.0.0.1"),
        # Anything but an IP address where the client should be: the socket address, not a guess.
        ("10.0.0.1", ["198.51.100.7, unknown"], "10.0.0.1"),
        ("10.0.0.1", ["<script>"], "10.0.0.1"),
        ("10.0.0.1", ["_hidden, 198.51.100.7"], "198.51.100.7"),  # left of the client: never read
        (None, ["198.51.100.7"], "unknown"),
    ],
)
def test_forwarded_client(peer: str | None, header: list[str], client: str) -> None:
    assert forwarded_client(peer, header, PROXIES) == client


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert forwarded_client("10.0.0.1", ["198.51.100.7"], ()) == "10.0.0.1"


def test_long_headers_are_read_from_the_right_only_and_in_bounded_time() -> None:
    # Given a client that sends a huge X-Forwarded-For, which the proxy then extends with the real address
    forged = ", ".join(["6.6.6.6"] * 20_000)
    started = time.thread_time()
    client = forwarded_client("10.0.0.1", [forged + ", 198.51.100.7"], PROXIES)
    assert client == "198.51.100.7"
    assert time.thread_time() - started < 0.05
    # A cut first element is dropped, not read as a (wrong) address
    cut = "1" * (MAX_FORWARDED_CHARS - 4) + "9.1.2.3, 10.0.0.5"
    assert forwarded_client("10.0.0.1", [cut], PROXIES) == "10.0.0.5"


def _request(app: web.Application, peer: str) -> web.Request:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 5555) if name == "peername" else default
    headers = {"X-Forwarded-For": "198.51.100.7"}
    return make_mocked_request("GET", "/sparql", headers=headers, app=app, transport=transport)


def test_client_address_reads_the_configured_proxies(tmp_path: Path) -> None:
    app = web.Application()
    app[CONFIG] = load_config(environ={}, data_dir=str(tmp_path), trusted_proxies=["127.0.0.1"])
    assert client_address(_request(app, "127.0.0.1")) == "198.51.100.7"
    assert client_address(_request(app, "127.0.0.2")) == "127.0.0.2"


def test_trusted_proxies_setting(tmp_path: Path) -> None:
    assert load_config(environ={}, data_dir=str(tmp_path)).trusted_proxies == ()
    from_flags = load_config(environ={}, data_dir=str(tmp_path), trusted_proxies=["10.0.0.0/8, ::1", "192.0.2.7"])
    assert [str(network) for network in from_flags.trusted_proxies] == ["10.0.0.0/8", "::1/128", "192.0.2.7/32"]
    from_env = load_config(environ={"DSI4BCN_TRUSTED_PROXIES": "172.16.0.1 172.16.0.2"}, data_dir=str(tmp_path))
    assert len(from_env.trusted_proxies) == 2
    with pytest.raises(ConfigError, match=r"DSI4BCN_TRUSTED_PROXIES: 'proxy\.example' is not an IP address"):
        load_config(environ={"DSI4BCN_TRUSTED_PROXIES": "proxy.example"}, data_dir=str(tmp_path))
