"""Profile images (logos and header images): which bytes a node accepts, where it serves them, and which
image URLs a profile names.

Only PNG, JPEG, GIF and WebP are accepted: the bytes must be exactly one image of that type, nothing before
its signature and nothing after its end (``imagetrailers``: a PNG with a ZIP appended is refused), read by
Pillow as that format with both sides, the pixel count and an animation's frames bounded before anything is
decoded, then decoded in full (so a truncated file is refused) and saved again without metadata
(``reencoding``: no EXIF, XMP, comments or text chunks). SVG is refused: Mastodon does not take it as an
avatar, and it can carry script. An accepted image is served by the SHA-256 of its new bytes at
``/media/<sha256>.<ext>`` (``media_path``).
"""

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from dsi4bcn.profiles.imagetrailers import ImageLayout, MalformedImage, image_layout
from dsi4bcn.profiles.ntriples import Triple
from dsi4bcn.profiles.reencoding import reencode

__all__ = [
    "EXTENSIONS",
    "IMAGE_ROLES",
    "IMAGE_TYPES",
    "MAX_ANIMATION_PIXELS",
    "MAX_FRAMES",
    "MAX_IMAGE_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "CheckedImage",
    "ImageRefused",
    "check_image",
    "image_urls",
    "media_name",
    "media_path",
    "own_media_name",
]

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096
MAX_PIXELS = 12_000_000
# An animation (GIF, WebP or APNG): at most this many frames, and this many pixels across all of them.
MAX_FRAMES = 500
MAX_ANIMATION_PIXELS = 20_000_000
# The media types accepted, each with Pillow's format name and the extension of its /media/ path.
IMAGE_TYPES: dict[str, tuple[str, str]] = {
    "image/png": ("PNG", "png"),
    "image/jpeg": ("JPEG", "jpg"),
    "image/gif": ("GIF", "gif"),
    "image/webp": ("WEBP", "webp"),
}
EXTENSIONS: dict[str, str] = {extension: media for media, (_format, extension) in IMAGE_TYPES.items()}
# Pillow's format names, each with its media type (a JPEG with more pictures in it is read as MPO).
_BY_FORMAT = {pillow: media for media, (pillow, _extension) in IMAGE_TYPES.items()} | {"MPO": "image/jpeg"}
# The profile fields that name an image, as ActivityStreams terms: the logo and the header image.
IMAGE_ROLES = ("icon", "image")
_AS = "https://www.w3.org/ns/activitystreams#"
_HEX = frozenset("0123456789abcdef")


class ImageRefused(Exception):
    """Bytes that are not an accepted image: ``code`` names the message, ``status`` the HTTP answer."""

    def __init__(self, code: str, status: int = 400, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params


@dataclass(frozen=True)
class CheckedImage:
    """An accepted image: its bytes, their SHA-256 (hex), media type and size in pixels."""

    data: bytes
    sha256: str
    media_type: str
    width: int
    height: int

    @property
    def name(self) -> str:
        """The file name it is served under: ``<sha256>.<ext>``."""
        return media_name(self.sha256, self.media_type)


def media_name(sha256: str, media_type: str) -> str:
    """``<sha256>.<ext>`` for an image of ``media_type``."""
    return f"{sha256}.{IMAGE_TYPES[media_type][1]}"


def media_path(sha256: str, media_type: str) -> str:
    """The path a node serves an image at: ``/media/<sha256>.<ext>``."""
    return "/media/" + media_name(sha256, media_type)


def own_media_name(url: str, base_url: str) -> str | None:
    """The ``<sha256>.<ext>`` of ``url`` if it is one of this node's (``base_url``) media URLs, else None."""
    prefix = base_url.rstrip("/") + "/media/"
    if not url.startswith(prefix):
        return None
    name = url[len(prefix) :]
    stem, _dot, extension = name.partition(".")
    return name if len(stem) == 64 and set(stem) <= _HEX and extension in EXTENSIONS else None


def check_image(data: bytes, declared: str | None = None) -> CheckedImage:
    """``data`` as an accepted image, saved again without metadata (``CheckedImage.data`` are the new bytes);
    ``ImageRefused`` otherwise (413 when over ``MAX_IMAGE_BYTES``).

    ``declared`` is the media type the sender gave, if any: it must be accepted and match the bytes. The
    order keeps every step bounded: the byte limit, then the structure walked without decoding (bytes before
    or after the image refused), then the pixels and frames Pillow reads from the header, and only then the
    decoding and the new encoding.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("image_too_large", 413, limit=MAX_IMAGE_BYTES)
    if declared is not None and declared not in IMAGE_TYPES:
        raise ImageRefused("image_type_refused", media_type=declared[:100])
    layout = _whole_layout(data)
    if declared is not None and declared != layout.media_type:
        raise ImageRefused("image_type_mismatch", declared=declared, found=layout.media_type)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_BY_FORMAT)) as image:
                _check_header(image, layout)
                image.load()  # decodes it all (the first frame of an animation): a truncated file fails here
                encoded, (width, height) = reencode(image, layout)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused("image_unreadable", detail=type(error).__name__) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:  # what Pillow raises on bad data
        raise ImageRefused("image_unreadable", detail=type(error).__name__) from error
    if len(encoded) > MAX_IMAGE_BYTES:
        raise ImageRefused("image_too_large_saved", 413, size=len(encoded), limit=MAX_IMAGE_BYTES)
    return CheckedImage(encoded, hashlib.sha256(encoded).hexdigest(), layout.media_type, width, height)


def _whole_layout(data: bytes) -> ImageLayout:
    """Where the image in ``data`` lies; refused if there is none, or if other bytes come before or after it."""
    try:
        layout = image_layout(data)
    except MalformedImage as error:
        raise ImageRefused("image_unreadable", detail=str(error)) from error
    extra = len(data) - (layout.end - layout.start)
    if extra:
        raise ImageRefused("image_trailing_data", extra=extra)
    return layout


def _check_header(image: Image.Image, layout: ImageLayout) -> None:
    """Refuse, before decoding, an image whose header disagrees with its structure or whose pixels, or
    pixels across all frames, are over the limits."""
    if _BY_FORMAT.get(str(image.format)) != layout.media_type:
        raise ImageRefused("image_unreadable", detail=str(image.format))
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageRefused("image_too_many_pixels", width=width, height=height, side=MAX_SIDE)
    if layout.media_type == "image/jpeg":
        return  # its further pictures (MPO) are dropped, never decoded
    frames = layout.frames
    if frames > 1 and (frames > MAX_FRAMES or frames * width * height > MAX_ANIMATION_PIXELS):
        raise ImageRefused("image_too_many_frames", frames=frames, width=width, height=height, limit=MAX_FRAMES)
    if getattr(image, "n_frames", 1) != frames:  # Pillow would decode other frames than those counted
        raise ImageRefused("image_unreadable", detail="frame count")


def image_urls(actor: str, triples: Iterable[Triple]) -> dict[str, str]:
    """The URL of each image ``actor``'s triples name (``{"icon": …, "image": …}``, each if present)."""
    triples = list(triples)
    roles = {_AS + role: role for role in IMAGE_ROLES}
    nodes: dict[tuple[str, ...], str] = {}
    for subject, predicate, value in triples:
        if subject == ("iri", actor) and predicate[1] in roles:
            nodes.setdefault(value, roles[predicate[1]])
    urls: dict[str, str] = {}
    for subject, predicate, value in triples:
        role = nodes.get(subject)
        if role is not None and predicate[1] == _AS + "url" and value[0] == "iri":
            urls.setdefault(role, value[1])
    return urls
