"""``dsi4bcn user``: a node admin invites people from the terminal; the printed link makes the account;
bad input says why in the terminal's language and changes nothing."""

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.support.accounts import accept_invitation
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api
from tests.support.nodes import Node, start_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    started = start_node(tmp_path_factory.mktemp("cli-users") / "node")
    yield started
    started.stop()


def _user(node: Node, *args: str, language: str = "en_GB.UTF-8") -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    environment["LANG"] = language
    return run_dsi4bcn(["user", *args[:1], "--url", node.base_url, "--token", node.token, *args[1:]], env=environment)


def test_an_admin_invites_an_editor_from_the_terminal(node: Node) -> None:
    made = _user(node, "add", "Editora@Ateneu.example", "--role", "editor", "--organisation", "ateneu-clot")
    assert made.returncode == 0, made.stderr
    first, link = made.stdout.strip().splitlines()
    assert first.startswith("Invitation for editora@ateneu.example, valid until ")
    browser = accept_invitation(node, link, "ignored@example.org")
    assert b"Signed in as editora@ateneu.example" in browser.get("/admin?lang=en").body
    listed = _user(node, "list")
    assert '"editora@ateneu.example"' in listed.stdout and '"ateneu-clot"' in listed.stdout
    again = _user(node, "add", "editora@ateneu.example", "--role", "admin", language="ca_ES.UTF-8")
    assert again.returncode == 1 and "ja hi ha un compte amb aquesta adreça" in again.stderr


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("ca_ES.UTF-8", "un editor necessita --organisation"),
        ("es_ES.UTF-8", "un editor necesita --organisation"),
        ("en_GB.UTF-8", "an editor needs --organisation"),
    ],
)
def test_an_editor_without_an_organisation_is_refused_before_the_node_is_called(
    node: Node, language: str, said: str
) -> None:
    before = api(node.base_url, node.token, "GET", "/api/accounts").json()
    refused = _user(node, "add", "x@ateneu.example", "--role", "editor", language=language)
    assert refused.returncode == 2 and said in refused.stderr and "Traceback" not in refused.stderr
    assert api(node.base_url, node.token, "GET", "/api/accounts").json() == before
    bad_slug = _user(node, "add", "x@ateneu.example", "--role", "editor", "--organisation", "no spaces")
    assert bad_slug.returncode == 2 and "Traceback" not in bad_slug.stderr
