"""A small blocking client of the admin API, for the command line."""

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["ApiClient", "ApiFailure", "RawBody"]


@dataclass(frozen=True)
class RawBody:
    """A request body sent as it is (an image), with its media type."""

    data: bytes
    content_type: str


class ApiFailure(Exception):
    """The node answered with an error, or could not be reached."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body

    def describe(self) -> str:
        """The error and every listed problem, one per line."""
        if not isinstance(self.body, dict):
            return f"HTTP {self.status}: {self.body}"
        lines = [f"HTTP {self.status}: {self.body.get('error', 'error')}"]
        for problem in self.body.get("problems", []):
            where = f"{problem.get('field')}: " if problem.get("field") else ""
            lines.append(f"  - {where}{problem.get('message')}")
        return "\n".join(lines)


def _user_language() -> str:
    """The user's language among ca/es/en from the locale (LANGUAGE, LC_ALL, LANG), English otherwise."""
    for name in ("LANGUAGE", "LC_ALL", "LANG"):
        code = os.environ.get(name, "")[:2].lower()
        if code in ("ca", "es", "en"):
            return code
    return "en"


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
                "Accept-Language": _user_language(),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                decoded: Any = json.loads(raw)
            except ValueError:
                decoded = raw.decode("utf-8", "replace")[:500]
            raise ApiFailure(error.code, decoded) from error
        except (urllib.error.URLError, OSError) as error:
            raise ApiFailure(0, f"cannot reach {self.base_url}: {error}") from error
