"""Admin accounts on a real node process for form tests: the first admin from the link the node prints,
an invited account from its link, and signing in, each leaving a ``FormClient`` with a live session."""

import re
import time

from tests.support.formclient import FormClient, csrf_of
from tests.support.http import api
from tests.support.nodes import Node

__all__ = ["PASSWORD", "first_admin", "first_admin_link", "invited", "sign_in"]

PASSWORD = "a long enough passphrase"


def first_admin_link(node: Node) -> str:
    """The first admin's invitation link, as the node printed it in its log."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"first admin: open (\S+/invitation/\S+)", node.log_path.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no first-admin link in the log")


def _accept(node: Node, link: str, email: str) -> FormClient:
    browser = FormClient(node.base_url)
    path = link.removeprefix(node.base_url)
    form = browser.get(path + "?lang=en")
    assert form.status == 200, form.body[:500]
    fields = {"csrf": csrf_of(form.body), "email": email, "password": PASSWORD, "password_again": PASSWORD}
    answer = browser.post(path + "?lang=en", fields)
    assert answer.status == 303 and answer.headers["location"].startswith("/admin"), answer.body[:500]
    return browser


def first_admin(node: Node, email: str = "admin@ateneu.example") -> FormClient:
    """The node's first admin, signed up from the link the node printed at its first start."""
    return _accept(node, first_admin_link(node), email)


def invited(node: Node, email: str, role: str, organisation: str | None = None) -> FormClient:
    """An account invited through the admin API (with the node's token) and signed up from its link."""
    made = api(
        node.base_url, node.token, "POST", "/api/accounts", {"email": email, "role": role, "organisation": organisation}
    )
    assert made.status == 201, made.body
    return _accept(node, made.json()["invitation"], email)


def sign_in(node: Node, email: str) -> FormClient:
    """A new session of ``email`` (password ``PASSWORD``)."""
    browser = FormClient(node.base_url)
    form = browser.get("/signin?lang=en")
    fields = {"csrf": csrf_of(form.body), "email": email, "password": PASSWORD, "next": "/admin"}
    assert browser.post("/signin?lang=en", fields).status == 303
    return browser
