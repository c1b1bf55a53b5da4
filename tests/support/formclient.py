"""A browser without a browser for tests: keeps cookies, sends forms, does not follow redirects."""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tests.support.http import Answer

__all__ = ["FormClient", "csrf_of"]


def csrf_of(page: bytes) -> str:
    """The CSRF token of the (first) form on ``page``."""
    found = re.search(rb'name="csrf" value="([^"]+)"', page)
    assert found, page[:800]
    return found.group(1).decode()


class FormClient:
    """Requests to one node with a cookie jar, as a browser sends them (``Accept: text/html``)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.origin = base_url
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(
        self,
        method: str,
        path: str,
        fields: dict[str, str] | list[tuple[str, str]] | None = None,
        files: dict[str, tuple[str, str, bytes]] | None = None,
        **headers: str,
    ) -> Answer:
        """One request; the answer's cookies are kept (and an expired one dropped). ``files`` (name to file
        name, type and bytes) makes it a multipart form."""
        sent = {"Accept": "text/html", **{name.replace("_", "-"): value for name, value in headers.items()}}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if files is not None:
            body, sent["Content-Type"] = _multipart(fields or {}, files)
        elif fields is not None:
            body = urlencode(fields).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
            self.set_cookies = response.headers.get_all("Set-Cookie") or []
        finally:
            connection.close()
        for line in self.set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, path: str, **headers: str) -> Answer:
        """GET ``path``."""
        return self.request("GET", path, None, None, **headers)

    def post(
        self,
        path: str,
        fields: dict[str, str] | list[tuple[str, str]],
        files: dict[str, tuple[str, str, bytes]] | None = None,
        **headers: str,
    ) -> Answer:
        """POST ``fields`` (and ``files``, as multipart) as a form to ``path``."""
        return self.request("POST", path, fields, files, **headers)


def _multipart(
    fields: dict[str, str] | list[tuple[str, str]], files: dict[str, tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    """A multipart/form-data body of ``fields`` and ``files``, and its Content-Type."""
    boundary = "dsi4bcn-test-boundary-7d1f"
    parts: list[bytes] = []
    pairs = fields.items() if isinstance(fields, dict) else fields
    for name, value in pairs:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, (filename, media_type, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
