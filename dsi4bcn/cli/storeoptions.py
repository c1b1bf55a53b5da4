"""The ``serve`` options that put the aggregated graph on an external SPARQL 1.1 store (``dsi4bcn.storeconfig``).

There is no password flag: a password on the command line is visible to every user of the machine, so it
comes from ``DSI4BCN_GRAPH_STORE_PASSWORD`` or from the file named by ``--graph-store-password-file``.
"""

import argparse

__all__ = ["add_graph_store_options", "graph_store_flags"]

_OPTIONS = (
    ("query", "URL", "the external store's SPARQL 1.1 Query endpoint (DSI4BCN_GRAPH_STORE_QUERY)"),
    ("update", "URL", "its SPARQL 1.1 Update endpoint (DSI4BCN_GRAPH_STORE_UPDATE)"),
    ("gsp", "URL", "its Graph Store HTTP Protocol endpoint (DSI4BCN_GRAPH_STORE_GSP)"),
    ("user", "NAME", "the user to sign in to the store as (DSI4BCN_GRAPH_STORE_USER)"),
    (
        "password-file",
        "PATH",
        "a file holding that user's password (DSI4BCN_GRAPH_STORE_PASSWORD_FILE, or the password itself in "
        "DSI4BCN_GRAPH_STORE_PASSWORD)",
    ),
)


def add_graph_store_options(serve: argparse.ArgumentParser) -> None:
    """Add the ``--graph-store-*`` options to the ``serve`` parser (none given: the embedded store)."""
    group = serve.add_argument_group("external graph store (default: the embedded Oxigraph store)")
    for name, metavar, text in _OPTIONS:
        group.add_argument(f"--graph-store-{name}", metavar=metavar, help=text)
    group.add_argument(
        "--graph-store-auth",
        choices=["basic", "digest"],
        help="how to sign in: HTTP basic (default) or digest, as Virtuoso's /sparql-auth asks "
        "(DSI4BCN_GRAPH_STORE_AUTH)",
    )
    group.add_argument(
        "--graph-store-dataset",
        choices=["explicit", "engine"],
        help="name the node's graphs in every query (explicit, the default) or use the engine's union default "
        "graph (engine; for very many graphs) (DSI4BCN_GRAPH_STORE_DATASET)",
    )


def graph_store_flags(args: argparse.Namespace) -> dict[str, str | None]:
    """The ``--graph-store-*`` values given, by the names ``dsi4bcn.storeconfig.load_store_config`` takes."""
    return {
        name: getattr(args, f"graph_store_{name}", None)
        for name in ("query", "update", "gsp", "user", "auth", "password_file", "dataset")
    }
