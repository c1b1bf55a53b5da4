"""``dsi4bcn doctor``: what a new operator gets wrong, each with how to fix it.

The checks of the data folder are here (the database there and its schema, free disk, permissions); those
over HTTP (https, the base URL reachable, WebFinger, the clock) are ``dsi4bcn.fediverse.selfcheck``. It
reads the node's configuration as ``serve`` does (the same flags and environment variables), so run it
as the node's user with the node's settings. Each finding is ok, a warning or a problem; the exit status
is 1 when there is a problem, else 0. ``--json`` prints the findings as JSON. Its words are English, as the
command line's help and reports are (its refusals are in the user's language).
"""

import argparse
import asyncio
import json
import os
import shutil
import stat
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dsi4bcn.cli.failures import BAD_INPUT
from dsi4bcn.config import DEFAULT_DATA_DIR, Config, ConfigError, load_config
from dsi4bcn.fediverse.selfcheck import OK, PROBLEM, WARNING, Finding, check_public_side, check_scheme
from dsi4bcn.profiles.iris import ACTOR_PATHS, instance_actor_iri
from dsi4bcn.storage.backups import DATABASE_NAME, SECRETS
from dsi4bcn.storage.offlinereads import SCHEMA_VERSION, DatabaseError, local_actor, schema_version

__all__ = ["add_doctor_command", "run_doctor"]

