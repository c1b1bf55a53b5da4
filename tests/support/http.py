"""Blocking HTTP helpers for tests: requests to a node, answers with status, headers and body."""

import json
import sqlite3
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Answer", "api", "database_dump", "fetch"]


@dataclass(frozen=True)
class Answer:
    """An HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> Answer:
    """One request; 4xx and 5xx answers are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def api(
    base_url: str,
    token: str | None,
    method: str,
    path: str,
    document: Any = None,
    *,
    raw: bytes | None = None,
    content_type: str = "application/json",
    context: ssl.SSLContext | None = None,
) -> Answer:
    """A call to the admin API with a bearer token (None sends no Authorization header)."""
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = raw if raw is not None else (None if document is None else json.dumps(document).encode("utf-8"))
    if body is not None:
        headers["Content-Type"] = content_type
    return fetch(base_url + path, method=method, headers=headers, body=body, context=context)


def database_dump(path: Path) -> list[str]:
    """Every row of the node's database as SQL text, read without writing (WAL readers are safe)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()
