"""Who may read ``/metrics``: a holder of the metrics token, or (when the node is told so) a process on the
node's own machine.

The token is ``DSI4BCN_METRICS_TOKEN``, or else the data folder's ``metrics-token`` file, made (0600) the
first time the node starts without one, as the admin token is: give it to Prometheus as a bearer token. It
is not the admin token, so that whatever scrapes the node cannot change it. With ``--metrics-localhost``
(``DSI4BCN_METRICS_LOCALHOST``) a request from a loopback address needs no token, unless it came through a
proxy (it carries ``Forwarded``, ``X-Forwarded-For`` or ``X-Real-IP``): a reverse proxy on the same machine
would otherwise open ``/metrics`` to everyone.
"""

import hmac
import ipaddress
import os
import secrets
from pathlib import Path

from aiohttp import web

from dsi4bcn.config import Config
from dsi4bcn.web.appkeys import CONFIG, METRICS_TOKEN
from dsi4bcn.web.clientaddress import client_address
from dsi4bcn.web.http import ApiError

__all__ = ["check_metrics_access", "ensure_metrics_token", "metrics_token_path"]

_BEARER = {"WWW-Authenticate": 'Bearer realm="dsi4bcn metrics"'}
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def metrics_token_path(config: Config) -> Path:
    """Where a generated metrics token is kept when none is configured."""
    return config.data_dir / "metrics-token"


def ensure_metrics_token(config: Config) -> str:
    """The metrics token: configured, read from the data folder, or made there now."""
    if config.metrics_token:
        return config.metrics_token
    path = metrics_token_path(config)
    if path.is_file():
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 16:
            return token
    config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: secrets live there
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


def _is_local(request: web.Request) -> bool:
    """Whether the request comes from this machine, straight (not passed on by a proxy)."""
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client_address(request)).is_loopback
    except ValueError:  # "unknown": a Unix socket
        return False


def check_metrics_access(request: web.Request) -> None:
    """Nothing if the request may read the metrics; a 401 (no bearer token) or 403 (a wrong one) ``ApiError``."""
    if request.app[CONFIG].metrics_localhost and _is_local(request):
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "metrics_token_required", headers=_BEARER)
    try:
        given = token.strip().encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no bytes decode to: not the token
        given = b""
    if not hmac.compare_digest(given, request.app[METRICS_TOKEN].encode("utf-8")):
        raise ApiError(403, "metrics_token_wrong")
