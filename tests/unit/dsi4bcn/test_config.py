"""Configuration from flags, environment and defaults (``dsi4bcn.config``)."""

from pathlib import Path

import pytest

from dsi4bcn.config import ConfigError, load_config


def test_defaults_need_nothing_configured(tmp_path: Path) -> None:
    config = load_config(environ={}, data_dir=str(tmp_path))
    assert config.base_url == "http://127.0.0.1:8080"
    assert config.authority == "127.0.0.1:8080"
    assert config.allow_private_network is False
    assert config.database_path == tmp_path / "dsi4bcn.sqlite3"


def test_environment_fallbacks_and_flag_precedence(tmp_path: Path) -> None:
    environ = {
        "DSI4BCN_DATA_DIR": str(tmp_path),
        "DSI4BCN_BASE_URL": "https://Node.Example/",
        "HOST": "0.0.0.0",
        "PORT": "9000",
        "DSI4BCN_ADMIN_TOKEN": "x" * 20,
        "DSI4BCN_ALLOW_PRIVATE_NETWORK": "true",
    }
    config = load_config(environ=environ)
    assert (config.base_url, config.host, config.port) == ("https://node.example", "0.0.0.0", 9000)
    assert config.admin_token == "x" * 20 and config.allow_private_network
    assert config.authority == "node.example" and config.hostname == "node.example"
    assert load_config(environ=environ, port="9100", base_url="http://a.example:81").base_url == ("http://a.example:81")


@pytest.mark.parametrize(
    ("arguments", "environ", "match"),
    [
        ({"port": "eighty"}, {}, "port"),
        ({"port": "70000"}, {}, "port"),
        ({"base_url": "node.example"}, {}, "base URL"),
        ({"base_url": "https://node.example/sub"}, {}, "no path"),
        ({"tls_cert": "/nonexistent"}, {}, "together"),
        ({}, {"DSI4BCN_ALLOW_PRIVATE_NETWORK": "maybe"}, "true or false"),
        ({}, {"DSI4BCN_ADMIN_TOKEN": "short"}, "16"),
        ({"language": "fr"}, {}, "language"),
    ],
)
def test_bad_settings_say_what_is_wrong(arguments: dict[str, str], environ: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_config(environ=environ, **arguments)  # type: ignore[arg-type]


def test_wildcard_host_publishes_loopback_and_tls_means_https() -> None:
    assert load_config(environ={}, host="0.0.0.0", port=8443).base_url == "http://127.0.0.1:8443"


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "two", "65"])
def test_workers_must_be_a_whole_number_from_1_to_64(value: str) -> None:
    with pytest.raises(ConfigError, match="workers"):
        load_config(workers=value, environ={})
    with pytest.raises(ConfigError, match="DSI4BCN_WORKERS"):
        load_config(environ={"DSI4BCN_WORKERS": value})


def test_workers_default_to_one_and_the_flag_wins_over_the_environment() -> None:
    assert load_config(environ={}).workers == 1
    assert load_config(environ={"DSI4BCN_WORKERS": "3"}).workers == 3
    assert load_config(workers="2", environ={"DSI4BCN_WORKERS": "3"}).workers == 2
    config = load_config(environ={})
    assert config.worker_role == "single" and len(str(config.internal_socket)) < 100
