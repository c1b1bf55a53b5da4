"""Waiting for the directory: the service once its index is loaded, else a 503 with the headers given."""

import asyncio
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dsi4bcn.web import directoryready
from dsi4bcn.web.appkeys import DIRECTORY_SERVICE
from dsi4bcn.web.http import ApiError


class _Loading:
    def __init__(self) -> None:
        self.ready = asyncio.Event()


def _request(service: Any) -> web.Request:
    app = web.Application()
    app[DIRECTORY_SERVICE] = service
    return make_mocked_request("GET", "/directory", app=app)


async def test_a_loaded_directory_is_given_at_once_and_one_loading_in_time_too() -> None:
    service = _Loading()
    waiting = asyncio.create_task(directoryready.ready_directory(_request(service)))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    service.ready.set()
    assert await waiting is service
    assert await directoryready.ready_directory(_request(service)) is service


async def test_a_directory_still_loading_after_the_wait_is_a_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directoryready, "_WAIT", 0.05)
    with pytest.raises(ApiError) as refused:
        await directoryready.ready_directory(_request(_Loading()), {"Access-Control-Allow-Origin": "*"})
    assert (refused.value.status, refused.value.code) == (503, "directory_loading")
    assert refused.value.headers == {"Access-Control-Allow-Origin": "*"}
