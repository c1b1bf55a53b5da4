"""Where an image's bytes really begin and end, read from its structure before anything is decoded: a PNG's
chunks up to ``IEND``, a GIF's blocks up to its trailer, a JPEG's segments and entropy-coded data up to
``EOI``, a WebP's RIFF chunks up to the RIFF size (and its one pad byte). Bytes before the signature or after
that end make the file something else too (a PNG with a ZIP appended, a GIF followed by HTML: a polyglot),
which ``profiles.images.check_image`` refuses.

Every walk only moves forward, reads each byte a bounded number of times and stops at the end of its input,
so it is linear in the input; a structure that does not hold together raises ``MalformedImage``. The walks
also count the frames of an animation, so that its pixels across all frames can be bounded before Pillow
decodes one.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["ImageLayout", "MalformedImage", "image_layout"]

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
# The signatures, each with the media type it starts.
_SIGNATURES = ((_PNG, "image/png"), (_JPEG, "image/jpeg"), (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
# JPEG markers with no length after them: TEM and the restart markers RST0-RST7.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_SOS, _EOI, _APP2 = 0xDA, 0xD9, 0xE2


class MalformedImage(ValueError):
    """Bytes whose structure does not hold together as the image type their signature names."""


@dataclass(frozen=True)
class ImageLayout:
    """Where an image lies in its bytes: ``data[start:end]``, with its media type, its frame count (1 for a
    still image) and, for WebP, whether it is stored losslessly."""

    media_type: str
    start: int
    end: int
    frames: int
    lossless: bool = False


def image_layout(data: bytes) -> ImageLayout:
    """The layout of the PNG, JPEG, GIF or WebP image in ``data``; ``MalformedImage`` if there is none.

    The image is looked for at the start of ``data``; if none starts there, at the first place each
    signature occurs, so that an image with something put before it is found (with ``start`` > 0) and
    refused for that rather than as unreadable.
    """
    found = _signature_at(data, 0)
    if found is not None:
        return _walk(data, found, 0)
    for media_type, start in sorted(_first_signatures(data), key=lambda pair: pair[1]):
        try:
            return _walk(data, media_type, start)
        except MalformedImage:
            continue
    raise MalformedImage("not a PNG, JPEG, GIF or WebP image")


def _signature_at(data: bytes, start: int) -> str | None:
    """The media type whose signature begins at ``start``, if any."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature, start):
            return media_type
    if data.startswith(b"RIFF", start) and data.startswith(b"WEBP", start + 8):
        return "image/webp"
    return None


def _first_signatures(data: bytes) -> Iterator[tuple[str, int]]:
    """Each media type with the first offset after 0 where its signature occurs."""
    for signature, media_type in _SIGNATURES:
        at = data.find(signature, 1)
        if at > 0:
            yield media_type, at
    at = data.find(b"WEBP", 9)
    if at > 0 and data.startswith(b"RIFF", at - 8):
        yield "image/webp", at - 8


def _walk(data: bytes, media_type: str, start: int) -> ImageLayout:
    walks: dict[str, Callable[[bytes, int], ImageLayout]] = {
        "image/png": _png_layout,
        "image/gif": _gif_layout,
        "image/jpeg": _jpeg_layout,
        "image/webp": _webp_layout,
    }
    return walks[media_type](data, start)


def _png_layout(data: bytes, start: int) -> ImageLayout:
    """A PNG's chunks from its signature to the end of ``IEND``; an APNG's frames are its ``fcTL`` chunks."""
    position, frames, size = start + len(_PNG), 0, len(data)
    while True:
        if position + 12 > size:
            raise MalformedImage("the PNG ends before its IEND chunk")
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if length > 0x7FFFFFFF or not kind.isalpha():
            raise MalformedImage("a PNG chunk has a bad length or type")
        if position == start + len(_PNG) and kind != b"IHDR":
            raise MalformedImage("the PNG does not begin with IHDR")
        position += 12 + length
        if position > size:
            raise MalformedImage("a PNG chunk runs past the end")
        if kind == b"fcTL":
            frames += 1
        elif kind == b"IEND":
            return ImageLayout("image/png", start, position, max(frames, 1))


def _gif_layout(data: bytes, start: int) -> ImageLayout:
    """A GIF's header, colour table and blocks up to its trailer (``0x3B``); its frames are its images."""
    if start + 13 > len(data):
        raise MalformedImage("the GIF ends inside its header")
    position = start + 13 + _colour_table(data[start + 10])
    frames = 0
    while True:
        if position >= len(data):
            raise MalformedImage("the GIF ends before its trailer")
        block = data[position]
        if block == 0x3B:
            return ImageLayout("image/gif", start, position + 1, max(frames, 1))
        if block == 0x21:  # an extension: its label, then sub-blocks
            position = _gif_sub_blocks(data, position + 2)
        elif block == 0x2C:  # an image: its descriptor, local colour table, LZW code size, sub-blocks
            if position + 10 > len(data):
                raise MalformedImage("the GIF ends inside an image descriptor")
            position += 10 + _colour_table(data[position + 9])
            position = _gif_sub_blocks(data, position + 1)
            frames += 1
        else:
            raise MalformedImage(f"unknown GIF block 0x{block:02x}")


