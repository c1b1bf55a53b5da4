"""``dsi4bcn graph adopt``: tell a stopped node that an external store already holds its graphs.

A node started on another store than before writes every graph to it again (``GraphSync.reconcile``): right
for an empty engine, but hours for an aggregator of a million profiles on Virtuoso, which its own bulk
loader fills from the node's ``/graph`` dump in minutes (docs/external-store.md). This command, run on the
data folder with the ``--graph-store-*`` options ``serve`` will get, checks that the store answers and holds
the node's graphs, and records it as the store the sync state describes; graphs still unsynced stay so and
are written when the node starts. Heavy imports wait until it runs (the parser imports this module).
"""

import argparse
import asyncio
from pathlib import Path
from typing import Any

from dsi4bcn.cli.failures import NODE_REFUSED, CommandFailed
from dsi4bcn.cli.storeoptions import add_graph_store_options, graph_store_flags

__all__ = ["add_adopt_command", "run_adopt"]


def add_adopt_command(graph_actions: Any, data_dir_help: str) -> None:
    """Declare ``graph adopt`` among the ``graph`` command's actions."""
    adopt = graph_actions.add_parser(
        "adopt",
        help="(node stopped) record that the external store given already holds this node's graphs, "
        "loaded from its /graph dump, so that serve does not write them all again",
    )
    adopt.add_argument("--data-dir", help=data_dir_help)
    add_graph_store_options(adopt)


def run_adopt(args: argparse.Namespace) -> int:
    """Check the store and record it; print what it holds."""
    from dsi4bcn.config import ConfigError, load_config

    try:
        config = load_config(data_dir=args.data_dir, graph_store=graph_store_flags(args))
    except ConfigError as error:
        raise CommandFailed("cli_adopt_bad_option", detail=str(error)) from error
    if config.graph_store is None:
        raise CommandFailed("cli_adopt_embedded")
    if not config.database_path.is_file():
        raise CommandFailed("cli_backup_no_database", path=str(config.data_dir))
    graphs, triples, unsynced = asyncio.run(_adopt(config))
    print(f"the graph store at {config.graph_store.query_url} now stands for this node's graph")
    print(f"  it holds {graphs} of the node's graphs ({triples} triples)")
    print(f"  {unsynced} graphs not yet written will be when the node starts; nothing else is written again")
    return 0


async def _adopt(config: Any) -> tuple[int, int, int]:
    from dsi4bcn.graph.process import GraphError, QueryTimeout
    from dsi4bcn.graph.remotestore import RemoteStore
    from dsi4bcn.storage.database import Database, open_database
    from dsi4bcn.storage.graphstate import GraphState

    database = Database(await open_database(Path(config.database_path)))
    store = RemoteStore(config.graph_store, database)
    try:
        await store.start()
        try:
            stats = await store.stats(limit=600.0)  # counting a large store takes a while
        except (GraphError, QueryTimeout) as error:
            raise CommandFailed("cli_adopt_unreachable", NODE_REFUSED, url=config.graph_store.query_url) from error
        if not stats["graphs"] or not stats["triples"]:
            raise CommandFailed("cli_adopt_store_empty", NODE_REFUSED, url=config.graph_store.query_url)
        state = GraphState(database)
        await state.record_store(store.identity)
        return stats["graphs"], stats["triples"], await state.count_unsynced()
    finally:
        await store.stop()
        await database.close()
