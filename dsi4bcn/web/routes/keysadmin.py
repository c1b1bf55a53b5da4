"""Admin API for key rotation: ``POST /api/keys/rotate`` (docs/key-rotation.md).

The body names one actor (``{"actor": "organisation/NAME"}``, ``project/NAME`` or ``instance``) or all
of them (``{"all": true}``); the answer lists each rotation: the new key id, the retired one, until when
it stays published and the ``Update`` that announces it. A node admin's token only; nothing changes on a
bad request.
"""

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from dsi4bcn.profiles.validation import KINDS, Problem, check_slug
from dsi4bcn.storage.keyrotations import Rotation
from dsi4bcn.web.appkeys import KEY_ROTATOR, STORE
from dsi4bcn.web.http import ApiError, json_response, read_json_body
from dsi4bcn.web.principal import authorise_admin
from federation.keys import key_fragment

__all__ = ["rotation_json", "routes"]

routes = web.RouteTableDef()


def _target(body: Any) -> tuple[str, str] | None:
    """The actor named, ``(kind, slug)`` (``("instance", "")`` the instance actor), or None for every
    actor; ``ApiError`` 422 for anything else."""
    refused = ApiError(422, "validation_failed", [Problem("actor", "key_rotation_target")])
    if not isinstance(body, dict) or set(body) - {"actor", "all"} or ("actor" in body) == ("all" in body):
        raise refused
    if "all" in body:
        if body["all"] is not True:
            raise refused
        return None
    actor = body["actor"]
    if actor == "instance":
        return "instance", ""
    kind, _, slug = actor.partition("/") if isinstance(actor, str) else ("", "", "")
    if kind not in KINDS or check_slug(slug) is not None:
        raise refused
    return kind, slug


def rotation_json(rotation: Rotation, actor: str) -> dict[str, Any]:
    """What the API says of one rotation."""
    return {
        "actor": actor,
        "keyId": f"{actor}#{key_fragment(rotation.new_number)}",
        "retiredKeyId": f"{actor}#{key_fragment(rotation.old_number)}",
        "retiredKeyPublishedUntil": datetime.fromtimestamp(rotation.expires, UTC).isoformat().replace("+00:00", "Z"),
        "update": rotation.update_id,
    }


@routes.post("/api/keys/rotate")
async def rotate_keys(request: web.Request) -> web.Response:
    """Rotate one actor's key or every actor's; 200 with the rotations."""
    await authorise_admin(request)
    rotator, store = request.app[KEY_ROTATOR], request.app[STORE]
    target = _target(await read_json_body(request))
    if target is None:
        rotations = await rotator.rotate_all()
    else:
        kind, slug = target
        record = await store.get(slug) if slug else None
        if slug and (record is None or record.deleted or record.kind != kind):
            raise ApiError(404, "no_such_actor", actor=f"{kind}/{slug}")
        rotations = [await rotator.rotate(slug)]
    answers = []
    for rotation in rotations:
        record = await store.get(rotation.local) if rotation.local else None
        answers.append(rotation_json(rotation, rotator.actor_id(rotation.local, record)))
    return json_response({"rotated": answers})
