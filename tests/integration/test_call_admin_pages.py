"""The calls admin pages on a real node process, through forms as a browser sends them: a call published
from the form is at its id and in the admin API's list; a bad form says every problem beside its field
and writes nothing; editing, closing and deleting (after a confirmation page) do what the API does, with
the same audit entries; a form without its CSRF token, or an editor of another organisation, changes
nothing."""

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.accounts import first_admin, invited
from tests.support.formclient import FormClient, csrf_of
from tests.support.http import api, database_dump, fetch, settled_dump
from tests.support.nodes import Node, start_node

pytestmark = pytest.mark.network
ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3600"}
ORGANISATION = {"nameMap": {"ca": "Fem Barri"}, "sectors": ["sector:civil-society"]}
PROJECT = {"organisation": "fem-barri", "nameMap": {"ca": "Fira maker"}, "areas": ["area:maker"]}
CALLS = "/admin/projects/fira-maker/calls"
FORM: dict[str, str | list[str]] = {
    "purpose": "request",
    "nameMap.ca": "Voluntàries d'impressió 3D",
    "nameMap.en": "3D printing volunteers",
    "contentMap.ca": "Busquem dues persones.\n\n<b>Gràcies!</b>",
    "concepts": ["skill:3d-printing"],
    "quantity": "2",
    "basedIn": "neighbourhood:64",
    "validFrom.date": "2026-12-01",
    "validUntil.date": "2099-12-15",
    "validUntil.time": "18:30",
    "deadline.date": "2099-12-10",
    "budget": "1200,50",
}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("call-admin") / "node", env=ENV)
    for path, document in (("organisations/fem-barri", ORGANISATION), ("projects/fira-maker", PROJECT)):
        assert api(started.base_url, started.token, "PUT", f"/api/{path}", document).status == 201
    other = {"nameMap": {"ca": "Ateneu B"}, "sectors": ["sector:civil-society"]}
    assert api(started.base_url, started.token, "PUT", "/api/organisations/ateneu-b", other).status == 201
    yield started
    started.stop()


@pytest.fixture(scope="module")
def standing(node: Node) -> str:
    """A call published through the API, which the refusals must leave as it is."""
    call = {"purpose": "offer", "nameMap": {"ca": "Sala lliure"}, "concepts": ["skill:3d-printing"]}
    answer = api(node.base_url, node.token, "POST", "/api/projects/fira-maker/calls", call)
    assert answer.status == 201, answer.body
    return str(answer.json()["call"])


@pytest.fixture(scope="module")
def admin(node: Node) -> FormClient:
    return first_admin(node)


@pytest.fixture(scope="module")
def stranger(node: Node) -> FormClient:
    """The editor of another organisation (ateneu-b)."""
    return invited(node, "editor@b.example", "editor", "ateneu-b")


