"""An uploaded image taken in: checked (``profiles.images.check_image``: type, size and pixel limits, decoded
in full, off the event loop) and stored among the node's media as an upload. The media API and the admin
pages' upload fields share it, so that both accept exactly the same bytes.
"""

import asyncio

from aiohttp import web

from dsi4bcn.profiles.images import MAX_IMAGE_BYTES, CheckedImage, check_image
from dsi4bcn.storage.mediastore import MediaStore

__all__ = ["check_upload", "read_image_field", "store_checked", "store_upload"]


async def check_upload(data: bytes, declared: str | None) -> CheckedImage:
    """``data`` checked as an accepted image, off the event loop; raises ``ImageRefused`` otherwise.

    ``declared`` is the media type the sender claimed, which must match the bytes; None lets the bytes
    decide (still one of the accepted types).
    """
    return await asyncio.to_thread(check_image, data, declared)


async def store_checked(media: MediaStore, image: CheckedImage) -> bool:
    """Store an image ``check_upload`` accepted, as an upload; whether the node held it already."""
    held = await media.get(image.sha256) is not None
    await media.put(image.sha256, image.media_type, image.data, image.width, image.height, "upload")
    return held


async def store_upload(media: MediaStore, data: bytes, declared: str | None) -> tuple[CheckedImage, bool]:
    """The image ``data`` once checked (``check_upload``) and stored, and whether the node held it already;
    raises ``profiles.images.ImageRefused`` (nothing stored) for bytes that are not an accepted image."""
    image = await check_upload(data, declared)
    return image, await store_checked(media, image)


def read_image_field(field: object) -> tuple[bytes, str] | None:
    """The bytes (at most one more than the limit, so that a larger file is refused) and declared type of
    a form's file field; None when no file was chosen."""
    if not isinstance(field, web.FileField) or not field.filename:
        return None
    data = field.file.read(MAX_IMAGE_BYTES + 1)
    if not data:
        return None
    return data, field.content_type.split(";")[0].strip().lower()
