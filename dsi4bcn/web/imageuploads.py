"""An uploaded image taken in: checked (``profiles.images.check_image``: type, size and pixel limits, decoded
in full, off the event loop) and stored among the node's media as an upload. The media API and the admin
pages' upload fields share it, so that both accept exactly the same bytes.
"""

import asyncio

from dsi4bcn.profiles.images import CheckedImage, check_image
from dsi4bcn.storage.mediastore import MediaStore

__all__ = ["store_upload"]


async def store_upload(media: MediaStore, data: bytes, declared: str | None) -> tuple[CheckedImage, bool]:
    """The image ``data`` once checked and stored, and whether the node held it already; raises
    ``profiles.images.ImageRefused`` (nothing stored) for bytes that are not an accepted image.

    ``declared`` is the media type the sender claimed, which must match the bytes; None lets the bytes
    decide (still one of the accepted types).
    """
    image = await asyncio.to_thread(check_image, data, declared)
    held = await media.get(image.sha256) is not None
    await media.put(image.sha256, image.media_type, image.data, image.width, image.height, "upload")
    return image, held
