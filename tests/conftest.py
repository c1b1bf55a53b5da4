"""Shared fixtures: real node processes on 127.0.0.1, stopped at teardown."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.nodes import Node, start_node

# Modules that each take about a minute on one pytest worker. scripts/test.sh has pytest-xdist hand modules out
# in collection order (--no-loadscope-reorder; by default it sorts them by their number of tests, which left
# the long browser modules, with few tests each, for the end), and these would come last (tests/unit/...),
# each ending the run alone with the other core idle. First, the many short modules after them even out the
# two workers' ends.
_LONG_MODULES = (
    "tests/unit/vocab/test_fastshapes.py",
    "tests/unit/test_linear_time.py",
    "tests/unit/dsi4bcn/sparql/test_checks_timing.py",
    "tests/unit/dsi4bcn/directory/test_engine_reference.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long modules first (a stable sort: the order within and between the others is kept)."""
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in _LONG_MODULES)


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., Node]]:
    """Start nodes (each in its own data folder under tmp_path); all are stopped afterwards."""
    started: list[Node] = []

    def factory(name: str = "node", **options: Any) -> Node:
        node = start_node(tmp_path / name, **options)
        started.append(node)
        return node

    yield factory
    for node in started:
        node.stop()


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """One node with the demo data, shared by a module's read-only tests."""
    node = start_node(tmp_path_factory.mktemp("demo") / "node", demo=True)
    yield node
    node.stop()