def _fields(csrf: str | None, form: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = [] if csrf is None else [("csrf", csrf)]
    for name, value in form.items():
        pairs += [(name, item) for item in value] if isinstance(value, list) else [(name, value)]
    return pairs


def _api_calls(node: Node) -> list[dict[str, Any]]:
    answer = api(node.base_url, node.token, "GET", "/api/calls?profile=fira-maker")
    assert answer.status == 200
    calls: list[dict[str, Any]] = answer.json()
    return calls


def _audit(node: Node) -> list[tuple[str, str, str]]:
    entries = api(node.base_url, node.token, "GET", "/api/audit").json()
    return [(entry["actor"], entry["action"], entry["target"]) for entry in entries]


def _publish(admin: FormClient, form: dict[str, str | list[str]]) -> Any:
    page = admin.get(f"{CALLS}?lang=en")
    assert page.status == 200, page.body[:300]
    return admin.post(f"{CALLS}?lang=en", _fields(csrf_of(page.body), form))


def test_the_dashboard_and_the_profile_pages_link_the_calls_page(admin: FormClient) -> None:
    dashboard = admin.get("/admin?lang=en").body.decode()
    assert f'href="{CALLS}?lang=en"' in dashboard
    posts = admin.get("/admin/projects/fira-maker/posts?lang=en").body.decode()
    assert f'<a href="{CALLS}?lang=en">Calls</a>' in posts


def test_a_call_published_through_the_form_is_at_its_id_and_in_the_api(node: Node, admin: FormClient) -> None:
    answer = _publish(admin, FORM)
    assert answer.status == 303, answer.body[:500]
    assert answer.headers["location"] == f"{CALLS}?lang=en&done=call_published"
    call = next(item for item in _api_calls(node) if item["nameMap"].get("en") == "3D printing volunteers")
    assert call["purpose"] == "request" and call["concepts"] == ["skill:3d-printing"] and call["quantity"] == 2
    assert call["nameMap"] == {"ca": "Voluntàries d'impressió 3D", "en": "3D printing volunteers"}
    assert call["validFrom"] == "2026-11-30T23:00:00Z" and call["validUntil"] == "2099-12-15T17:30:00Z"
    assert call["deadline"] == "2099-12-10T22:59:59Z" and call["budget"] == "1200.5"
    assert call["basedIn"] == "neighbourhood:64" and call["state"] == "open"
    assert ("admin@ateneu.example", "call_published", call["id"]) in _audit(node)
    # Its page, in the reader's language, with the description as text
    page = fetch(f"{call['id']}?lang=en", headers={"Accept": "text/html"})
    assert page.status == 200
    assert "3D printing volunteers" in page.body.decode() and "&lt;b&gt;Gràcies!&lt;/b&gt;" in page.body.decode()
    # And the calls page lists it with its state, its page and its form
    listed = admin.get(f"{CALLS}?lang=ca&done=call_published").body.decode()
    assert "Crida publicada" in listed and ">Oberta</span>" in listed
    assert f'href="{call["id"]}?lang=ca"' in listed and f'href="/admin/calls/{call["call"]}/edit?lang=ca"' in listed


def test_a_bad_form_says_each_problem_beside_its_field_and_writes_nothing(node: Node, admin: FormClient) -> None:
    node.settle(30)
    before = settled_dump(node.database)
    bad = {
        **FORM,
        "concepts": [],
        "validFrom.date": "2026-12-10",
        "validUntil.date": "2026-12-01",
        "validUntil.time": "",
        "deadline.date": "someday",
        "quantity": "two",
    }
    answer = _publish(admin, bad)
    assert answer.status == 422
    text = html.unescape(answer.body.decode())
    for field, words in (
        ("concepts", "'Skills and resources' is required"),
        ("validUntil", "The call ends before it starts: 'Ends' must come after it opens."),
        ("deadline", "'Answer by': write the day as YYYY-MM-DD"),
        ("quantity", "'How many' must be a whole number"),
    ):
        assert re.search(f'<p class="field-error" id="error-{field}">{re.escape(words)}', text), field
    # What was typed is kept
    assert 'value="Voluntàries d\'impressió 3D"' in text and 'value="someday"' in text and 'value="two"' in text
    assert database_dump(node.database) == before
    # And in Spanish, the same problems in Spanish
    page = admin.get(f"{CALLS}?lang=es")
    spanish = admin.post(f"{CALLS}?lang=es", _fields(csrf_of(page.body), bad))
    assert spanish.status == 422 and "hay que indicar «Habilidades y recursos»" in spanish.body.decode()
    assert database_dump(node.database) == before


def test_a_call_is_edited_closed_and_deleted_after_confirmation(node: Node, admin: FormClient) -> None:
    assert _publish(admin, {**FORM, "nameMap.ca": "Espai lliure", "purpose": "offer"}).status == 303
    call = next(item for item in _api_calls(node) if item["nameMap"]["ca"] == "Espai lliure")
    edit = f"/admin/calls/{call['call']}/edit"
    # The form shows what the call says, its times as Barcelona's day and time
    form = admin.get(f"{edit}?lang=en")
    assert form.status == 200
    shown = form.body.decode()
    assert 'name="validUntil.date" type="date" value="2099-12-15"' in shown
    assert 'name="validUntil.time" type="time" value="18:30"' in shown
    assert 'value="offer" checked' in shown and 'value="skill:3d-printing" checked' in shown
    changed = {**FORM, "purpose": "offer", "nameMap.ca": "Espai lliure els dimarts", "quantity": ""}
    saved = admin.post(f"{edit}?lang=en", _fields(csrf_of(form.body), changed))
    assert saved.status == 303 and saved.headers["location"] == f"{CALLS}?lang=en&done=call_changed"
    now = api(node.base_url, node.token, "GET", f"/api/calls/{call['call']}").json()
    assert now["nameMap"]["ca"] == "Espai lliure els dimarts" and "quantity" not in now
    # A bad edit changes nothing
    node.settle(30)
    before = settled_dump(node.database)
    refused = admin.post(
        f"{edit}?lang=en", _fields(csrf_of(form.body), {**changed, "nameMap.ca": "", "nameMap.en": ""})
    )
    assert refused.status == 422 and "&#39;Title&#39; is required" in refused.body.decode()
    assert database_dump(node.database) == before
    # Closing
    csrf = csrf_of(admin.get(f"{CALLS}?lang=en").body)
    closed = admin.post(f"/admin/calls/{call['call']}/close?lang=en", {"csrf": csrf})
    assert closed.status == 303 and closed.headers["location"] == f"{CALLS}?lang=en&done=call_closed"
    assert api(node.base_url, node.token, "GET", f"/api/calls/{call['call']}").json()["state"] == "closed"
    # Deleting asks first, then deletes
    confirm = admin.get(f"/admin/calls/{call['call']}/delete?lang=en")
    assert confirm.status == 200 and "Yes, delete it" in confirm.body.decode()
    gone = admin.post(f"/admin/calls/{call['call']}/delete?lang=en", {"csrf": csrf_of(confirm.body)})
    assert gone.status == 303 and gone.headers["location"] == f"{CALLS}?lang=en&done=call_deleted"
    assert fetch(call["id"], headers={"Accept": "text/html"}).status == 410
    actions = [action for _, action, target in _audit(node) if target == call["id"]]
    assert {"call_published", "call_changed", "call_closed", "call_deleted"} <= set(actions)
    assert admin.get(f"{edit}?lang=en").status == 410


def test_without_the_csrf_token_nothing_changes(node: Node, admin: FormClient, standing: str) -> None:
    call = {"call": standing}
    node.settle(30)
    before = settled_dump(node.database)
    assert admin.post(f"{CALLS}?lang=en", _fields(None, FORM)).status == 403
    assert admin.post(f"{CALLS}?lang=en", _fields("forged", FORM)).status == 403
    assert admin.post(f"/admin/calls/{call['call']}/edit?lang=en", _fields(None, FORM)).status == 403
    assert admin.post(f"/admin/calls/{call['call']}/close", {}).status == 403
    assert admin.post(f"/admin/calls/{call['call']}/delete", {"csrf": "forged"}).status == 403
    # Even for a call that does not exist, the token is checked first
    assert admin.post("/admin/calls/nosuchcall/delete", {}).status == 403
    assert database_dump(node.database) == before


def test_an_editor_of_another_organisation_is_refused_in_their_language(
    node: Node, stranger: FormClient, standing: str
) -> None:
    call = {"call": standing}
    own = stranger.get("/admin/organisations/ateneu-b/calls?lang=ca")
    assert own.status == 200
    csrf = csrf_of(own.body)
    node.settle(30)
    before = settled_dump(node.database)
    refused = stranger.get(f"{CALLS}?lang=ca")
    assert refused.status == 403 and "pertany a una altra organització" in refused.body.decode()
    assert "Sala lliure" not in refused.body.decode() and "Fira maker" not in refused.body.decode()
    edit = stranger.get(f"/admin/calls/{call['call']}/edit?lang=es")
    assert edit.status == 403 and "pertenece a otra organización" in edit.body.decode()
    assert stranger.post(f"{CALLS}?lang=en", _fields(csrf, FORM)).status == 403
    assert stranger.post(f"/admin/calls/{call['call']}/edit?lang=en", _fields(csrf, FORM)).status == 403
    assert stranger.post(f"/admin/calls/{call['call']}/close?lang=en", {"csrf": csrf}).status == 403
    assert stranger.get(f"/admin/calls/{call['call']}/delete?lang=en").status == 403
    assert stranger.post(f"/admin/calls/{call['call']}/delete?lang=en", {"csrf": csrf}).status == 403
    assert database_dump(node.database) == before


def test_signing_in_is_required(node: Node) -> None:
    visitor = FormClient(node.base_url)
    answer = visitor.get(f"{CALLS}?lang=en")
    assert answer.status == 303 and answer.headers["location"].startswith("/signin?")
    assert visitor.get("/admin/calls/whatever/edit").status == 303
