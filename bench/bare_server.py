"""A bare aiohttp handler that returns a fixed actor-sized JSON body: the baseline for actor GETs."""

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


if __name__ == "__main__":
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
