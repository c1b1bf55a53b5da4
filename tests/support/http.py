"""Blocking HTTP helpers for tests: requests to a node, answers with status, headers and body."""

import json
import sqlite3
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

__all__ = ["Answer", "api", "database_dump", "fetch", "put_profile", "settled_dump", "sparql_rows"]


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


def settled_dump(path: Path, *, interval: float = 0.2, tries: int = 50) -> list[str]:
    """The database dump once the background work of earlier changes (the graph sync marking graphs
    synced, deliveries done) has stopped changing it: two dumps ``interval`` seconds apart agree."""
    previous = database_dump(path)
    for _ in range(tries):
        time.sleep(interval)
        current = database_dump(path)
        if current == previous:
            return current
        previous = current
    raise AssertionError(f"the database {path} kept changing")


def put_profile(base_url: str, token: str, path: str, document: Any) -> None:
    """Create or replace ``/api/{path}`` (e.g. ``projects/slug``); asserts 200 or 201."""
    answer = api(base_url, token, "PUT", f"/api/{path}", document)
    assert answer.status in (200, 201), answer.body


def sparql_rows(base_url: str, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT at ``base_url``'s endpoint, each ``{variable: value}``; asserts 200."""
    answer = fetch(
        f"{base_url}/sparql?{urlencode({'query': query})}", headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status == 200, answer.body[:300]
    return [{name: value["value"] for name, value in row.items()} for row in answer.json()["results"]["bindings"]]
