"""Node configuration: command-line flags first, then environment variables, then embedded defaults.

Environment fallbacks: ``DSI4BCN_DATA_DIR``, ``DSI4BCN_BASE_URL``, ``HOST``, ``PORT``,
``DSI4BCN_ADMIN_TOKEN``, ``DSI4BCN_ALLOW_PRIVATE_NETWORK``, ``DSI4BCN_LANGUAGE``,
``DSI4BCN_AUTHORIZED_FETCH``, ``DSI4BCN_DELIVERY_BACKOFF_SCALE``, ``DSI4BCN_INBOX_RATE``,
``DSI4BCN_QUERY_TIMEOUT``, ``DSI4BCN_RESULT_CAP``, ``DSI4BCN_QUERIES_PER_CLIENT``,
``DSI4BCN_QUERY_QUEUE_PER_CLIENT``, ``DSI4BCN_RESYNC_INTERVAL``, ``DSI4BCN_TRUSTED_PROXIES``,
``DSI4BCN_METRICS_TOKEN``, ``DSI4BCN_METRICS_LOCALHOST``, ``DSI4BCN_LOG_FORMAT``, ``DSI4BCN_WORKERS``,
``DSI4BCN_KEY_GRACE_PERIOD``; an external graph store: ``dsi4bcn.storeconfig``.
"""

import hashlib
import ipaddress
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dsi4bcn.storeconfig import StoreConfig, StoreConfigError, load_store_config

__all__ = ["DEFAULT_PORT", "LANGUAGES", "LOG_FORMATS", "Config", "ConfigError", "load_config"]

