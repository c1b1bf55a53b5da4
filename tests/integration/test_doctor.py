"""``dsi4bcn doctor`` against a real node process: a new node set up for private testing has no problem
(its data folder, database and token private from the start), and making its files readable by everybody
is reported with the command that fixes it."""

import json
import os
import stat
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api
from tests.support.nodes import Node, start_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("doctor") / "data")
    document = {"nameMap": {"ca": "Ateneu del Clot"}, "sectors": ["sector:civil-society"]}
    assert api(running.base_url, running.token, "PUT", "/api/organisations/ateneu-clot", document).status == 201
    yield running
    running.stop()


def _doctor(node: Node, *extra: str) -> tuple[int, dict[str, Any]]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DSI4BCN_")}
    where = ["--data-dir", str(node.data_dir), "--port", str(node.port), "--allow-private-network"]
    done = run_dsi4bcn(["doctor", *where, "--json", *extra], env=environment)
    return done.returncode, json.loads(done.stdout)


def test_a_new_node_for_private_testing_has_no_problem(node: Node) -> None:
    assert stat.S_IMODE(node.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(node.database.stat().st_mode) == 0o600
    status, report = _doctor(node)
    assert status == 0, report
    statuses = {finding["check"]: finding["status"] for finding in report["findings"]}
    assert statuses == {
        "https": "warning",  # plain http: private testing only
        "reachable": "ok",
        "webfinger": "ok",
        "clock": "ok",
        "database": "ok",
        "disk": "ok",
        "permissions": "ok",
    }
    webfinger = next(f for f in report["findings"] if f["check"] == "webfinger")
    assert f"{node.base_url}/organisations/ateneu-clot" in webfinger["message"]


def test_a_database_readable_by_everybody_is_reported_with_its_fix(node: Node) -> None:
    node.database.chmod(0o644)
    try:
        status, report = _doctor(node)
    finally:
        node.database.chmod(0o600)
    assert status == 1
    problem = next(f for f in report["findings"] if f["status"] == "problem")
    assert problem["check"] == "permissions" and problem["fix"] == f"chmod 600 {node.database}"
