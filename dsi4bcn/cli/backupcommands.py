"""``dsi4bcn backup PATH`` and ``dsi4bcn restore PATH``: their arguments and what they print.

Both work on the data folder directly, not through the node's API: the backup reads the database with
SQLite's online backup API from this second process while the node runs (WAL lets a reader take one
consistent snapshot without stopping the node's writers), so it must run on the node's machine as a user
who can read the data folder (the node's own). The restore wants the node stopped. The work itself is
``dsi4bcn.storage.backups``; refusals are its ``BackupRefused`` codes, said in the user's language.
"""

import argparse
import os
from pathlib import Path
from typing import Any

from dsi4bcn.cli.failures import BAD_INPUT, CommandFailed
from dsi4bcn.config import DEFAULT_DATA_DIR
from dsi4bcn.storage.backups import DERIVED, BackupRefused, make_backup, restore_backup
from dsi4bcn.storage.database import SCHEMA_VERSION
from dsi4bcn.storage.offlinereads import DatabaseError, schema_version

__all__ = ["add_backup_commands", "refuse_newer_database", "run_backup", "run_restore"]

# Codes about the backup's content or a folder's state: refused before anything changed.
_REFUSED = 1


def add_backup_commands(commands: Any) -> None:
    """Declare ``backup`` and ``restore`` on the parser's subcommands."""
    data_dir_help = f"the node's data folder (DSI4BCN_DATA_DIR; default ./{DEFAULT_DATA_DIR})"
    backup = commands.add_parser(
        "backup",
        help="back up a node's data folder (the node may keep running): database, keys, images, settings",
    )
    backup.add_argument("path", help="a new (or empty) folder to write the backup into")
    backup.add_argument("--data-dir", help=data_dir_help)
    backup.add_argument(
        "--base-url", help="the node's public origin, recorded in the backup's manifest (DSI4BCN_BASE_URL)"
    )
    restore = commands.add_parser("restore", help="restore a backup into a data folder (the node stopped)")
    restore.add_argument("path", help="the backup folder that 'dsi4bcn backup' wrote")
    restore.add_argument("--data-dir", help=data_dir_help)
    restore.add_argument(
        "--force", action="store_true", help="replace the database and secrets of a data folder that is not empty"
    )


def refuse_newer_database(database: Path) -> None:
    """Before a node starts: a ``CommandFailed`` if its database has a schema newer than this program's
    (a newer dsi4bcn wrote it), so that the node says so in a line instead of failing as it opens it."""
    if not database.is_file():
        return
    try:
        version = schema_version(database)
    except DatabaseError:
        return  # the node's own opening says what is wrong with it
    if version > SCHEMA_VERSION:
        raise CommandFailed("cli_database_newer", _REFUSED, path=str(database), found=version, known=SCHEMA_VERSION)


def _data_dir(args: argparse.Namespace) -> Path:
    return Path(args.data_dir or os.environ.get("DSI4BCN_DATA_DIR") or DEFAULT_DATA_DIR).resolve()


def _refused(refusal: BackupRefused) -> CommandFailed:
    status = BAD_INPUT if refusal.code in ("cli_backup_no_database", "cli_backup_target_not_empty") else _REFUSED
    return CommandFailed(refusal.code, status, **refusal.params)


def run_backup(args: argparse.Namespace) -> int:
    """Back up the data folder into ``args.path``; print what was written and what was left out."""
    data_dir = _data_dir(args)
    target = Path(args.path).resolve()
    base_url = args.base_url or os.environ.get("DSI4BCN_BASE_URL") or None
    try:
        manifest = make_backup(data_dir, target, base_url=base_url)
    except BackupRefused as refusal:
        raise _refused(refusal) from refusal
    except OSError as error:
        raise CommandFailed("cli_backup_unwritable", path=str(target), reason=error.strerror or str(error)) from error
    size = sum(entry["bytes"] for entry in manifest["files"].values())
    print(f"backup of {data_dir} written to {target}")
    print(f"  schema version {manifest['schemaVersion']}, {len(manifest['files'])} files, {size} bytes")
    print(f"  files: {', '.join(manifest['files'])} (checksums in manifest.json)")
    for name, why in DERIVED.items():
        print(f"  not included: {name} ({why})")
    if not base_url:
        print("  the node's base URL is not recorded (--base-url): start a restored node under the same one")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore the backup at ``args.path`` into the data folder; print how to start the node on it."""
    data_dir = _data_dir(args)
    backup = Path(args.path).resolve()
    try:
        manifest = restore_backup(backup, data_dir, force=args.force)
    except BackupRefused as refusal:
        raise _refused(refusal) from refusal
    except OSError as error:
        raise CommandFailed("cli_backup_unwritable", path=str(data_dir), reason=error.strerror or str(error)) from error
    print(f"backup of {manifest['created']} restored into {data_dir}")
    print(f"  database schema {manifest['schemaVersion']}, now {SCHEMA_VERSION} (this program's)")
    print("  the graph and the directory's index are rebuilt from the database when the node starts")
    base_url = manifest.get("baseUrl")
    if base_url:
        print(f"  start the node with --base-url {base_url} so that its actors keep their ids and followers")
    else:
        print("  start the node under the base URL it had, so that its actors keep their ids and followers")
    return 0
