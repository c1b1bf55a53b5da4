"""The arguments of the ``dsi4bcn`` command: every subcommand, its actions and options, and their help.

Declares only; ``dsi4bcn.cli.commands`` runs what ``args.command`` (and ``args.action``) name.
"""

import argparse
from typing import TypeAlias

from dsi4bcn import __version__
from dsi4bcn.cli.backupcommands import add_backup_commands
from dsi4bcn.cli.doctor import add_doctor_command
from dsi4bcn.cli.graphadopt import add_adopt_command
from dsi4bcn.cli.keycommands import add_key_command
from dsi4bcn.cli.storeoptions import add_graph_store_options
from dsi4bcn.config import DEFAULT_DATA_DIR, DEFAULT_PORT
from dsi4bcn.profiles.validation import KINDS

__all__ = ["build_parser"]

_DESCRIPTION = "Serve a dsi4bcn node, or manage a node's organisations, projects and settings through its API."
# What add_subparsers() returns; argparse gives it no public name.
_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line."""
    parser = argparse.ArgumentParser(prog="dsi4bcn", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"dsi4bcn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_serve(commands)
    common = _connection_options()
    for kind in KINDS:
        _add_profile_command(commands, common, kind)
    _add_network_commands(commands, common)
    _add_match(commands, common)
    _add_user(commands, common)
    _add_call(commands, common)
    add_key_command(commands, common)
    add_backup_commands(commands)
    add_doctor_command(commands)
    return parser


def _add_serve(commands: _Commands) -> None:
    serve = commands.add_parser("serve", help="start a node")
    serve.add_argument("--data-dir", help=f"the node's data folder (DSI4BCN_DATA_DIR; default ./{DEFAULT_DATA_DIR})")
    serve.add_argument("--host", help="the address to listen on (HOST; default 127.0.0.1)")
    serve.add_argument("--port", help=f"the port to listen on (PORT; default {DEFAULT_PORT})")
    serve.add_argument("--base-url", help="the public origin, such as https://node.example (DSI4BCN_BASE_URL)")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the demo organisations and projects into a data folder that has no profiles yet",
    )
    serve.add_argument(
        "--allow-private-network",
        action="store_true",
        default=None,
        help="let the node contact private and loopback addresses, over plain http too (DSI4BCN_ALLOW_PRIVATE_NETWORK)",
    )
    serve.add_argument(
        "--authorized-fetch",
        action="store_true",
        default=None,
        help="answer ActivityPub GETs only when they are signed (DSI4BCN_AUTHORIZED_FETCH)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="ADDRESS[/BITS]",
        help="a reverse proxy whose X-Forwarded-For header names the client (repeatable, or comma-separated; "
        "DSI4BCN_TRUSTED_PROXIES; default: none, so the socket's address is the client)",
    )
    serve.add_argument(
        "--metrics-localhost",
        action="store_true",
        default=None,
        help="answer /metrics without its token to requests from this machine that no proxy passed on "
        "(DSI4BCN_METRICS_LOCALHOST; docs/metrics.md)",
    )
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="log as text lines or as one JSON object a line (DSI4BCN_LOG_FORMAT; default text)",
    )
    serve.add_argument("--tls-cert", help="serve HTTPS with this certificate (a PEM file)")
    serve.add_argument("--tls-key", help="the certificate's private key (a PEM file)")
    serve.add_argument(
        "--language", choices=["ca", "es", "en"], help="the node's default language (DSI4BCN_LANGUAGE; default ca)"
    )
    serve.add_argument(
        "--workers",
        help="processes serving the port, one of them doing the background work (DSI4BCN_WORKERS; default 1; "
        "one per core is a good start)",
    )
    add_graph_store_options(serve)


def _connection_options() -> argparse.ArgumentParser:
    """The options that say which node to call and with what token.

    They are accepted before or after the action (``project --url U list`` or ``project list --url U``).
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url",
        default=argparse.SUPPRESS,
        help=f"the node's address (DSI4BCN_URL; default http://127.0.0.1:{DEFAULT_PORT})",
    )
    common.add_argument(
        "--token",
        default=argparse.SUPPRESS,
        help="the admin token (DSI4BCN_ADMIN_TOKEN; default: read from the data folder)",
    )
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help=f"the node's data folder, to read its admin-token file (DSI4BCN_DATA_DIR; default ./{DEFAULT_DATA_DIR})",
    )
    return common


