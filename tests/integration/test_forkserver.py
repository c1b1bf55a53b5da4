"""The test harness's fork server (tests/support/forkserver.py) starts the same command a fresh interpreter
runs: same output, exit status, environment, folder and input; and it reports a killed process as
``subprocess`` would."""

import os
import signal
from pathlib import Path

import pytest

from tests.support.forkserver import run_dsi4bcn
from tests.support.nodes import start_node


@pytest.mark.parametrize(
    "args", [["--version"], ["nonsense"], ["serve", "--port", "eighty"], ["project", "put", "-", "--token", "x" * 20]]
)
def test_a_forked_command_answers_as_a_fresh_interpreter_does(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {"PATH": os.environ["PATH"], "LANG": "ca_ES.UTF-8", "DSI4BCN_URL": "http://127.0.0.1:9"}
    forked = run_dsi4bcn(args, input="slug: [unclosed\n", env=environment)
    monkeypatch.setenv("DSI4BCN_TEST_FORK", "0")
    fresh = run_dsi4bcn(args, input="slug: [unclosed\n", env=environment)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.stdout or forked.stderr


def test_a_forked_command_runs_in_the_folder_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "taller.yaml").write_text("slug: [unclosed\n", encoding="utf-8")
    where = ["--url", "http://127.0.0.1:9", "--token", "x" * 20]
    done = run_dsi4bcn(["project", "put", "taller.yaml", *where], cwd=tmp_path)
    assert done.returncode == 2 and "taller.yaml" in done.stderr and "not valid YAML" in done.stderr


def test_a_killed_node_reports_the_signal_and_a_stopped_one_exits_0(tmp_path: Path) -> None:
    killed, stopped = start_node(tmp_path / "killed"), start_node(tmp_path / "stopped")
    assert killed.process is not None and stopped.process is not None
    killed.process.send_signal(signal.SIGKILL)
    assert killed.process.wait(10) == -signal.SIGKILL
    stopped.stop()
    assert stopped.process.poll() == 0
    assert "listening on 127.0.0.1" in stopped.log()
