"""An accepted image saved again by Pillow, as the same type, with its pixels and nothing else about its
maker: no EXIF (so no GPS position or camera), no XMP, no comments, no PNG text chunks, no GIF application
extensions. What a viewer needs stays: the EXIF orientation is applied to the pixels first (so that a photo
stays upright without it), transparency, an animation's frames, durations and loop count, and a valid ICC
colour profile (colours, not metadata about the maker). A JPEG is saved at quality 90 with the chroma
subsampling it had (a 4:4:4 logo keeps its sharp colour edges); a WebP stored losslessly stays lossless.

Pillow writes the same bytes for the same pixels and options, so an image saved here and checked again on
another node (a copy of a peer's logo) keeps its SHA-256 when its type is lossless (PNG, GIF, lossless WebP).
"""

import io
from typing import Any

from PIL import Image, ImageOps, ImageSequence, JpegImagePlugin

from dsi4bcn.profiles.imagetrailers import ImageLayout

__all__ = ["JPEG_QUALITY", "reencode"]

JPEG_QUALITY = 90
_WEBP_LOSSY_QUALITY = 90
# What Pillow's ``format`` is called for each media type when saving.
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
# The keys of a decoded frame's ``info`` that describe its pixels or timing rather than its maker.
_KEPT_INFO = ("transparency", "duration", "background")


def reencode(image: Image.Image, layout: ImageLayout) -> tuple[bytes, tuple[int, int]]:
    """``image`` (opened from the bytes ``layout`` describes) saved again without metadata: the new bytes
    and the size in pixels of what they hold (the EXIF orientation may swap width and height)."""
    options = _options(image, layout)
    buffer = io.BytesIO()
    if layout.frames > 1 and layout.media_type != "image/jpeg":
        frames = [_clean(frame) for frame in ImageSequence.Iterator(image)]
        durations = [frame.info.get("duration", 0) for frame in frames]
        if "loop" in image.info:
            options["loop"] = image.info["loop"]
        first = frames[0]
        first.save(
            buffer, _FORMATS[layout.media_type], save_all=True, append_images=frames[1:], duration=durations, **options
        )
    else:
        first = _clean(image)
        first.save(buffer, _FORMATS[layout.media_type], **options)
    return buffer.getvalue(), first.size


def _clean(frame: Image.Image) -> Image.Image:
    """A copy of ``frame`` turned upright by its EXIF orientation, with only the ``info`` of its pixels."""
    upright = ImageOps.exif_transpose(frame)
    upright.info = {key: frame.info[key] for key in _KEPT_INFO if key in frame.info}
    return upright


def _options(image: Image.Image, layout: ImageLayout) -> dict[str, Any]:
    """Pillow's save options for ``image``: quality and subsampling, the colour profile, nothing else."""
    options: dict[str, Any] = {}
    if layout.media_type == "image/jpeg":
        options["quality"] = JPEG_QUALITY
        if isinstance(image, JpegImagePlugin.JpegImageFile) and (sampling := JpegImagePlugin.get_sampling(image)) >= 0:
            options["subsampling"] = sampling
    elif layout.media_type == "image/webp":
        options["lossless"] = layout.lossless
        if not layout.lossless:
            options["quality"] = _WEBP_LOSSY_QUALITY
    profile = image.info.get("icc_profile")
    if layout.media_type != "image/gif" and _is_icc_profile(profile):
        options["icc_profile"] = profile
    return options


def _is_icc_profile(profile: object) -> bool:
    """Whether ``profile`` is shaped like an ICC profile: its header's size and ``acsp`` signature agree."""
    return (
        isinstance(profile, bytes)
        and len(profile) >= 128
        and int.from_bytes(profile[:4], "big") == len(profile)
        and profile[36:40] == b"acsp"
    )
