"""What the command line reads before it calls a node: profile files, images, slugs, the node's address
and the admin token, each checked so that bad input ends in a ``CommandFailed`` and never in a traceback.
"""

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from dsi4bcn.cli.failures import CommandFailed
from dsi4bcn.profiles.validation import check_slug

__all__ = [
    "IMAGE_TYPES",
    "admin_token_from",
    "checked_call_id",
    "checked_slug",
    "checked_url",
    "read_bytes",
    "read_document",
]

# The image files ``media upload`` sends, by extension (the node checks the bytes again).
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def read_bytes(path: str) -> bytes:
    """The bytes of the file at ``path`` (``-``: standard input); a ``CommandFailed`` saying why not."""
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError as error:
        raise CommandFailed("cli_no_file", path=path) from error
    except IsADirectoryError as error:
        raise CommandFailed("cli_is_folder", path=path) from error
    except PermissionError as error:
        raise CommandFailed("cli_no_permission", path=path) from error
    except OSError as error:
        raise CommandFailed("cli_unreadable", path=path, reason=error.strerror or str(error)) from error


def _iso_date(value: object) -> str:
    """A YAML date (``startDate: 2021-03-01`` unquoted) as the text the API takes."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def read_document(path: str) -> dict[str, Any]:
    """The mapping in a YAML or JSON file (``-``: standard input), as plain JSON values."""
    try:
        source = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandFailed("cli_not_utf8", path=path) from error
    try:
        document = json.loads(source) if path.endswith(".json") else yaml.safe_load(source)
    except json.JSONDecodeError as error:
        raise CommandFailed("cli_not_yaml", path=path, line=error.lineno, column=error.colno) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise CommandFailed("cli_not_yaml", path=path, line=line, column=column) from error
    if not isinstance(document, dict):
        raise CommandFailed("cli_not_mapping", path=path)
    try:
        plain: dict[str, Any] = json.loads(json.dumps(document, default=_iso_date))
    except (TypeError, ValueError) as error:
        raise CommandFailed("cli_not_json_value", path=path, value=str(error)[:80]) from error
    return plain


def checked_slug(slug: str) -> str:
    """``slug`` if it can name a profile; else a ``CommandFailed`` with the node's own ``bad_slug`` text."""
    problem = check_slug(slug)
    if problem is not None:
        raise CommandFailed(problem.code, **problem.params)
    return slug


def checked_call_id(call: str) -> str:
    """``call`` if it can be a call's id (letters and digits); else a ``CommandFailed``."""
    if not (0 < len(call) <= 64 and call.isascii() and call.isalnum()):
        raise CommandFailed("cli_bad_call_id", value=call[:80])
    return call


def checked_url(url: str) -> str:
    """``url`` without a trailing slash if it is an http(s) address with a host and no spaces."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number or out of range, an unbalanced "["
        valid = False
    if not valid or any(character.isspace() or ord(character) < 32 for character in url):
        raise CommandFailed("cli_bad_url", url=url[:200])
    return url.rstrip("/")


def admin_token_from(path: Path) -> str | None:
    """The admin token in a node's ``admin-token`` file, or None if there is no such file."""
    if not path.is_file():
        return None
    try:
        token = read_bytes(str(path)).decode("ascii").strip()
    except UnicodeDecodeError as error:
        raise CommandFailed("cli_bad_token_file", path=str(path)) from error
    if not token or any(character.isspace() for character in token):
        raise CommandFailed("cli_bad_token_file", path=str(path))
    return token