LANGUAGES = ("ca", "es", "en")
LOG_FORMATS = ("text", "json")
DEFAULT_PORT = 8080
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DATA_DIR = "dsi4bcn-data"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ConfigError(ValueError):
    """A setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Config:
    """Everything a node needs to start."""

    data_dir: Path
    host: str
    port: int
    base_url: str
    admin_token: str | None
    allow_private_network: bool
    tls_cert: Path | None
    tls_key: Path | None
    demo: bool
    language: str
    authorized_fetch: bool = False
    # Multiplies every delivery retry delay (1.0 in production; tests shrink the schedule).
    backoff_scale: float = 1.0
    # Activities per second accepted from one remote host (bursts of ten times that).
    inbox_rate: float = 50.0
    # SPARQL: seconds before a query is stopped, rows (or triples) at most, queries at once per client.
    query_timeout: float = 10.0
    result_cap: int = 10_000
    queries_per_client: int = 2
    # SPARQL: queries of one client that may wait for a slot (each at most query_timeout s) before 429.
    query_queue_per_client: int = 16
    # Seconds between two anti-entropy resyncs with each peer.
    resync_interval: float = 300.0
    # /metrics (docs/metrics.md): its bearer token (None: the data folder's file), and whether a request from
    # this machine needs none; logs as text lines or as one JSON object a line.
    metrics_token: str | None = None
    metrics_localhost: bool = False
    log_format: str = "text"
    # Seconds an actor's old key stays published after a key rotation (docs/key-rotation.md).
    key_grace_period: float = 48 * 3600.0
    # Seconds a client has to send a request body before it gets 408.
    body_timeout: float = 20.0
    # Reverse proxies whose X-Forwarded-For says who the client is (dsi4bcn.web.clientaddress); none by default.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # Processes serving on the port (serve --workers N); "single", or "primary" (the one that runs the
    # background loops and owns the graph) or "secondary" in a pool (dsi4bcn/workerpool.py).
    workers: int = 1
    worker_role: str = "single"
    worker_index: int = 0
    # An external SPARQL 1.1 store for the aggregated graph; None for the embedded Oxigraph store.
    graph_store: StoreConfig | None = None

    @property
    def database_path(self) -> Path:
        """The SQLite file that holds the node's state."""
        return self.data_dir / "dsi4bcn.sqlite3"

    @property
    def token_path(self) -> Path:
        """Where a generated admin token is kept when none is configured."""
        return self.data_dir / "admin-token"

    @property
    def internal_socket(self) -> Path:
        """The Unix socket on which a pool's primary worker takes the requests the others pass on: in a
        folder only this user may enter, named after the data folder (socket paths are short)."""
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"dsi4bcn-{os.getuid()}-{digest}" / "primary.sock"

    @property
    def authority(self) -> str:
        """``host[:port]`` of the base URL: the domain part of every ``acct:`` handle."""
        return urlsplit(self.base_url).netloc

    @property
    def hostname(self) -> str:
        """The base URL's host name without port."""
        return urlsplit(self.base_url).hostname or "localhost"


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _positive(value: str | None, name: str, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError as error:
        raise ConfigError(f"{name} must be a number, not {value!r}") from error
    if not number > 0:
        raise ConfigError(f"{name} must be greater than 0")
    return number


def _admin_token(env: Mapping[str, str]) -> str | None:
    """The admin token from ``DSI4BCN_ADMIN_TOKEN``, if set (at least 16 characters)."""
    token = env.get("DSI4BCN_ADMIN_TOKEN") or None
    if token is not None and len(token) < 16:
        raise ConfigError("DSI4BCN_ADMIN_TOKEN must be at least 16 characters long")
    return token


def _workers(value: str | int | None) -> int:
    """How many processes serve the node: a whole number from 1 to ``MAX_WORKERS`` (1 if not given)."""
    if value is None or value == "":
        return 1
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise ConfigError(f"workers (--workers, DSI4BCN_WORKERS) must be a whole number from 1 to {MAX_WORKERS}")
    return int(text)


def _networks(values: Iterable[str], name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or CIDR blocks, each value holding one or more separated by commas or spaces."""
    networks = []
    for value in values:
        for item in value.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as error:
                raise ConfigError(f"{name}: {item!r} is not an IP address or network (such as 10.0.0.0/8)") from error
    return tuple(networks)


def _port(value: str | int | None) -> int:
    if value is None or value == "":
        return DEFAULT_PORT
    try:
        port = int(value)
    except ValueError as error:
        raise ConfigError(f"port must be a number, not {value!r}") from error
    if not 0 < port < 65536:
        raise ConfigError(f"port must be between 1 and 65535, not {port}")
    return port


def _base_url(value: str | None, host: str, port: int, tls: bool) -> str:
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"base URL must be an absolute http(s) URL, not {value!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigError("base URL must be an origin such as https://node.example (no path)")
        return f"{parts.scheme}://{parts.netloc.lower()}"
    public_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - wildcard check
    if ":" in public_host:
        public_host = f"[{public_host}]"
    scheme = "https" if tls else "http"
    default_port = 443 if tls else 80
    return f"{scheme}://{public_host}" + ("" if port == default_port else f":{port}")


def load_config(
    *,
    data_dir: str | None = None,
    host: str | None = None,
    port: str | int | None = None,
    base_url: str | None = None,
    allow_private_network: bool | None = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    demo: bool = False,
    language: str | None = None,
    metrics_localhost: bool | None = None,
    log_format: str | None = None,
    authorized_fetch: bool | None = None,
    trusted_proxies: Iterable[str] | None = None,
    workers: str | int | None = None,
    graph_store: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Merge flags (given as arguments) with the environment and defaults; raise ``ConfigError``."""
    env = os.environ if environ is None else environ
    chosen_host = host or env.get("HOST") or DEFAULT_HOST
    chosen_port = _port(port if port is not None else env.get("PORT"))
    cert, key = _tls_files(tls_cert, tls_key)
    chosen_language = (language or env.get("DSI4BCN_LANGUAGE") or "ca").lower()
    if chosen_language not in LANGUAGES:
        raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}")
    private = (
        allow_private_network
        if allow_private_network
        else _flag(env.get("DSI4BCN_ALLOW_PRIVATE_NETWORK"), "DSI4BCN_ALLOW_PRIVATE_NETWORK")
    )
    signed_gets = (
        authorized_fetch if authorized_fetch else _flag(env.get("DSI4BCN_AUTHORIZED_FETCH"), "DSI4BCN_AUTHORIZED_FETCH")
    )
    tuning = _tuning(env)
    proxies = (
        _networks(trusted_proxies, "--trusted-proxy")
        if trusted_proxies
        else _networks([env.get("DSI4BCN_TRUSTED_PROXIES", "")], "DSI4BCN_TRUSTED_PROXIES")
    )
    watching = _watching(env, metrics_localhost, log_format)
    return Config(
        data_dir=Path(data_dir or env.get("DSI4BCN_DATA_DIR") or DEFAULT_DATA_DIR).resolve(),
        host=chosen_host,
        port=chosen_port,
        base_url=_base_url(base_url or env.get("DSI4BCN_BASE_URL"), chosen_host, chosen_port, cert is not None),
        admin_token=_admin_token(env),
        allow_private_network=private,
        tls_cert=cert,
        tls_key=key,
        demo=demo,
        language=chosen_language,
        **watching,
        authorized_fetch=signed_gets,
        trusted_proxies=proxies,
        workers=_workers(workers if workers is not None else env.get("DSI4BCN_WORKERS")),
        graph_store=_graph_store(graph_store or {}, env),
        **tuning,
    )


# Config field, environment variable, default; whole numbers where the default is an int.
_TUNING: tuple[tuple[str, str, float], ...] = (
    ("backoff_scale", "DSI4BCN_DELIVERY_BACKOFF_SCALE", 1.0),
    ("inbox_rate", "DSI4BCN_INBOX_RATE", 50.0),
    ("query_timeout", "DSI4BCN_QUERY_TIMEOUT", 10.0),
    ("result_cap", "DSI4BCN_RESULT_CAP", 10_000),
    ("queries_per_client", "DSI4BCN_QUERIES_PER_CLIENT", 2),
    ("query_queue_per_client", "DSI4BCN_QUERY_QUEUE_PER_CLIENT", 16),
    ("resync_interval", "DSI4BCN_RESYNC_INTERVAL", 300.0),
    ("body_timeout", "DSI4BCN_BODY_TIMEOUT", 20.0),
    ("key_grace_period", "DSI4BCN_KEY_GRACE_PERIOD", 48 * 3600.0),
)
MAX_WORKERS = 64


def _tuning(env: Mapping[str, str]) -> dict[str, Any]:
    """The positive numbers read from the environment, each with its default."""
    values: dict[str, Any] = {}
    for field, variable, default in _TUNING:
        value = _positive(env.get(variable), variable, float(default))
        values[field] = int(value) if isinstance(default, int) else value
    return values


def _watching(env: Mapping[str, str], localhost: bool | None, log_format: str | None) -> dict[str, Any]:
    """The settings of /metrics and of the logs: flags first, then the environment."""
    token = env.get("DSI4BCN_METRICS_TOKEN") or None
    if token is not None and len(token) < 16:
        raise ConfigError("DSI4BCN_METRICS_TOKEN must be at least 16 characters long")
    local = localhost if localhost else _flag(env.get("DSI4BCN_METRICS_LOCALHOST"), "DSI4BCN_METRICS_LOCALHOST")
    chosen = (log_format or env.get("DSI4BCN_LOG_FORMAT") or "text").lower()
    if chosen not in LOG_FORMATS:
        raise ConfigError(f"log format (--log-format, DSI4BCN_LOG_FORMAT) must be text or json, not {chosen!r}")
    return {"metrics_token": token, "metrics_localhost": local, "log_format": chosen}


def _graph_store(flags: Mapping[str, str | None], env: Mapping[str, str]) -> StoreConfig | None:
    """The external graph store named by the ``--graph-store-*`` flags or the environment, if any."""
    try:
        return load_store_config(flags, env)
    except StoreConfigError as error:
        raise ConfigError(str(error)) from error


def _tls_files(tls_cert: str | None, tls_key: str | None) -> tuple[Path | None, Path | None]:
    """The certificate and key files, both or neither, each an existing file."""
    if (tls_cert is None) != (tls_key is None):
        raise ConfigError("--tls-cert and --tls-key must be given together")
    cert = Path(tls_cert) if tls_cert else None
    key = Path(tls_key) if tls_key else None
    for path in (cert, key):
        if path is not None and not path.is_file():
            raise ConfigError(f"TLS file not found: {path}")
    return cert, key
