"""Storing an uploaded image, the one way for the API's upload and the admin forms: checked by a real
decoder as the type it claims (``profiles.images.check_image``: size, pixels, re-encoded without its
metadata), then kept by its hash; its URL on this node is what a profile or the node's settings name.
"""

import asyncio
from dataclasses import dataclass

from aiohttp import web

from dsi4bcn.profiles.images import IMAGE_TYPES, MAX_IMAGE_BYTES, ImageRefused, check_image, media_path
from dsi4bcn.storage.mediastore import MediaStore

__all__ = ["StoredImage", "read_image_field", "store_image"]


@dataclass(frozen=True)
class StoredImage:
    """An image the node now serves: its path, type, size, and whether it was held already."""

    path: str
    media_type: str
    width: int
    height: int
    held: bool


async def store_image(media: MediaStore, data: bytes, declared: str) -> StoredImage:
    """Check ``data`` as an image of type ``declared`` and store it; ``ImageRefused`` says why not (and
    nothing is stored)."""
    if declared not in IMAGE_TYPES:
        raise ImageRefused("image_type_refused", 415, media_type=declared[:100] or "-")
    image = await asyncio.to_thread(check_image, data, declared)
    held = await media.get(image.sha256) is not None
    await media.put(image.sha256, image.media_type, image.data, image.width, image.height, "upload")
    return StoredImage(media_path(image.sha256, image.media_type), image.media_type, image.width, image.height, held)


def read_image_field(field: object) -> tuple[bytes, str] | None:
    """The bytes (at most one more than the limit, so that a larger file is refused) and declared type of
    a form's file field; None when no file was chosen."""
    if not isinstance(field, web.FileField) or not field.filename:
        return None
    data = field.file.read(MAX_IMAGE_BYTES + 1)
    if not data:
        return None
    return data, field.content_type.split(";")[0].strip().lower()