def _add_profile_command(commands: _Commands, common: argparse.ArgumentParser, kind: str) -> None:
    group = commands.add_parser(kind, parents=[common], help=f"manage {kind}s through the admin API")
    actions = group.add_subparsers(dest="action", required=True)
    put = actions.add_parser("put", parents=[common], help=f"create or replace a {kind} from a YAML or JSON file")
    put.add_argument("file", help="a YAML or JSON file (- for standard input)")
    put.add_argument("--slug", help="its short name (default: the file's 'slug', or the end of its 'id')")
    put.add_argument("--json-ld", action="store_true", help="print the answer as full JSON-LD, with its @context")
    slug_help = f"the {kind}'s short name"
    get = actions.add_parser("get", parents=[common], help=f"print a {kind}'s profile as JSON that put accepts back")
    get.add_argument("slug", help=slug_help)
    get.add_argument("--json-ld", action="store_true", help="print the full JSON-LD document, with its @context")
    delete = actions.add_parser("delete", parents=[common], help=f"delete a {kind} (its short name cannot be reused)")
    delete.add_argument("slug", help=slug_help)
    call = actions.add_parser("call", parents=[common], help=f"publish a call for collaboration of the {kind}")
    call.add_argument("slug", help=slug_help)
    call.add_argument("file", help="the call as a YAML or JSON file (- for standard input; docs/calls.md)")
    post = actions.add_parser("post", parents=[common], help=f"publish an update to the {kind}'s followers")
    post.add_argument("slug", help=slug_help)
    source = post.add_mutually_exclusive_group(required=True)
    source.add_argument("--content", help="the post as HTML (sanitised as Mastodon sanitises it)")
    source.add_argument("--file", help='a YAML or JSON file with "content", "contentMap" or both')
    follow = actions.add_parser("follow", parents=[common], help=f"make the {kind} follow a remote actor")
    follow.add_argument("slug", help=slug_help)
    follow.add_argument("target", help="the remote actor's id (a URL)")
    requests = actions.add_parser("follow-requests", parents=[common], help="list the follows waiting for approval")
    requests.add_argument("slug", help=slug_help)
    for answer in ("accept", "reject"):
        answering = actions.add_parser(answer, parents=[common], help=f"{answer} a follow waiting for approval")
        answering.add_argument("slug", help=slug_help)
        answering.add_argument("actor", help="the follower's actor id (a URL)")
    listing = actions.add_parser("list", parents=[common], help=f"list the node's {kind}s: short name and name")
    listing.add_argument("--json", action="store_true", help="print the whole JSON answer")
    group.set_defaults(kind=kind)


def _add_actions(
    commands: _Commands,
    common: argparse.ArgumentParser,
    command: str,
    about: str,
    listing: tuple[str, str],
    **defaults: object,
) -> _Commands:
    """A command whose actions are given after it, with a first action that only shows (``listing``)."""
    parser = commands.add_parser(command, parents=[common], help=about)
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser(listing[0], parents=[common], help=listing[1])
    parser.set_defaults(**defaults)
    return actions


