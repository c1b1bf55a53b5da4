"""The node's identity on its pages: read from the settings at start, shown with its logo's size, and
replaced by its admins (``save_identity``, which the settings API and the node admin page share).

Pages read the identity from the template environment (``templating.node_identity``); this module puts it
there, with the logo looked up among the node's media so that its ``<img>`` has a width and a height.
"""

import json
import logging
from typing import Any

import jinja2

from dsi4bcn.profiles.nodeidentity import SETTING_NAME, NodeIdentity, normalise_identity, stored_identity
from dsi4bcn.profiles.validation import ProfileInvalid
from dsi4bcn.profiles.values import Problem
from dsi4bcn.storage.mediastore import MediaStore
from dsi4bcn.storage.nodesettings import NodeSettings
from dsi4bcn.web.mediaview import ImageView, image_view
from dsi4bcn.web.templating import set_node_identity

__all__ = ["load_identity", "save_identity", "show_identity"]

log = logging.getLogger(__name__)


async def show_identity(environment: jinja2.Environment, identity: NodeIdentity, media: MediaStore) -> None:
    """Show ``identity`` on every page rendered from now on (its logo only if the node holds it)."""
    logo: ImageView | None = None
    if identity.logo:
        sha256 = identity.logo.split(".", 1)[0]
        refs = await media.refs([sha256])
        logo = image_view(refs[sha256]) if sha256 in refs else None
    set_node_identity(environment, identity, logo)


async def load_identity(
    settings: NodeSettings, media: MediaStore, environment: jinja2.Environment, base_url: str
) -> None:
    """At start: show the identity last set, or the default (with a warning) if its row cannot be read."""
    text = await settings.read(SETTING_NAME)
    try:
        identity = stored_identity(text, base_url)
    except (ValueError, ProfileInvalid) as error:  # json.JSONDecodeError is a ValueError
        log.warning("the node's identity setting cannot be read, showing the default: %s", error)
        identity = NodeIdentity()
    await show_identity(environment, identity, media)


async def save_identity(
    settings: NodeSettings, media: MediaStore, environment: jinja2.Environment, body: Any, base_url: str
) -> NodeIdentity:
    """Check a settings document (``nameMap``, ``summaryMap``, ``icon``), keep it and show it on every page
    from now on. ``ProfileInvalid`` lists every problem (a logo the node does not hold among them), and then
    nothing has changed."""
    identity = normalise_identity(body, base_url)
    if identity.logo and not await media.refs([identity.logo.split(".", 1)[0]]):
        raise ProfileInvalid([Problem("icon", "logo_not_local")])
    await settings.write(SETTING_NAME, json.dumps(identity.document(base_url), ensure_ascii=False))
    await show_identity(environment, identity, media)
    return identity
