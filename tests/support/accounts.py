"""Accounts in tests: the first admin's link from a node's log, accepting an invitation and signing in
through the real forms (``FormClient``)."""

import re
import time

from playwright.sync_api import Page, expect

from tests.support.formclient import FormClient, csrf_of
from tests.support.http import api
from tests.support.nodes import Node

__all__ = [
    "PASSWORD",
    "accept_invitation",
    "first_admin",
    "first_admin_link",
    "invited",
    "new_session",
    "sign_in",
    "sign_up_in_browser",
]

PASSWORD = "a long enough passphrase"


def first_admin_link(node: Node, timeout: float = 10.0) -> str:
    """The invitation link the node printed for its first admin: the last one in its log, since each start
    without an account withdraws the earlier link and prints a new one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.findall(r"first admin: open (\S+/invitation/\S+)", node.log_path.read_text())
        if found:
            return str(found[-1])
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
    return browser.post("/signin?lang=en", fields, None, **headers).status


def first_admin(node: Node, email: str = "admin@ateneu.example") -> FormClient:
    """The node's first admin, signed up from the link the node printed at its first start."""
    return accept_invitation(node, first_admin_link(node), email)


def invited(node: Node, email: str, role: str, organisation: str | None = None) -> FormClient:
    """An account invited through the admin API (with the node's token) and signed up from its link."""
    made = api(
        node.base_url, node.token, "POST", "/api/accounts", {"email": email, "role": role, "organisation": organisation}
    )
    assert made.status == 201, made.body
    return accept_invitation(node, made.json()["invitation"], email)


def new_session(node: Node, email: str, password: str = PASSWORD) -> FormClient:
    """A new browser signed in as ``email``."""
    browser = FormClient(node.base_url)
    assert sign_in(browser, email, password) == 303
    return browser


def sign_up_in_browser(
    page: Page, node: Node, email: str = "coordinacio@ateneu.example", password: str = PASSWORD
) -> None:
    """Make the first admin in Chromium, from the printed link (in Catalan), and land on the dashboard."""
    answer = page.goto(first_admin_link(node) + "?lang=ca")
    assert answer is not None and answer.status == 200, node.log()[-3000:]  # an open invitation, not a spent one
    page.get_by_label("Correu").fill(email)
    page.get_by_label("Contrasenya nova").fill(password)
    page.get_by_label("Repetiu la contrasenya").fill(password)
    page.get_by_role("button", name="Crea el compte").click()
    expect(page).to_have_url(re.compile(r"/admin\?lang=ca$"))
