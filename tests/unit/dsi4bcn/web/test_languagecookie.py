"""The language cookie: set by ``?lang=`` on HTML answers, read before Accept-Language, Secure on https."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from dsi4bcn.config import load_config
from dsi4bcn.web.appkeys import CONFIG
from dsi4bcn.web.http import json_response, request_language
from dsi4bcn.web.languagecookie import remember_language

Client = TestClient[web.Request, web.Application]


def _app(tmp_path: Path, base_url: str) -> web.Application:
    app = web.Application(middlewares=[remember_language])
    app[CONFIG] = load_config(data_dir=str(tmp_path), base_url=base_url, environ={})

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=request_language(request), content_type="text/html")

    async def data(request: web.Request) -> web.Response:
        return json_response({"language": request_language(request)})

    app.router.add_get("/page", page)
    app.router.add_get("/data", data)
    return app


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Callable[[str], Awaitable[Client]]]:
    started: list[Client] = []

    async def start(base_url: str = "http://127.0.0.1:1") -> Client:
        client = TestClient(TestServer(_app(tmp_path, base_url)))
        await client.start_server()
        started.append(client)
        return client

    yield start
    for client in started:
        await client.close()


async def test_a_picked_language_is_set_and_then_read_before_accept_language(
    client: Callable[..., Awaitable[Client]],
) -> None:
    http = await client()
    picked = await http.get("/page?lang=ES", headers={"Accept-Language": "en"})
    assert await picked.text() == "es"
    cookie = picked.headers["Set-Cookie"]
    assert cookie.startswith("lang=es;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie and "Path=/" in cookie and "Secure" not in cookie
    assert picked.headers["Vary"] == "Cookie"
    later = await http.get("/page", headers={"Accept-Language": "en", "Cookie": "lang=es"})
    assert await later.text() == "es" and "Set-Cookie" not in later.headers


@pytest.mark.parametrize(
    ("query", "cookie", "expected"),
    [
        ("?lang=ca", "lang=es", "ca"),  # the link wins over the memory
        ("?lang=fr", "lang=es", "es"),  # an unknown language asked is no choice
        ("", "lang=fr", "en"),  # an unknown language remembered neither
        ("", "theme=dark; lang=es", "es"),
        ("", "((((;;;=", "en"),
        ("", "", "en"),
    ],
)
async def test_what_wins(client: Callable[..., Awaitable[Client]], query: str, cookie: str, expected: str) -> None:
    http = await client()
    headers = {"Accept-Language": "en", **({"Cookie": cookie} if cookie else {})}
    answer = await http.get(f"/page{query}", headers=headers)
    assert await answer.text() == expected


async def test_json_answers_set_nothing_and_https_nodes_set_secure(client: Callable[..., Awaitable[Client]]) -> None:
    http = await client()
    data = await http.get("/data?lang=es")
    assert (await data.json())["language"] == "es"
    assert "Set-Cookie" not in data.headers and "Vary" not in data.headers
    secure = await client("https://node.example")
    assert "Secure" in (await secure.get("/page?lang=ca")).headers["Set-Cookie"]
