"""A web server on 127.0.0.1 that records every request and answers with a secret: the target of SSRF tests."""

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["SECRET", "Listener", "listening"]

SECRET = "internal-secret-7d1f0c2e"


@dataclass
class Listener:
    """Where the server listens and what it received (method and path of each request)."""

    port: int
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/internal"


@contextmanager
def listening() -> Iterator[Listener]:
    """Run the server in a thread for the duration of the ``with`` block."""
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            received.append(f"{self.command} {self.path}")
            body = f"secret: {SECRET}".encode()
            self.send_response(500)  # Oxigraph quotes the payload of an error answer in its error message
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(port=int(server.server_address[1]), requests=received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
