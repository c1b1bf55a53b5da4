"""C's graph on Oxigraph server (``oxigraph serve``, the PyPI package ``oxigraph``):
the three-node federation tests of ``test_network``, the parity query set answered as by the embedded
store, and a 30 s engine outage that loses nothing."""

from collections.abc import Iterator

import pytest

from tests.integration import test_network as network
from tests.support.engines import Engine, start_oxigraph
from tests.support.externalgraph import check_outage, check_parity, check_time_limit, three_nodes
from tests.support.nodes import Node

pytestmark = pytest.mark.network

# The three-node federation tests, run here with this module's nodes (C on the engine).
test_c_aggregates_a_and_b_and_keeps_in_step = network.test_c_aggregates_a_and_b_and_keeps_in_step
test_removing_a_peer_drops_its_data = network.test_removing_a_peer_drops_its_data
test_the_command_line_adds_a_peer_with_progress_and_rebuilds_the_graph = (
    network.test_the_command_line_adds_a_peer_with_progress_and_rebuilds_the_graph
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    started = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "engine")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[dict[str, Node]]:
    with three_nodes(tmp_path_factory.mktemp("network-oxigraph"), engine) as started:
        yield started


def test_the_endpoint_answers_the_parity_queries_as_the_embedded_store(nodes: dict[str, Node]) -> None:
    check_parity(nodes["C"])


def test_a_query_past_the_time_limit_is_stopped(nodes: dict[str, Node]) -> None:
    check_time_limit(nodes["C"])


def test_an_engine_outage_of_30_s_loses_nothing(nodes: dict[str, Node], engine: Engine) -> None:
    check_outage(nodes, engine)
