"""``dsi4bcn serve``: a node in one process, or in a pool of worker processes (``dsi4bcn/workerpool.py``)."""

import argparse
import errno
import os
import ssl
import sys
from pathlib import Path

from dsi4bcn import __version__
from dsi4bcn.cli.backupcommands import refuse_newer_database
from dsi4bcn.cli.failures import BAD_INPUT, CommandFailed
from dsi4bcn.cli.storeoptions import graph_store_flags
from dsi4bcn.config import Config, ConfigError, load_config
from dsi4bcn.logformat import configure_logging
from dsi4bcn.web.admintoken import ensure_admin_token
from dsi4bcn.workerpool import PoolFailed, run_pool

__all__ = ["prepare_worker", "serve_command"]

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def serve_command(args: argparse.Namespace) -> int:
    """``dsi4bcn serve``: check the settings, say where the node is, and serve it (in one process, or in a
    pool of ``--workers``) until interrupted."""
    try:
        config = load_config(
            data_dir=args.data_dir,
            host=args.host,
            port=args.port,
            base_url=args.base_url,
            allow_private_network=args.allow_private_network,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            demo=args.demo,
            language=args.language,
            authorized_fetch=args.authorized_fetch,
            trusted_proxies=args.trusted_proxy,
            metrics_localhost=args.metrics_localhost,
            log_format=args.log_format,
            workers=args.workers,
            graph_store=graph_store_flags(args),
        )
    except ConfigError as error:
        print(f"dsi4bcn: {error}", file=sys.stderr)
        return BAD_INPUT
    from dsi4bcn.app import serve  # imported here so that the API commands start fast

    level = os.environ.get("DSI4BCN_LOG_LEVEL", "INFO").upper()
    if level not in _LEVELS:
        print(f"dsi4bcn: DSI4BCN_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level}", file=sys.stderr)
        return BAD_INPUT
    refuse_newer_database(config.database_path)
    token_path = _admin_token_file(config)
    ssl_context = prepare_worker(config)
    _announce(config, token_path)
    if config.workers > 1:
        return _serve_pool(config)
    try:
        serve(config, ssl_context)
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        reason = error.strerror or str(error)
        raise CommandFailed("cli_cannot_listen", host=config.host, port=config.port, reason=reason) from error
    return 0


def _admin_token_file(config: Config) -> Path | None:
    """The file the admin token was read from or written to (None if it comes from the environment)."""
    try:
        return ensure_admin_token(config)[1]
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CommandFailed("cli_data_folder", path=str(config.data_dir), reason=reason) from error


def _tls_context(config: Config) -> ssl.SSLContext | None:
    """The server's TLS context if ``--tls-cert`` and ``--tls-key`` name a usable pair, else None."""
    if not (config.tls_cert and config.tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(config.tls_cert, config.tls_key)
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or getattr(error, "reason", None) or str(error)
        raise CommandFailed("cli_tls", cert=str(config.tls_cert), key=str(config.tls_key), reason=reason) from error
    return context


def _announce(config: Config, token_path: Path | None) -> None:
    """What the operator needs to know as the node starts."""
    where = f"in {token_path}" if token_path else "from DSI4BCN_ADMIN_TOKEN"
    print(f"dsi4bcn {__version__}: node at {config.base_url}/  (data in {config.data_dir})", flush=True)
    print(f"admin token {where}", flush=True)
    if not config.allow_private_network:
        print("private and loopback addresses will not be contacted (--allow-private-network to allow)")
    if config.trusted_proxies:
        proxies = ", ".join(str(network) for network in config.trusted_proxies)
        print(f"clients are read from X-Forwarded-For when the request comes from {proxies}", flush=True)


def prepare_worker(config: Config) -> ssl.SSLContext | None:
    """Set up a serving process (the node, or one worker of a pool): logging at ``DSI4BCN_LOG_LEVEL`` in the
    configured format, and the TLS context."""
    level = os.environ.get("DSI4BCN_LOG_LEVEL", "INFO").upper()
    configure_logging(level if level in _LEVELS else "INFO", config.log_format)
    return _tls_context(config)


def _serve_pool(config: Config) -> int:
    """Serve with ``config.workers`` processes until interrupted."""
    print(f"{config.workers} workers on {config.host}:{config.port}; worker 0 does the background work", flush=True)
    try:
        run_pool(config, prepare_worker)
    except PoolFailed as error:
        print(f"dsi4bcn: {error}", file=sys.stderr)
        return 1
    return 0
