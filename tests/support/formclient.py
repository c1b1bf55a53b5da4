"""A browser without a browser for tests: keeps cookies, sends forms, does not follow redirects."""

import http.client
import re
import secrets
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
        self, method: str, path: str, fields: dict[str, str] | None = None, body: bytes | None = None, **headers: str
    ) -> Answer:
        """One request (``fields`` as a form, or a ``body`` with its Content-Type among ``headers``); the
        answer's cookies are kept (and an expired one dropped)."""
        sent = {"Accept": "text/html", **{name.replace("_", "-"): value for name, value in headers.items()}}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if fields is not None:
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
        return self.request("GET", path, **headers)

    def post(self, path: str, fields: dict[str, str], **headers: str) -> Answer:
        """POST ``fields`` as a form to ``path``."""
        return self.request("POST", path, fields, **headers)

    def post_files(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, str, bytes]], **headers: str
    ) -> Answer:
        """POST ``fields`` and ``files`` (``{field: (file name, media type, bytes)}``) as
        ``multipart/form-data``, the fields first, as a browser sends a form whose file input comes last."""
        boundary = "----formclient" + secrets.token_hex(8)
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, media_type, data) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {media_type}\r\n\r\n"
            )
            parts.append(head.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        content_type = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", path, None, body, **{"Content-Type": content_type, **headers})
