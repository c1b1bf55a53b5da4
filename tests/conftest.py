"""Shared fixtures: real node processes on 127.0.0.1, stopped at teardown."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.nodes import Node, start_node


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
