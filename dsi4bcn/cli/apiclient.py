"""A small blocking client of the admin API, for the command line.

An error answer is an ``ApiFailure`` (its text comes from the node, in the language asked for); a node that
cannot be reached, an address that cannot be one, or an answer that is not JSON is a ``CommandFailed``.
"""

import http.client
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from dsi4bcn.cli.failures import NODE_REFUSED, CommandFailed, user_language

__all__ = ["ApiClient", "ApiFailure", "RawBody"]


@dataclass(frozen=True)
class RawBody:
    """A request body sent as it is (an image), with its media type."""

    data: bytes
    content_type: str


class ApiFailure(Exception):
    """The node answered with an error status; ``body`` is its JSON, or the beginning of its text."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body

    def describe(self) -> str:
        """The error and every listed problem, one per line."""
        if not isinstance(self.body, dict):
            return f"HTTP {self.status}: {' '.join(str(self.body).split())[:200]}"
        lines = [f"HTTP {self.status}: {self.body.get('error', 'error')}"]
        for problem in self.body.get("problems", []):
            where = f"{problem.get('field')}: " if problem.get("field") else ""
            lines.append(f"  - {where}{problem.get('message')}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ApiClient:
    """Calls ``/api/...`` on one node with its admin token (``None`` for the public API)."""

    base_url: str
    token: str | None
    timeout: float = 30.0

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request (``body`` as JSON, or a ``RawBody`` as it is); return the decoded JSON answer or
        raise ``ApiFailure``."""
        content_type = body.content_type if isinstance(body, RawBody) else "application/json"
        if isinstance(body, RawBody):
            data: bytes | None = body.data
        else:
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own node
            self.base_url.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
                "Content-Type": content_type,
                "Accept": "application/json",
                "Accept-Language": user_language(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise ApiFailure(error.code, _decoded(error.read())) from error
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            raise self._unreachable(error) from error
        try:
            return json.loads(raw or b"null")
        except ValueError as error:
            raise CommandFailed("cli_not_json", NODE_REFUSED, url=self.base_url) from error

    def _unreachable(self, error: Exception) -> CommandFailed:
        """Why the node could not be reached, in words the user's language has."""
        cause = error.reason if isinstance(error, urllib.error.URLError) else error
        if isinstance(cause, ConnectionRefusedError):
            return CommandFailed("cli_connection_refused", NODE_REFUSED, url=self.base_url)
        if isinstance(cause, TimeoutError | socket.timeout):
            return CommandFailed("cli_timeout", NODE_REFUSED, url=self.base_url, seconds=f"{self.timeout:g}")
        if isinstance(cause, http.client.InvalidURL | ValueError):
            return CommandFailed("cli_bad_url", url=self.base_url)
        reason = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
        return CommandFailed("cli_unreachable", NODE_REFUSED, url=self.base_url, reason=reason)


def _decoded(raw: bytes) -> Any:
    """An error answer's body: its JSON, or the beginning of its text."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:500]
