"""Accounts on a real node process: the first admin's invitation, signing in and out, sessions done right
(CSRF, no fixation, throttled sign-in, a password change ends sessions) and editors kept to their own
organisation through personal API tokens."""

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.accounts import PASSWORD, accept_invitation, first_admin_link, sign_in
from tests.support.formclient import FormClient, csrf_of
from tests.support.http import api
from tests.support.nodes import Node, start_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("accounts") / "node")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def admin(node: Node) -> FormClient:
    """The first admin, made from the link the node printed at its first start."""
    return accept_invitation(node, first_admin_link(node), "Admin@Ateneu.example")


def test_the_first_admin_signs_up_from_the_printed_link_which_then_is_spent(node: Node, admin: FormClient) -> None:
    page = admin.get("/admin?lang=en")
    assert page.status == 200 and b"Signed in as admin@ateneu.example" in page.body
    again = FormClient(node.base_url).get(first_admin_link(node).removeprefix(node.base_url) + "?lang=ca")
    assert again.status == 410 and "no és vàlid".encode() in again.body
    accounts = api(node.base_url, node.token, "GET", "/api/accounts").json()
    assert [(a["email"], a["role"]) for a in accounts] == [("admin@ateneu.example", "admin")]
    assert "password" not in str(accounts)


def test_the_admin_pages_send_a_stranger_tosign_in(node: Node) -> None:
    answer = FormClient(node.base_url).get("/admin?lang=es")
    location = urlsplit(answer.headers["location"])
    assert answer.status == 303 and location.path == "/signin"
    assert parse_qs(location.query) == {"lang": ["es"], "next": ["/admin?lang=es"]}


