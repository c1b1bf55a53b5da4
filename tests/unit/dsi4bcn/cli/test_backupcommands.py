"""``dsi4bcn backup`` and ``dsi4bcn restore`` (``dsi4bcn.cli.backupcommands``) on real data folders: what
they print, and each refusal as one line in the user's language with a non-zero exit, nothing changed."""

import asyncio
import json
from pathlib import Path

import pytest

from dsi4bcn.cli.commands import main
from dsi4bcn.storage.database import open_database


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DSI4BCN_DATA_DIR", "DSI4BCN_BASE_URL", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    folder = tmp_path / "data"

    async def create() -> None:
        await (await open_database(folder / "dsi4bcn.sqlite3")).close()

    asyncio.run(create())
    (folder / "admin-token").write_text("a-token-of-at-least-16-chars\n")
    return folder


def test_backup_then_restore_prints_what_was_done(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backup"
    assert main(["backup", str(backup), "--data-dir", str(data_dir), "--base-url", "https://node.example"]) == 0
    said = capsys.readouterr().out
    assert f"written to {backup}" in said and "not included: graph/" in said
    assert json.loads((backup / "manifest.json").read_text())["baseUrl"] == "https://node.example"
    restored = tmp_path / "restored"
    assert main(["restore", str(backup), "--data-dir", str(restored)]) == 0
    said = capsys.readouterr().out
    assert "--base-url https://node.example" in said and "rebuilt from the database" in said
    assert (restored / "admin-token").read_text() == "a-token-of-at-least-16-chars\n"


def test_refusals_are_one_line_in_the_user_s_language(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["backup", str(tmp_path / "b"), "--data-dir", str(tmp_path / "none")]) == 2
    assert "holds no node database" in capsys.readouterr().err
    backup = tmp_path / "backup"
    assert main(["backup", str(backup), "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    assert main(["restore", str(backup), "--data-dir", str(data_dir)]) == 1
    assert "is not empty" in capsys.readouterr().err
    (backup / "dsi4bcn.sqlite3").write_bytes((backup / "dsi4bcn.sqlite3").read_bytes() + b"\0")
    monkeypatch.setenv("LANG", "ca_ES.UTF-8")
    assert main(["restore", str(backup), "--data-dir", str(tmp_path / "new")]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "suma de control" in error and "no s'ha canviat res" in error
    assert not (tmp_path / "new").exists()
