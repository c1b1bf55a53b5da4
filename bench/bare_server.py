"""A bare aiohttp handler that returns a fixed actor-sized JSON body: the baseline for actor GETs.

    python bench/bare_server.py PORT [--reuse-port]

With ``--reuse-port`` several of these processes can listen on one port (``SO_REUSEPORT``), as the node's
workers do: the baseline for ``serve --workers N``."""

import json
import sys

from aiohttp import web

BODY = json.dumps(
    {"@context": "https://www.w3.org/ns/activitystreams", "type": "Group", "padding": "x" * 3000}
).encode()


async def handler(request: web.Request) -> web.Response:
    response = web.Response(body=BODY)
    response.headers["Content-Type"] = "application/activity+json"
    return response


async def accept(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({}, status=202)


if __name__ == "__main__":
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    app.router.add_post("/{tail:.*}", accept)
    web.run_app(
        app, host="127.0.0.1", port=int(sys.argv[1]), reuse_port="--reuse-port" in sys.argv, print=None, access_log=None
    )
