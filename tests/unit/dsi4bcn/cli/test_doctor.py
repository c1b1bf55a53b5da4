"""``dsi4bcn doctor`` (``dsi4bcn.cli.doctor``) on real data folders made wrong one way at a time, against a
real stand-in of a node's public side on 127.0.0.1: each misconfiguration is reported with a fix, a problem
makes the exit status 1, and ``--json`` carries the same findings."""

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dsi4bcn.cli.commands import main
from dsi4bcn.storage.database import SCHEMA_VERSION, open_database
from tests.support.nodes import free_port
from tests.support.publicside import PublicSide, public_side


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder as a new node leaves it: a private folder, database and token."""
    for name in ("DSI4BCN_DATA_DIR", "DSI4BCN_BASE_URL", "DSI4BCN_ALLOW_PRIVATE_NETWORK", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "data"

    async def create() -> None:
        await (await open_database(folder / "dsi4bcn.sqlite3")).close()

    asyncio.run(create())
    token = folder / "admin-token"
    token.write_text("a-token-of-at-least-16-chars\n")
    token.chmod(0o600)
    return folder


@pytest.fixture
def side() -> Any:
    with public_side() as running:
        yield running


def _doctor(data_dir: Path, base_url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    options = [option for option in extra if option != "--no-private"]
    args = ["doctor", "--data-dir", str(data_dir), "--base-url", base_url, "--timeout", "3", "--json", *options]
    status = main(args if "--no-private" in extra else [*args, "--allow-private-network"])
    return status, json.loads(capsys.readouterr().out)


def _statuses(report: Any, check: str) -> list[str]:
    return [finding["status"] for finding in report["findings"] if finding["check"] == check]


def _finding(report: Any, check: str, status: str) -> dict[str, str]:
    return next(f for f in report["findings"] if f["check"] == check and f["status"] == status)


def test_a_private_test_node_set_up_well_has_no_problem(
    data_dir: Path, side: PublicSide, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = _doctor(data_dir, side.base_url, capsys)
    assert status == 0 and report["problems"] == 0, report
    wanted = {"https": ["warning"], "reachable": ["ok"], "webfinger": ["ok"], "clock": ["ok"]}
    wanted |= {"database": ["ok"], "disk": ["ok"], "permissions": ["ok"]}
    assert {check: _statuses(report, check) for check in wanted} == wanted
    main(["doctor", "--data-dir", str(data_dir), "--base-url", side.base_url, "--allow-private-network"])
    text = capsys.readouterr().out
    assert "0 problem(s), 1 warning(s)" in text and "fix: serve the node behind https" in text


def test_a_world_readable_data_folder_is_a_problem(
    data_dir: Path, side: PublicSide, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.chmod(0o755)
    for path in data_dir.iterdir():
        path.chmod(0o644)
    status, report = _doctor(data_dir, side.base_url, capsys)
    assert status == 1
    problems = [f for f in report["findings"] if f["check"] == "permissions" and f["status"] == "problem"]
    named = {Path(f["message"].split()[0]).name for f in problems}
    # the database, its WAL companions (a reader leaves them with the database's mode) and the token
    assert named - {"dsi4bcn.sqlite3-wal", "dsi4bcn.sqlite3-shm"} == {"dsi4bcn.sqlite3", "admin-token"}
    assert all(f["fix"].startswith("chmod 600 ") for f in problems)
    assert _finding(report, "permissions", "warning")["fix"] == f"chmod 700 {data_dir}"


def test_a_folder_writable_by_everybody_is_a_problem(
    data_dir: Path, side: PublicSide, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.chmod(0o777)
    status, report = _doctor(data_dir, side.base_url, capsys)
    assert status == 1 and "writable by every user" in _finding(report, "permissions", "problem")["message"]


def test_low_free_disk_is_a_problem_below_the_threshold_and_a_warning_near_it(
    data_dir: Path, side: PublicSide, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = _doctor(data_dir, side.base_url, capsys, "--min-free-disk", str(10**9))
    assert status == 1 and _statuses(report, "disk") == ["problem"]
    assert "free space" in _finding(report, "disk", "problem")["fix"]
    free = int(_finding(report, "disk", "problem")["message"].split()[0])
    status, report = _doctor(data_dir, side.base_url, capsys, "--min-free-disk", str(free // 2))
    assert status == 0 and _statuses(report, "disk") == ["warning"]


def test_a_plain_http_base_url_is_a_problem_outside_private_testing(
    data_dir: Path, side: PublicSide, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = _doctor(data_dir, side.base_url, capsys, "--no-private")
    assert status == 1
    assert _statuses(report, "https") == ["problem"] and _statuses(report, "reachable") == ["problem"]


def test_a_missing_or_newer_database_is_a_problem(
    data_dir: Path, side: PublicSide, capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = _doctor(data_dir.parent / "elsewhere", side.base_url, capsys)
    assert status == 1 and "--data-dir" in _finding(report, "database", "problem")["fix"]
    connection = sqlite3.connect(data_dir / "dsi4bcn.sqlite3")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    status, report = _doctor(data_dir, side.base_url, capsys)
    assert status == 1 and "newer than this program" in _finding(report, "database", "problem")["message"]


def test_webfinger_not_answering_and_a_skewed_clock_are_problems(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with public_side(webfinger=False, skew=600) as wrong:
        status, report = _doctor(data_dir, wrong.base_url, capsys)
    assert status == 1
    assert _statuses(report, "webfinger") == ["problem"] and _statuses(report, "clock") == ["problem"]
    # with no profile yet, the node's own actor is looked up
    assert f"acct:127.0.0.1@127.0.0.1:{wrong.port}" in _finding(report, "webfinger", "problem")["message"]


def test_a_base_url_where_nothing_listens_is_a_problem(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = _doctor(data_dir, f"http://127.0.0.1:{free_port()}", capsys)
    assert status == 1 and "did not answer" in _finding(report, "reachable", "problem")["message"]
    assert _statuses(report, "webfinger") == ["warning"]  # not checked


def test_bad_options_are_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--data-dir", str(data_dir), "--base-url", "ftp://x"]) == 2
    assert "base URL" in capsys.readouterr().err
    assert main(["doctor", "--data-dir", str(data_dir), "--timeout", "0"]) == 2
