"""``dsi4bcn key rotate [--actor KIND/NAME | --actor instance | --all]``: key rotation through the admin API.

The node gives the actor (or every actor: the instance actor, each organisation and project) a new key
at once and keeps the old one published for its grace period (``DSI4BCN_KEY_GRACE_PERIOD``);
docs/key-rotation.md. The actor is checked here before the node is called.
"""

import argparse
from typing import Any

from dsi4bcn.cli.failures import CommandFailed
from dsi4bcn.cli.inputs import checked_slug
from dsi4bcn.profiles.validation import KINDS

__all__ = ["add_key_command", "key_request"]


def add_key_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Declare ``key rotate`` on the parser's subcommands."""
    key = commands.add_parser("key", parents=[common], help="the keys the node's actors sign with")
    actions = key.add_subparsers(dest="action", required=True)
    rotate = actions.add_parser(
        "rotate",
        parents=[common],
        help="give an actor (or every actor) a new key; the old one keeps verifying for a grace period",
    )
    which = rotate.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--actor", metavar="KIND/NAME", help="organisation/NAME, project/NAME, or instance (the node's own actor)"
    )
    which.add_argument("--all", action="store_true", help="the instance actor and every organisation and project")


def key_request(args: argparse.Namespace) -> tuple[str, str, Any]:
    """The admin API call a ``key`` command stands for."""
    if args.all:
        return "POST", "/api/keys/rotate", {"all": True}
    actor: str = args.actor
    if actor != "instance":
        kind, _, slug = actor.partition("/")
        if kind not in KINDS:
            raise CommandFailed("key_rotation_target")
        checked_slug(slug)
    return "POST", "/api/keys/rotate", {"actor": actor}