def _add_network_commands(commands: _Commands, common: argparse.ArgumentParser) -> None:
    blocks = _add_actions(commands, common, "blocks", "manage blocked domains", ("list", "list blocked domains"))
    add = blocks.add_parser("add", parents=[common], help="block a domain and its subdomains")
    add.add_argument("domain")
    add.add_argument("--reason", help="why it is blocked (kept with the block)")
    blocks.add_parser("remove", parents=[common], help="unblock a domain").add_argument("domain")

    settings = _add_actions(
        commands, common, "settings", "the node's name, description and logo", ("show", "show them")
    )
    put = settings.add_parser("put", parents=[common], help="replace them from a YAML or JSON file")
    put.add_argument("file", help="a YAML or JSON file with nameMap, summaryMap and icon (- for standard input)")

    listing = ("list", "list the peers, with their backfill and last resync")
    peers = _add_actions(
        commands, common, "peers", "peer with other nodes to aggregate their profiles", listing, no_wait=False
    )
    for action, text in (
        ("add", "peer with a node (its URL) and copy its profiles"),
        ("remove", "stop peering with a node and drop its profiles"),
    ):
        peer = peers.add_parser(action, parents=[common], help=text)
        peer.add_argument("url_of_peer", metavar="NODE_URL")
        peer.add_argument("--no-wait", action="store_true", help="do not wait until its profiles are copied")

    listing = ("status", "show how many triples and graphs it has, and how many graphs are still to write")
    graph = _add_actions(commands, common, "graph", "the aggregated RDF graph", listing, no_wait=False)
    rebuild = graph.add_parser("rebuild", parents=[common], help="rebuild the whole graph from SQLite")
    rebuild.add_argument("--no-wait", action="store_true", help="do not wait until the rebuild is done")
    add_adopt_command(graph, f"the node's data folder (DSI4BCN_DATA_DIR; default ./{DEFAULT_DATA_DIR})")

    listing = ("failures", "list the images of other hosts that the node could not copy, and why")
    media = _add_actions(commands, common, "media", "images the node serves (logos, header images)", listing)
    upload = media.add_parser(
        "upload", parents=[common], help="upload a PNG, JPEG, GIF or WebP image and print its URL"
    )
    upload.add_argument("file", help="the image file")


def _add_user(commands: _Commands, common: argparse.ArgumentParser) -> None:
    about = "the accounts of the people who manage the node in a browser (a node admin's token)"
    users = _add_actions(commands, common, "user", about, ("list", "list the accounts"))
    add = users.add_parser(
        "add", parents=[common], help="invite someone: prints a one-time link, valid 7 days, to set a password"
    )
    add.add_argument("email", help="their email address, which they sign in with")
    add.add_argument(
        "--role", required=True, choices=["admin", "editor"], help="admin: the whole node; editor: one organisation"
    )
    add.add_argument("--organisation", metavar="SLUG", help="the organisation an editor manages (it may not exist yet)")
    users.add_parser("audit", parents=[common], help="the latest changes: who changed what, and when")


def _add_match(commands: _Commands, common: argparse.ArgumentParser) -> None:
    match = commands.add_parser("match", parents=[common], help="suggest partners for a project or an organisation")
    match.add_argument(
        "iri",
        metavar="SLUG_OR_IRI",
        help="the short name of one of the node's projects or organisations, or the id (URL) of any it knows",
    )
    match.add_argument("--limit", type=int, default=10, help="how many partners (1-100, default 10)")
    match.add_argument("--lang", choices=["ca", "es", "en"], help="the language of the concept labels")
    match.add_argument("--include-own", action="store_true", help="also suggest the asker's own organisation")
    match.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="PART=VALUE",
        help="the weight, from 0 to 1, of one part: needs, offers, areas, sdgs, place, sectors or text (repeatable)",
    )
    match.add_argument("--json", action="store_true", help="print the whole JSON answer")
    match.set_defaults(action="match", public=True)


def _add_call(commands: _Commands, common: argparse.ArgumentParser) -> None:
    about = "calls for collaboration (publish one with 'organisation call' or 'project call')"
    calls = _add_actions(commands, common, "call", about, ("list", "list the calls you manage"))
    for action, text in (
        ("get", "print a call as JSON that put accepts back"),
        ("close", "close a call now: it leaves the open lists and stays readable"),
        ("delete", "delete a call (its id then answers 410)"),
    ):
        calls.add_parser(action, parents=[common], help=text).add_argument("call", help="the call's id")
    put = calls.add_parser("put", parents=[common], help="replace a call from a YAML or JSON file")
    put.add_argument("call", help="the call's id")
    put.add_argument("file", help="a YAML or JSON file (- for standard input)")
