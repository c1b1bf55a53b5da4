"""The ``dsi4bcn`` commands' manners (``dsi4bcn.cli.commands``): bad input is one line in the user's
language and a non-zero exit, before anything is sent; ``get`` prints what ``put`` takes back; ``match``
takes a slug. The node is replaced by a recorder here; tests/integration/test_cli.py uses real nodes."""

import json
from pathlib import Path
from typing import Any

import pytest

from dsi4bcn.cli import commands
from dsi4bcn.cli.apiclient import ApiClient, ApiFailure
from dsi4bcn.cli.failures import CommandFailed

LANGUAGES = {"ca": "ca_ES.UTF-8", "es": "es_ES.UTF-8", "en": "en_GB.UTF-8"}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every call the commands make, answered by a node that knows one project, ``taller``."""
    calls: list[tuple[str, str, Any]] = []

    def call(self: ApiClient, method: str, path: str, body: Any = None) -> Any:
        calls.append((method, path, body))
        if path.endswith("/projects/taller"):
            return {"@context": ["https://www.w3.org/ns/activitystreams"], "id": "http://n/projects/taller"}
        if path.startswith("/api/match"):
            return {"results": []}
        raise ApiFailure(404, {"error": "not found", "code": "not_found"})

    monkeypatch.setattr(ApiClient, "call", call)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "DSI4BCN_URL", "DSI4BCN_BASE_URL", "DSI4BCN_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DSI4BCN_DATA_DIR", "/nonexistent/dsi4bcn-data")
    return calls


def _bad_inputs(folder: Path) -> list[tuple[list[str], CommandFailed]]:
    """Commands with bad local input, and the failure each must report."""
    (folder / "broken.yaml").write_text("nameMap: [unclosed\n", encoding="utf-8")
    (folder / "latin1.yaml").write_bytes("nameMap: {ca: Caf\u00e9}".encode("latin-1"))
    (folder / "list.yaml").write_text("- a\n", encoding="utf-8")
    (folder / "noslug.yaml").write_text("nameMap: {ca: Taller}\n", encoding="utf-8")
    broken, latin1, listing, noslug = (str(folder / n) for n in ("broken", "latin1", "list", "noslug"))
    missing = str(folder / "missing.yaml")
    return [
        (["project", "get", "taller obert"], CommandFailed("bad_slug", value="taller obert")),
        (["organisation", "delete", "Ateneu"], CommandFailed("bad_slug", value="Ateneu")),
        (["project", "put", missing], CommandFailed("cli_no_file", path=missing)),
        (["project", "put", str(folder)], CommandFailed("cli_is_folder", path=str(folder))),
        (["project", "put", f"{broken}.yaml"], CommandFailed("cli_not_yaml", path=f"{broken}.yaml", line=2, column=1)),
        (["project", "put", f"{latin1}.yaml"], CommandFailed("cli_not_utf8", path=f"{latin1}.yaml")),
        (["project", "put", f"{listing}.yaml"], CommandFailed("cli_not_mapping", path=f"{listing}.yaml")),
        (["project", "put", f"{noslug}.yaml"], CommandFailed("cli_no_slug")),
        (["project", "put", f"{noslug}.yaml", "--slug", "a b"], CommandFailed("bad_slug", value="a b")),
        (["media", "upload", "notes.txt"], CommandFailed("cli_not_image", path="notes.txt")),
        (["match", "taller obert"], CommandFailed("bad_slug", value="taller obert")),
        (["match", "taller", "--weight", "needs"], CommandFailed("cli_bad_weight", value="needs")),
        (["project", "list", "--url", "http://exa mple"], CommandFailed("cli_bad_url", url="http://exa mple")),
        (["project", "list", "--url", "node.example"], CommandFailed("cli_bad_url", url="node.example")),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_input_is_one_line_in_the_users_language_and_nothing_is_sent(
    sent: list[tuple[str, str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    monkeypatch.setenv("LANG", LANGUAGES[language])
    for argv, failure in _bad_inputs(tmp_path):
        if argv[0] != "match":
            argv = [*argv, "--token", "t" * 20]
        assert commands.main(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.err == f"dsi4bcn: {failure.describe(language)}\n", argv
        assert captured.out == ""
    assert [call for call in sent if call[0] != "GET"] == []  # nothing written
    assert sent == []  # every bad input is found before the node is called


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ca", "no hi ha cap testimoni d'administració"),
        ("es", "no hay ningún token de administración"),
        ("en", "no admin token"),
    ],
)
def test_no_token_says_where_to_find_one(
    sent: list[tuple[str, str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    text: str,
) -> None:
    monkeypatch.setenv("LANG", LANGUAGES[language])
    assert commands.main(["project", "list"]) == 2
    assert capsys.readouterr().err.startswith(f"dsi4bcn: {text}")
    assert sent == []


def test_get_prints_the_profile_without_its_context_unless_asked(
    sent: list[tuple[str, str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert commands.main(["project", "get", "taller", "--token", "t" * 20]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "http://n/projects/taller"}
    assert commands.main(["project", "get", "taller", "--json-ld", "--token", "t" * 20]) == 0
    assert "@context" in json.loads(capsys.readouterr().out)


def test_match_takes_a_slug_or_an_iri(sent: list[tuple[str, str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.main(["match", "taller"]) == 0
    assert sent[-1][1].startswith("/api/match?profile=http%3A%2F%2Fn%2Fprojects%2Ftaller&")
    # Without a token, from the public actor documents (a slug names one organisation or one project).
    assert [path for _, path, _ in sent[:2]] == ["/organisations/taller", "/projects/taller"]
    assert commands.main(["match", "https://other.example/projects/x"]) == 0
    assert sent[-1][1].startswith("/api/match?profile=https%3A%2F%2Fother.example%2Fprojects%2Fx&")
    assert commands.main(["match", "nobody", "--token", "t" * 20]) == 1
    assert "'nobody'" in capsys.readouterr().err
    assert sent[-2:] == [("GET", "/api/organisations/nobody", None), ("GET", "/api/projects/nobody", None)]


OLD_SYNC = {"lastSync": "2026-11-30T10:00:00Z", "lastError": None, "backfill": {"total": 0, "done": 0}}


@pytest.mark.parametrize(
    ("added", "answers", "status", "said"),
    [
        # a new peer: done when it has a last sync
        (
            {**OLD_SYNC, "lastSync": None},
            [{**OLD_SYNC, "lastSync": "2026-12-01T10:00:00Z", "backfill": {"total": 3, "done": 3}}],
            0,
            "3/3",
        ),
        # a peer added again: its old last sync is not taken for the end of this backfill
        (
            OLD_SYNC,
            [
                {**OLD_SYNC, "backfill": {"total": 4, "done": 1}},
                {**OLD_SYNC, "lastSync": "2026-12-01T10:00:00Z", "backfill": {"total": 4, "done": 4}},
            ],
            0,
            "1/4",
        ),
        # a failed backfill: said, and a non-zero exit
        ({**OLD_SYNC, "lastSync": None}, [{**OLD_SYNC, "lastSync": None, "lastError": "reading: 500"}], 1, "500"),
    ],
)
def test_peers_add_waits_for_the_backfill_and_says_if_it_failed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    added: dict[str, Any],
    answers: list[dict[str, Any]],
    status: int,
    said: str,
) -> None:
    actor = "http://peer.example/actor"
    listings = iter(answers)

    def call(self: ApiClient, method: str, path: str, body: Any = None) -> Any:
        if method == "POST":
            return {"actor": actor, **added}
        return [{"actor": actor, **next(listings)}]

    monkeypatch.setattr(ApiClient, "call", call)
    monkeypatch.setattr(commands.time, "sleep", lambda _seconds: None)
    monkeypatch.setenv("LANGUAGE", "en")
    assert commands.main(["peers", "add", "http://peer.example", "--token", "t" * 20]) == status
    err = capsys.readouterr().err
    assert said in err
    assert next(listings, None) is None  # it read every answer, and stopped at the last
