"""The node's key rotator, wired into the application (docs/key-rotation.md).

Kept out of ``app.py`` (near its size limit): the rotator under ``KEY_ROTATOR`` for the admin API and the
node admin page, and its loop, which ends grace periods, on the process that runs the background loops.
"""

from collections.abc import Callable

from aiohttp import web

from dsi4bcn.config import Config
from dsi4bcn.fediverse.keyrotator import key_rotator
from dsi4bcn.fediverse.signers import Signers
from dsi4bcn.web.appkeys import KEY_ROTATOR, LOOPS, STORE

__all__ = ["start_key_rotation"]


def start_key_rotation(app: web.Application, config: Config, signers: Signers, queued: Callable[[], None]) -> None:
    """Make the rotator (``queued`` wakes the deliverer) and, unless this is a pool's secondary worker,
    start its ``key-rotation`` loop."""
    rotator = app[KEY_ROTATOR] = key_rotator(config, app[STORE], signers, queued)
    if config.worker_role != "secondary":
        app[LOOPS].start("key-rotation", rotator.run)
