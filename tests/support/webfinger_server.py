"""A fediverse server's side of remote follow on 127.0.0.1: WebFinger answers with a subscribe template,
and the subscribe page it points at, which records the ``uri`` it was sent to follow."""

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.nodes import free_port

__all__ = ["WebFingerServer", "webfinger_server"]


@dataclass
class WebFingerServer:
    """Where it listens and what it saw. Accounts: ``alice`` (with a subscribe template), ``nosub`` (none),
    ``garbage`` (an answer that is not JSON); anyone else is unknown (404)."""

    port: int
    lookups: list[str] = field(default_factory=list)
    subscribed: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def subscribe_page(self) -> str:
        return f"http://{self.host}/authorize_interaction"


def _app(server: WebFingerServer) -> web.Application:
    async def webfinger(request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        server.lookups.append(resource)
        user = resource.removeprefix("acct:").partition("@")[0]
        links: list[dict[str, str]] = [{"rel": "self", "type": "application/activity+json", "href": "x"}]
        if user == "alice":
            links.append(
                {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": server.subscribe_page + "?uri={uri}"}
            )
        elif user == "garbage":
            return web.Response(text="<html>not json</html>", content_type="text/html")
        elif user != "nosub":
            return web.Response(status=404)
        return web.Response(body=json.dumps({"subject": resource, "links": links}), content_type="application/jrd+json")

    async def authorize(request: web.Request) -> web.Response:
        server.subscribed.append(request.query.get("uri", ""))
        return web.Response(
            text="<!doctype html><title>Follow?</title><h1>Confirm the follow</h1>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_get("/.well-known/webfinger", webfinger)
    app.router.add_get("/authorize_interaction", authorize)
    return app


@contextmanager
def webfinger_server() -> Iterator[WebFingerServer]:
    """Run the server in a thread for the duration of the ``with`` block."""
    server = WebFingerServer(port=free_port())
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_app(server), access_log=None)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", server.port).start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