DEFAULT_MIN_FREE_MB = 1024
# A warning below this many times the minimum.
_WARNING_FACTOR = 4
_MIB = 1024 * 1024
# The files that hold secrets: the database (private keys, password hashes) beside its WAL, and the token.
_PRIVATE = (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm", *SECRETS)


def add_doctor_command(commands: Any) -> None:
    """Declare ``doctor`` on the parser's subcommands."""
    doctor = commands.add_parser("doctor", help="check a node's setup (https, WebFinger, clock, disk, permissions)")
    doctor.add_argument("--data-dir", help=f"the node's data folder (DSI4BCN_DATA_DIR; default ./{DEFAULT_DATA_DIR})")
    doctor.add_argument("--base-url", help="the node's public origin, such as https://node.example (DSI4BCN_BASE_URL)")
    doctor.add_argument("--host", help="the address the node listens on, if no base URL is given (HOST)")
    doctor.add_argument("--port", help="the port the node listens on, if no base URL is given (PORT)")
    doctor.add_argument(
        "--allow-private-network",
        action="store_true",
        default=None,
        help="the node is set up for private testing: plain http and private addresses are accepted "
        "(DSI4BCN_ALLOW_PRIVATE_NETWORK)",
    )
    doctor.add_argument(
        "--min-free-disk",
        type=int,
        default=DEFAULT_MIN_FREE_MB,
        metavar="MB",
        help=f"a problem below this free space in the data folder, a warning below {_WARNING_FACTOR} times it "
        f"(default {DEFAULT_MIN_FREE_MB})",
    )
    doctor.add_argument("--clock-reference", metavar="URL", help="also compare the clock with this server's Date")
    doctor.add_argument("--timeout", type=float, default=10.0, help="seconds for each request (default 10)")
    doctor.add_argument("--json", action="store_true", help="print the findings as JSON")


def _database_findings(data_dir: Path) -> list[Finding]:
    database = data_dir / DATABASE_NAME
    if not database.is_file():
        return [
            Finding(
                "database",
                PROBLEM,
                f"no node database in {data_dir}",
                "give doctor the data folder the node uses (--data-dir or DSI4BCN_DATA_DIR), or start the node once",
            )
        ]
    try:
        version = schema_version(database)
    except DatabaseError as error:
        return [Finding("database", PROBLEM, f"the database cannot be read: {error}", "restore a backup")]
    if version > SCHEMA_VERSION:
        message = f"the database has schema {version}, newer than this program's {SCHEMA_VERSION}"
        return [Finding("database", PROBLEM, message, "run the newer dsi4bcn that wrote it, or restore a backup")]
    if version < SCHEMA_VERSION:
        message = f"the database has schema {version}; the node brings it to {SCHEMA_VERSION} when it starts"
        fix = f"take a backup first: dsi4bcn backup --data-dir {data_dir} PATH"
        return [Finding("database", WARNING, message, fix)]
    return [Finding("database", OK, f"the database has this program's schema ({version})")]


def _disk_finding(data_dir: Path, min_free_mb: int) -> Finding:
    existing = next((path for path in (data_dir, *data_dir.parents) if path.exists()), Path("/"))
    free_mb = shutil.disk_usage(existing).free // _MIB
    fix = (
        f"free space on the disk of {existing} or grow it: SQLite needs room to write, the graph store to "
        "compact, and a backup as much as the database"
    )
    if free_mb < min_free_mb:
        return Finding("disk", PROBLEM, f"{free_mb} MB free in {existing}, below {min_free_mb} MB", fix)
    if free_mb < min_free_mb * _WARNING_FACTOR:
        limit = min_free_mb * _WARNING_FACTOR
        return Finding("disk", WARNING, f"{free_mb} MB free in {existing}, below {limit} MB", fix)
    return Finding("disk", OK, f"{free_mb} MB free in {existing}")


def _permission_findings(data_dir: Path) -> list[Finding]:
    if not data_dir.is_dir():
        return []
    findings = []
    folder_fix = f"chmod 700 {data_dir}"
    if not os.access(data_dir, os.W_OK | os.X_OK):
        message = f"{data_dir} is not writable by this user (run doctor as the node's user)"
        findings.append(Finding("permissions", PROBLEM, message, f"chown -R THE_NODE_USER {data_dir}"))
    mode = data_dir.stat().st_mode
    if mode & stat.S_IWOTH:
        findings.append(Finding("permissions", PROBLEM, f"{data_dir} is writable by every user", folder_fix))
    elif mode & (stat.S_IROTH | stat.S_IXOTH):
        findings.append(Finding("permissions", WARNING, f"{data_dir} can be listed by every user", folder_fix))
    for name in _PRIVATE:
        path = data_dir / name
        if not path.is_file():
            continue
        what = "the admin token" if name in SECRETS else "the actors' private keys"
        mode = path.stat().st_mode
        fix = f"chmod 600 {path}"
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            findings.append(Finding("permissions", PROBLEM, f"{path} ({what}) is readable by every user", fix))
        elif mode & (stat.S_IRGRP | stat.S_IWGRP):
            findings.append(Finding("permissions", WARNING, f"{path} ({what}) is readable by its group", fix))
        if not os.access(path, os.R_OK | os.W_OK):
            message = f"{path} is not readable and writable by this user (run doctor as the node's user)"
            findings.append(Finding("permissions", PROBLEM, message, f"chown -R THE_NODE_USER {data_dir}"))
    if not findings:
        findings.append(Finding("permissions", OK, f"{data_dir} and its secrets are private to their owner"))
    return findings


def _actor(config: Config) -> tuple[str, str]:
    """The handle's user part and the id of an actor to look up with WebFinger: one of the node's
    organisations or projects, else the node's own actor."""
    found = local_actor(config.data_dir / DATABASE_NAME) if (config.data_dir / DATABASE_NAME).is_file() else None
    if found is None:
        return config.hostname, instance_actor_iri(config.base_url)
    kind, slug = found
    path = next(path for known, path in ACTOR_PATHS.items() if known == kind)
    return slug, f"{config.base_url}/{path}/{slug}"


def diagnose(config: Config, *, min_free_mb: int, clock_reference: str | None, timeout: float) -> list[Finding]:
    """Every finding about the node ``config`` describes, the public side first."""
    public = asyncio.run(
        check_public_side(
            config.base_url,
            allow_private_network=config.allow_private_network,
            actor=_actor(config),
            clock_reference=clock_reference,
            seconds=timeout,
        )
    )
    return [
        check_scheme(config.base_url, config.allow_private_network),
        *public,
        *_database_findings(config.data_dir),
        _disk_finding(config.data_dir, min_free_mb),
        *_permission_findings(config.data_dir),
    ]


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        print(f"{finding.status:<8} {finding.check:<12} {finding.message}")
        if finding.status != OK and finding.fix:
            print(f"{'':<8} {'':<12} fix: {finding.fix}")


def run_doctor(args: argparse.Namespace) -> int:
    """Check the node's setup; print the findings; 1 if any is a problem, else 0."""
    try:
        config = load_config(
            data_dir=args.data_dir,
            host=args.host,
            port=args.port,
            base_url=args.base_url,
            allow_private_network=args.allow_private_network,
        )
    except ConfigError as error:
        print(f"dsi4bcn: {error}", file=sys.stderr)
        return BAD_INPUT
    if args.min_free_disk < 0 or not args.timeout > 0:
        print("dsi4bcn: --min-free-disk must not be negative and --timeout must be positive", file=sys.stderr)
        return BAD_INPUT
    findings = diagnose(
        config, min_free_mb=args.min_free_disk, clock_reference=args.clock_reference, timeout=args.timeout
    )
    problems = sum(finding.status == PROBLEM for finding in findings)
    warnings = sum(finding.status == WARNING for finding in findings)
    if args.json:
        summary = {"baseUrl": config.base_url, "dataDir": str(config.data_dir), "problems": problems}
        summary |= {"warnings": warnings, "findings": [asdict(finding) for finding in findings]}
        print(json.dumps(summary, indent=2))
    else:
        _print_findings(findings)
        print(f"{problems} problem(s), {warnings} warning(s) for {config.base_url} (data in {config.data_dir})")
    return 1 if problems else 0
