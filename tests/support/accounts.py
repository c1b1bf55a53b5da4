"""Accounts in tests: the first admin's link from a node's log, accepting an invitation and signing in
through the real forms (``FormClient``)."""

import re
import time

from tests.support.formclient import FormClient, csrf_of
from tests.support.nodes import Node

__all__ = ["PASSWORD", "accept_invitation", "first_admin_link", "sign_in"]

PASSWORD = "a long enough passphrase"


def first_admin_link(node: Node, timeout: float = 10.0) -> str:
    """The invitation link the node printed at its first start for its first admin."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"first admin: open (\S+/invitation/\S+)", node.log_path.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no first-admin link in the log")


def accept_invitation(node: Node, link: str, email: str, password: str = PASSWORD) -> FormClient:
    """A browser signed in as the account the invitation ``link`` makes."""
    browser = FormClient(node.base_url)
    path = link.removeprefix(node.base_url)
    form = browser.get(path + "?lang=en")
    assert form.status == 200, form.body[:500]
    fields = {"csrf": csrf_of(form.body), "email": email, "password": password, "password_again": password}
    answer = browser.post(path + "?lang=en", fields)
    assert answer.status == 303 and answer.headers["location"].startswith("/admin"), answer.body[:500]
    return browser


def sign_in(browser: FormClient, email: str, password: str = PASSWORD, **headers: str) -> int:
    """Sign in through the form; the answer's status (303 when it worked)."""
    form = browser.get("/signin?lang=en")
    fields = {"csrf": csrf_of(form.body), "email": email, "password": password, "next": "/admin"}
    return browser.post("/signin?lang=en", fields, **headers).status
