"""The command line wraps the admin API for people: YAML in, clear messages and exit codes out."""

import json
import subprocess
from pathlib import Path

from tests.support.forkserver import run_dsi4bcn
from tests.support.nodes import Node


def _cli(node: Node, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_dsi4bcn([*args[:1], "--url", node.base_url, "--token", node.token, *args[1:]], input=stdin)


def test_put_get_list_delete_from_yaml(node_factory, tmp_path: Path) -> None:
    node: Node = node_factory("cli")
    organisation = tmp_path / "ateneu.yaml"
    organisation.write_text(
        "slug: ateneu-sants\nnameMap:\n  ca: Ateneu de Sants\n  es: Ateneo de Sants\n"
        "sectors: [sector:civil-society]\nbasedIn: neighbourhood:18\n",
        encoding="utf-8",
    )
    project = tmp_path / "projecte.json"
    project.write_text(
        json.dumps(
            {
                "organisation": "ateneu-sants",
                "nameMap": {"ca": "Xarxa de barri"},
                "areas": ["area:community-networks"],
            }
        ),
        encoding="utf-8",
    )
    created = _cli(node, "organisation", "put", str(organisation))
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["basedIn"] == "neighbourhood:18"
    assert _cli(node, "project", "put", str(project), "--slug", "xarxa-barri").returncode == 0
    listing = _cli(node, "project", "list")
    assert listing.returncode == 0 and listing.stdout.startswith("xarxa-barri\tXarxa de barri")
    shown = _cli(node, "project", "get", "xarxa-barri")
    assert json.loads(shown.stdout)["areas"] == ["area:community-networks"]
    assert "@context" not in json.loads(shown.stdout)
    assert "@context" in json.loads(_cli(node, "project", "get", "xarxa-barri", "--json-ld").stdout)
    assert _cli(node, "project", "delete", "xarxa-barri").returncode == 0
    assert _cli(node, "project", "list").stdout == ""


def test_bad_input_gives_a_message_and_a_non_zero_exit(node_factory, tmp_path: Path) -> None:
    node: Node = node_factory("cli-bad")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "slug: taller\nnameMap: {ca: Taller}\nareas: [area:alchemy]\norganisation: ningu\n", encoding="utf-8"
    )
    result = _cli(node, "project", "put", str(bad))
    assert result.returncode == 1
    assert "HTTP 422" in result.stderr and "areas[0]" in result.stderr and "organisation" in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("nameMap: [unclosed\n", encoding="utf-8")
    result = _cli(node, "project", "put", str(broken))
    assert result.returncode == 2 and "is not valid YAML or JSON (line 2, column 1)" in result.stderr
    result = _cli(node, "project", "put", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2 and "missing.yaml" in result.stderr
    result = _cli(node, "project", "get", "nothing-here")
    assert result.returncode == 1 and "HTTP 404" in result.stderr
    unreachable = run_dsi4bcn(["project", "list", "--url", "http://127.0.0.1:9", "--token", "x" * 20])
    assert unreachable.returncode == 1 and "refuses connections" in unreachable.stderr
    assert unreachable.stderr.count("\n") == 1 and "Traceback" not in unreachable.stderr


def test_serve_refuses_bad_settings_with_a_message(tmp_path: Path) -> None:
    result = run_dsi4bcn(["serve", "--data-dir", str(tmp_path), "--port", "eighty"])
    assert result.returncode == 2 and "port must be a number" in result.stderr


def test_posting_following_and_blocking_from_the_command_line(node_factory, tmp_path: Path) -> None:
    node: Node = node_factory("cli-federation")
    organisation = tmp_path / "org.yaml"
    organisation.write_text("slug: ateneu\nnameMap: {ca: Ateneu}\nsectors: [sector:civil-society]\n", encoding="utf-8")
    project = tmp_path / "project.yaml"
    project.write_text(
        "slug: taller\norganisation: ateneu\nnameMap: {ca: Taller}\nareas: [area:maker]\n", encoding="utf-8"
    )
    assert _cli(node, "organisation", "put", str(organisation)).returncode == 0
    assert _cli(node, "project", "put", str(project)).returncode == 0
    posted = _cli(node, "project", "post", "taller", "--content", "<p>Obrim!</p>")
    assert posted.returncode == 0, posted.stderr
    assert json.loads(posted.stdout)["type"] == "Create"
    assert _cli(node, "project", "follow-requests", "taller").stdout.strip() == "[]"
    blocked = _cli(node, "blocks", "add", "spam.example", "--reason", "spam")
    assert blocked.returncode == 0 and json.loads(blocked.stdout)["domain"] == "spam.example"
    assert "spam.example" in _cli(node, "blocks", "list").stdout
    assert _cli(node, "blocks", "remove", "spam.example").returncode == 0
    refused = _cli(node, "project", "follow", "taller", "not-a-url")
    assert refused.returncode == 1 and "target" in refused.stderr
