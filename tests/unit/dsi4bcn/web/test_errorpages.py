"""Which requests get an error as a page, and what the page says (never a traceback)."""

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from dsi4bcn.config import load_config
from dsi4bcn.web.appkeys import CONFIG, TEMPLATES
from dsi4bcn.web.errorpages import error_answer, prefers_html
from dsi4bcn.web.http import ApiError
from dsi4bcn.web.templating import template_environment

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _request(path: str, headers: dict[str, str], tmp_path: Path) -> web.Request:
    app = web.Application()
    app[CONFIG] = load_config(data_dir=str(tmp_path), base_url="http://127.0.0.1:1", environ={})
    app[TEMPLATES] = template_environment()
    return make_mocked_request("GET", path, headers=headers, app=app)


@pytest.mark.parametrize(
    ("path", "headers", "html"),
    [
        ("/nothing", {"Accept": BROWSER}, True),
        ("/projects/x/notes/1", {"Accept": "text/html"}, True),
        ("/nothing", {"Accept": "*/*"}, False),
        ("/nothing", {}, False),
        ("/nothing", {"Accept": "application/json"}, False),
        ("/nothing", {"Accept": "application/activity+json, text/html;q=0.5"}, False),
        ("/nothing", {"Accept": "text/html;q=nan, */*;q=1e999"}, False),
        ("/nothing", {"Accept": "(" * 5000}, False),
        ("/nothing", {"Accept": BROWSER, "Signature": 'keyId="k"'}, False),
        ("/api/projects/x", {"Accept": BROWSER}, False),
        ("/.well-known/webfinger", {"Accept": BROWSER}, False),
        ("/nodeinfo/2.1", {"Accept": BROWSER}, False),
        ("/inbox", {"Accept": BROWSER}, False),
        ("/projects/x/inbox", {"Accept": BROWSER}, False),
        ("/actor", {"Accept": BROWSER}, False),
        ("/actor/outbox", {"Accept": BROWSER}, False),
    ],
)
def test_who_gets_a_page(path: str, headers: dict[str, str], html: bool, tmp_path: Path) -> None:
    assert prefers_html(_request(path, headers, tmp_path)) is html


def test_a_page_says_the_status_the_reason_and_where_to_go(tmp_path: Path) -> None:
    request = _request("/partners?lang=es", {"Accept": BROWSER}, tmp_path)
    answer = error_answer(request, ApiError(400, "bad_page", maximum=7, headers={"Content-Type": "text/plain"}))
    assert answer.status == 400 and answer.headers["Content-Type"] == "text/html; charset=utf-8"
    text = answer.text or ""
    assert '<html lang="es">' in text and "No se ha podido entender la petición." in text
    assert "<code>bad_page</code>" in text and "7" in text.split('class="reason"')[1]
    assert 'href="/?lang=es"' in text and 'href="/directory?lang=es"' in text


def test_a_500_page_says_only_that_something_failed(tmp_path: Path) -> None:
    request = _request("/", {"Accept": BROWSER, "Accept-Language": "en"}, tmp_path)
    text = error_answer(request, ApiError(500, "internal_error")).text or ""
    assert "Something went wrong on the node." in text and 'class="reason"' not in text
    assert "Traceback" not in text


def test_programs_get_the_json_answer(tmp_path: Path) -> None:
    request = _request("/nothing", {"Accept": "application/json", "Accept-Language": "ca"}, tmp_path)
    answer = error_answer(request, ApiError(404, "not_found"))
    assert answer.status == 404 and answer.content_type == "application/json"
    assert answer.text == '{"error":"no existeix","code":"not_found"}'
