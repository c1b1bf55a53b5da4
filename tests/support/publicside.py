"""A stand-in for a node's public side on 127.0.0.1, for ``dsi4bcn doctor`` tests: NodeInfo (naming
dsi4bcn or another software), WebFinger (answering, or 404 for everyone) and a clock that is off by a
chosen number of seconds in every ``Date`` header."""

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

__all__ = ["PublicSide", "public_side"]


@dataclass(frozen=True)
class PublicSide:
    """Where it listens."""

    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def public_side(*, webfinger: bool = True, skew: float = 0.0, software: str = "dsi4bcn") -> Iterator[PublicSide]:
    """Serve in a thread for the ``with`` block. ``webfinger``: answer for any ``acct:USER@HOST`` with the
    instance actor's id shape (``/actor`` for the host's own name, ``/projects/USER`` otherwise), else 404;
    ``skew``: seconds added to the clock of every ``Date`` header."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def date_time_string(self, timestamp: float | None = None) -> str:
            return formatdate(time.time() + skew, usegmt=True)

        def _json(self, status: int, document: object) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            base = f"http://{self.headers['Host']}"
            if parts.path == "/.well-known/nodeinfo":
                rel = "http://nodeinfo.diaspora.software/ns/schema/2.1"
                self._json(200, {"links": [{"rel": rel, "href": f"{base}/nodeinfo/2.1"}]})
            elif parts.path == "/nodeinfo/2.1":
                self._json(200, {"version": "2.1", "software": {"name": software, "version": "1"}})
            elif parts.path == "/.well-known/webfinger" and webfinger:
                resource = parse_qs(parts.query).get("resource", [""])[0]
                user = resource.removeprefix("acct:").partition("@")[0]
                actor = f"{base}/actor" if user == "127.0.0.1" else f"{base}/projects/{user}"
                link = {"rel": "self", "type": "application/activity+json", "href": actor}
                self._json(200, {"subject": resource, "links": [link]})
            else:
                self._json(404, {"error": "not_found"})

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield PublicSide(port=int(server.server_address[1]))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
