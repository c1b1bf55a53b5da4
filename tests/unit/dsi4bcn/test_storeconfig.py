"""Where the graph lives (``dsi4bcn.storeconfig``): nothing configured is the embedded store; an external one
needs its three URLs, and its password never comes from the command line."""

from pathlib import Path

import pytest

from dsi4bcn.config import ConfigError, load_config
from dsi4bcn.storeconfig import StoreConfigError, load_store_config

URLS = {
    "query": "http://127.0.0.1:8890/sparql",
    "update": "http://127.0.0.1:8890/sparql-auth",
    "gsp": "http://127.0.0.1:8890/sparql-graph-crud-auth",
}


def test_nothing_configured_is_the_embedded_store(tmp_path: Path) -> None:
    assert load_config(environ={}, data_dir=str(tmp_path)).graph_store is None
    assert load_store_config({}, {}) is None


def test_flags_come_before_the_environment_and_the_password_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n", encoding="utf-8")
    env = {f"DSI4BCN_GRAPH_STORE_{name.upper()}": "http://elsewhere.example/x" for name in URLS}
    env["DSI4BCN_GRAPH_STORE_PASSWORD"] = "from-the-environment"
    flags = {**URLS, "user": "dsi4bcn", "auth": "digest", "password_file": str(secret)}
    store = load_store_config(flags, env)
    assert store is not None
    assert (store.query_url, store.update_url, store.gsp_url) == (URLS["query"], URLS["update"], URLS["gsp"])
    assert (store.user, store.password, store.auth) == ("dsi4bcn", "s3cret", "digest")
    assert "s3cret" not in repr(store)


def test_the_environment_alone_names_a_store_with_basic_sign_in(tmp_path: Path) -> None:
    env = {f"DSI4BCN_GRAPH_STORE_{name.upper()}": url for name, url in URLS.items()}
    env |= {"DSI4BCN_GRAPH_STORE_USER": "reader", "DSI4BCN_GRAPH_STORE_PASSWORD": "pw"}
    config = load_config(environ=env, data_dir=str(tmp_path))
    assert config.graph_store is not None
    assert (config.graph_store.user, config.graph_store.password, config.graph_store.auth) == ("reader", "pw", "basic")


@pytest.mark.parametrize(
    ("flags", "env", "words"),
    [
        ({"query": URLS["query"]}, {}, "missing --graph-store-update, --graph-store-gsp"),
        ({**URLS, "query": "ftp://host/sparql"}, {}, "absolute http(s) URL"),
        ({**URLS, "gsp": "http://user:pw@host/store"}, {}, "no query, fragment or credentials"),
        ({**URLS, "auth": "kerberos"}, {}, "basic or digest"),
        ({**URLS, "user": "dsi4bcn"}, {}, "user and password go together"),
        (URLS, {"DSI4BCN_GRAPH_STORE_PASSWORD": "pw"}, "user and password go together"),
        ({**URLS, "user": "u", "password_file": "/nonexistent/password"}, {}, "cannot read"),
        ({"user": "dsi4bcn"}, {}, "needs the graph store's URLs"),
    ],
)
def test_unusable_settings_say_why(flags: dict[str, str], env: dict[str, str], words: str, tmp_path: Path) -> None:
    with pytest.raises(StoreConfigError) as refused:
        load_store_config(flags, env)
    assert words in str(refused.value)
    with pytest.raises(ConfigError):
        load_config(environ=env, data_dir=str(tmp_path), graph_store=flags)