def test_session_cookie_is_httponly_and_lax_and_changes_at_everysign_in(node: Node, admin: FormClient) -> None:
    browser = FormClient(node.base_url)
    browser.cookies["dsi4bcn_session"] = "chosen-by-an-attacker-0123456789abcdef"
    assert sign_in(browser, "admin@ateneu.example") == 303
    cookie = next(line for line in browser.set_cookies if line.startswith("dsi4bcn_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert browser.cookies["dsi4bcn_session"] != "chosen-by-an-attacker-0123456789abcdef"
    planted = FormClient(node.base_url)
    planted.cookies["dsi4bcn_session"] = "chosen-by-an-attacker-0123456789abcdef"
    assert planted.get("/admin").status == 303
    assert browser.get("/admin").status == 200


def test_no_state_change_without_the_csrf_token_or_from_another_site(node: Node, admin: FormClient) -> None:
    page = admin.get("/admin/account?lang=en")
    token = csrf_of(page.body)
    assert admin.post("/admin/tokens", {"name": "no token"}).status == 403
    assert admin.post("/admin/tokens", {"name": "wrong", "csrf": token[:-1] + "x"}).status == 403
    refused = admin.post("/admin/tokens", {"name": "evil", "csrf": token}, Origin="http://evil.example")
    assert refused.status == 403 and b"does not come from this site" in refused.body
    assert b"no token" not in admin.get("/admin/account?lang=en").body
    assert admin.post("/signout", {"csrf": "forged"}).status == 403
    assert admin.get("/admin").status == 200  # still signed in
    stranger = FormClient(node.base_url)
    form = stranger.get("/signin")
    fields = {"email": "admin@ateneu.example", "password": PASSWORD}
    assert stranger.post("/signin", {**fields, "csrf": "not the cookie's"}).status == 403
    assert csrf_of(form.body)


def test_signing_out_and_a_password_change_end_sessions(node: Node, admin: FormClient) -> None:
    link = api(node.base_url, node.token, "POST", "/api/accounts", {"email": "ana@ateneu.example", "role": "admin"})
    assert link.status == 201
    first = accept_invitation(node, link.json()["invitation"], "ignored@example.org")
    second = FormClient(node.base_url)
    assert sign_in(second, "ana@ateneu.example") == 303
    old_cookie = second.cookies["dsi4bcn_session"]
    answer = second.post("/signout?lang=en", {"csrf": csrf_of(second.get("/admin").body)})
    assert answer.status == 303 and "dsi4bcn_session" not in second.cookies
    replay = FormClient(node.base_url)
    replay.cookies["dsi4bcn_session"] = old_cookie
    assert replay.get("/admin").status == 303
    form = first.get("/admin/account?lang=en")
    new = "another long passphrase"
    changed = first.post(
        "/admin/password?lang=en",
        {"csrf": csrf_of(form.body), "current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert changed.status == 303 and first.get("/admin").status == 303
    assert sign_in(FormClient(node.base_url), "ana@ateneu.example", new) == 303


def test_an_editor_manages_only_their_organisation(node: Node, admin: FormClient) -> None:
    made = api(
        node.base_url,
        node.token,
        "POST",
        "/api/accounts",
        {"email": "editor@a.example", "role": "editor", "organisation": "ateneu-a"},
    )
    editor = accept_invitation(node, made.json()["invitation"], "x@y.z")
    page = editor.get("/admin/account?lang=en")
    created = editor.post("/admin/tokens?lang=en", {"csrf": csrf_of(page.body), "name": "script"})
    token = re.search(rb'<code class="copy">([^<]+)</code>', created.body)
    assert token, created.body[:800]
    mine = token.group(1).decode()
    organisation = {
        "type": "Organization",
        "nameMap": {"ca": "Ateneu A"},
        "summaryMap": {"ca": "Un ateneu."},
        "sectors": ["sector:civil-society"],
    }
    assert api(node.base_url, node.token, "PUT", "/api/organisations/ateneu-b", organisation).status == 201
    assert api(node.base_url, mine, "PUT", "/api/organisations/ateneu-a", organisation).status == 201
    refused = api(node.base_url, mine, "PUT", "/api/organisations/ateneu-b", organisation)
    assert refused.status == 403 and refused.json()["code"] == "not_your_profile"
    assert api(node.base_url, mine, "GET", "/api/organisations/ateneu-b").status == 403
    assert api(node.base_url, mine, "DELETE", "/api/organisations/ateneu-b").status == 403
    assert [item["slug"] for item in api(node.base_url, mine, "GET", "/api/organisations").json()] == ["ateneu-a"]
    assert api(node.base_url, mine, "GET", "/api/peers").json()["code"] == "admin_only"
    assert api(node.base_url, mine, "POST", "/api/accounts", {"email": "z@z.example", "role": "admin"}).status == 403
    assert b"Ateneu A" in editor.get("/admin?lang=en").body and b"ateneu-b" not in editor.get("/admin").body
    entries = api(node.base_url, node.token, "GET", "/api/audit").json()
    audit = [entry["action"] for entry in entries]
    assert "token_created" in audit and "account_created" in audit
    changes = [(e["actor"], e["action"]) for e in entries if e["action"].startswith("PUT ")]
    assert ("editor@a.example", "PUT /api/organisations/ateneu-a") in changes
    assert ("admin token", "PUT /api/organisations/ateneu-b") in changes
    assert not any(e["action"] == "PUT /api/organisations/ateneu-b" and e["actor"] != "admin token" for e in entries)


def test_a_node_admin_removes_another_account_and_its_sessions_end(node: Node, admin: FormClient) -> None:
    made = api(node.base_url, node.token, "POST", "/api/accounts", {"email": "leaving@ateneu.example", "role": "admin"})
    leaving = accept_invitation(node, made.json()["invitation"], "x@y.z")
    page = admin.get("/admin?lang=en")
    form = rb'action="/admin/accounts/(\d+)/remove\?lang=en"[^>]*><input type="hidden" name="csrf" value="([^"]+)">'
    button = rb'<button[^>]*aria-label="Remove the account: leaving@ateneu.example"'
    found = re.search(form + button, page.body)
    assert found, page.body[-3000:]
    assert leaving.post(f"/admin/accounts/{found.group(1).decode()}/remove", {"csrf": "forged"}).status == 403
    removed = admin.post(f"/admin/accounts/{found.group(1).decode()}/remove?lang=en", {"csrf": found.group(2).decode()})
    assert removed.status == 303
    assert leaving.get("/admin").status == 303
    assert "leaving@ateneu.example" not in str(api(node.base_url, node.token, "GET", "/api/accounts").json())


# Last: it leaves 127.0.0.1 refused for a while, as it should.
def test_failed_sign_ins_are_slowed_then_refused_for_a_while(node: Node, admin: FormClient) -> None:
    api(node.base_url, node.token, "POST", "/api/accounts", {"email": "victim@ateneu.example", "role": "admin"})
    browser = FormClient(node.base_url)
    started = time.monotonic()
    statuses = [sign_in(browser, "victim@ateneu.example", "not the password") for _ in range(10)]
    assert statuses == [401] * 10
    assert time.monotonic() - started > 2.0  # failures after the third are slowed
    refused = browser.post(
        "/signin?lang=en",
        {"csrf": csrf_of(browser.get("/signin").body), "email": "victim@ateneu.example", "password": "x"},
    )
    assert refused.status == 429 and int(refused.headers["retry-after"]) > 60
    assert b"too many failed attempts" in refused.body
    assert "dsi4bcn_session" not in browser.cookies
