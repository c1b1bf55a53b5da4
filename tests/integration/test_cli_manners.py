"""The command line as a new community admin meets it, on real demo nodes: the README's profile example
runs exactly as written, and bad input gets one line in the user's language, a non-zero exit and no
change to the node."""

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.support.forkserver import run_dsi4bcn
from tests.support.http import database_dump
from tests.support.nodes import ADMIN_TOKEN, Node

README = Path(__file__).parents[2] / "README.md"
LOCALES = {"ca": "ca_ES.UTF-8", "es": "es_ES.UTF-8", "en": "en_GB.UTF-8"}


def _environment(node: Node, **extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DSI4BCN_", "LC_"))}
    environment.pop("LANGUAGE", None)
    return {**environment, "DSI4BCN_URL": node.base_url, **extra}


def _readme_example() -> tuple[dict[str, str], list[str]]:
    """The files (``# name`` on their first line) and the commands of the README's "Managing profiles"."""
    section = README.read_text(encoding="utf-8").split("## Managing profiles", 1)[1].split("\n## ", 1)[0]
    files = {match[1]: match[2] for match in re.finditer(r"```yaml\n# (\S+)\n(.*?)```", section, re.S)}
    commands = re.search(r"```sh\n(.*?)```", section, re.S)
    assert files and commands is not None
    return files, [line for line in commands[1].splitlines() if line.strip()]


def test_the_readmes_profile_example_works_as_written_on_the_demo_node(node_factory, tmp_path: Path) -> None:
    # Given a demo node whose data folder is ./dsi4bcn-data, as `dsi4bcn serve --demo` makes it
    node: Node = node_factory("dsi4bcn-data", demo=True)
    (node.data_dir / "admin-token").write_text(ADMIN_TOKEN + "\n", encoding="ascii")
    files, commands = _readme_example()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    # When each command runs as written (the CLI told the node's port by DSI4BCN_URL, the token by the file)
    for line in commands:
        words = shlex.split(line, comments=True)
        assert words[0] == ".venv/bin/dsi4bcn", line
        output = None
        if ">" in words:
            words, output = words[: words.index(">")], words[words.index(">") + 1]
        result = run_dsi4bcn(words[1:], cwd=tmp_path, env=_environment(node))
        # Then every one succeeds
        assert result.returncode == 0, (line, result.stderr)
        if output:
            (tmp_path / output).write_text(result.stdout, encoding="utf-8")
        if words[1:3] == ["project", "list"]:
            assert "taller-obert\tTaller obert" in result.stdout
        if words[1:2] == ["match"]:
            assert result.stdout.lstrip().startswith("1.")
    assert '"@context"' not in (tmp_path / "taller.json").read_text(encoding="utf-8")


def _run(node: Node, language: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_dsi4bcn(list(args), env=_environment(node, LANG=LOCALES[language], DSI4BCN_ADMIN_TOKEN=node.token))


BAD_INPUT = {
    "slug with a space": (
        ["project", "get", "taller obert"],
        {
            "ca": "«taller obert» no és un nom curt vàlid",
            "es": "«taller obert» no es un nombre corto válido",
            "en": "'taller obert' is not a valid short name",
        },
    ),
    "no file": (
        ["project", "put", "{tmp}/none.yaml"],
        {"ca": "no hi ha cap fitxer", "es": "no existe el archivo", "en": "there is no file"},
    ),
    "not YAML": (
        ["project", "put", "{tmp}/broken.yaml"],
        {"ca": "no és YAML ni JSON vàlid", "es": "no es YAML ni JSON válido", "en": "is not valid YAML or JSON"},
    ),
    "unreachable node": (
        ["project", "list", "--url", "http://127.0.0.1:9"],
        {"ca": "no accepta connexions", "es": "no acepta conexiones", "en": "refuses connections"},
    ),
    "did you mean": (
        ["project", "put", "{tmp}/typos.yaml"],
        {
            "ca": "potser volíeu dir «needs»?",
            "es": "¿quizá quería decir «needs»?",
            "en": "did you mean 'needs'?",
        },
    ),
}


@pytest.mark.parametrize("language", LOCALES)
def test_bad_input_is_said_in_the_users_language_and_changes_nothing(
    demo_node: Node, tmp_path: Path, language: str
) -> None:
    (tmp_path / "broken.yaml").write_text("slug: x\nnameMap: [unclosed\n", encoding="utf-8")
    (tmp_path / "typos.yaml").write_text(
        "slug: taller-obert\norganisation: teixit-digital\nnameMap: {ca: Taller}\nareas: [area:maker]\n"
        "neds: [skill:web-development]\n",
        encoding="utf-8",
    )
    demo_node.settle()
    before = database_dump(demo_node.database)
    for case, (args, texts) in BAD_INPUT.items():
        result = _run(demo_node, language, *(arg.format(tmp=tmp_path) for arg in args))
        assert result.returncode != 0, case
        assert texts[language] in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr and result.stdout == "", case
        if case != "did you mean":  # the node's answer lists each problem on a line of its own
            assert result.stderr.count("\n") == 1, (case, result.stderr)
    assert database_dump(demo_node.database) == before