def _colour_table(flags: int) -> int:
    """The size in bytes of the colour table a GIF descriptor's flags announce (0 if none)."""
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _gif_sub_blocks(data: bytes, position: int) -> int:
    """The offset just past the sub-blocks starting at ``position`` (each a size byte, then its data)."""
    while True:
        if position >= len(data):
            raise MalformedImage("the GIF ends inside a block")
        length = data[position]
        position += 1 + length
        if length == 0:
            return position


def _jpeg_layout(data: bytes, start: int) -> ImageLayout:
    """A JPEG from ``SOI`` to ``EOI``. A Multi-Picture file (an ``APP2`` segment ``MPF``, as cameras write
    for a second image or a gain map) may be followed by more whole JPEGs; they count as frames."""
    end, multi_picture = _jpeg_end(data, start)
    frames = 1
    while multi_picture and end < len(data):
        try:
            end = _jpeg_end(data, end)[0]
        except MalformedImage:
            break  # not another picture: the caller finds data after the image
        frames += 1
    return ImageLayout("image/jpeg", start, end, frames)


def _jpeg_end(data: bytes, start: int) -> tuple[int, bool]:
    """The offset just past the ``EOI`` of the JPEG at ``start``, and whether it has an ``MPF`` segment."""
    if not data.startswith(b"\xff\xd8", start):
        raise MalformedImage("no JPEG start of image")
    position, size, multi_picture = start + 2, len(data), False
    while True:
        if position >= size or data[position] != 0xFF:
            raise MalformedImage("a JPEG marker was expected")
        while position < size and data[position] == 0xFF:  # the marker's 0xFF and any fill bytes
            position += 1
        if position >= size:
            raise MalformedImage("the JPEG ends inside a marker")
        marker = data[position]
        position += 1
        if marker == _EOI:
            return position, multi_picture
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8) or position + 2 > size:
            raise MalformedImage("a JPEG marker is out of place")
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2 or position + length > size:
            raise MalformedImage("a JPEG segment runs past the end")
        multi_picture = multi_picture or (marker == _APP2 and data.startswith(b"MPF\x00", position + 2))
        position += length
        if marker == _SOS:
            position = _entropy_coded_end(data, position)


def _entropy_coded_end(data: bytes, position: int) -> int:
    """The offset of the marker that ends the entropy-coded data at ``position``: the first 0xFF followed by
    a byte other than 0x00 (a stuffed 0xFF), a restart marker or another 0xFF (a fill byte)."""
    size = len(data)
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= size:
            raise MalformedImage("the JPEG's scan data runs past the end")
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        elif following == 0xFF:
            position += 1
        else:
            return position


def _webp_layout(data: bytes, start: int) -> ImageLayout:
    """A WebP's RIFF container: its chunks fill exactly the RIFF size (one pad byte after an odd size is
    allowed); its frames are its ``ANMF`` chunks, and it is lossless when a ``VP8L`` chunk holds it."""
    if start + 12 > len(data):
        raise MalformedImage("the WebP ends inside its header")
    riff_size = int.from_bytes(data[start + 4 : start + 8], "little")
    end = start + 8 + riff_size
    if riff_size < 4 or end > len(data):
        raise MalformedImage("the WebP ends before its RIFF size")
    frames, lossless = 0, False
    for kind, body, length in _riff_chunks(data, start + 12, end):
        if kind == b"ANMF":
            frames += 1
            if length < 16:
                raise MalformedImage("a WebP frame is too short")
            lossless = lossless or any(inner == b"VP8L" for inner, _, _ in _riff_chunks(data, body + 16, body + length))
        lossless = lossless or kind == b"VP8L"
    if riff_size % 2 and end < len(data):
        end += 1  # the pad byte of an odd-sized RIFF
    return ImageLayout("image/webp", start, end, max(frames, 1), lossless)


def _riff_chunks(data: bytes, position: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Each RIFF chunk between ``position`` and ``end`` as (type, offset of its data, its length); they must
    fill the span exactly, each padded to an even length."""
    while position < end:
        if position + 8 > end:
            raise MalformedImage("a WebP chunk header runs past its container")
        kind = data[position : position + 4]
        length = int.from_bytes(data[position + 4 : position + 8], "little")
        if position + 8 + length > end:
            raise MalformedImage("a WebP chunk runs past its container")
        yield kind, position + 8, length
        position += 8 + length + (length & 1)
