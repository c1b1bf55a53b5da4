"""Where an image's bytes end: each walk finds the real end of PNG, GIF, JPEG and WebP files drawn with
Pillow, counts their frames, sees what is put before or after them, refuses broken structures, and stays
linear on hostile input."""

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from dsi4bcn.profiles.imagetrailers import ImageLayout, MalformedImage, image_layout

FORMATS = [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")]


def drawn(format_name: str, frames: int = 1, **options: object) -> bytes:
    """A small image (an animation when ``frames`` > 1) drawn with Pillow in ``format_name``."""
    images = [Image.new("RGB", (24, 16), (40 * index, 90, 200)) for index in range(frames)]
    buffer = io.BytesIO()
    if frames > 1:
        options.update(save_all=True, append_images=images[1:], duration=100)
    images[0].save(buffer, format=format_name, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


@pytest.mark.parametrize(("format_name", "media_type"), FORMATS)
def test_a_whole_image_ends_at_its_last_byte(format_name: str, media_type: str) -> None:
    data = drawn(format_name)
    assert image_layout(data) == ImageLayout(media_type, 0, len(data), 1)


@pytest.mark.parametrize(("format_name", "media_type"), FORMATS)
def test_bytes_after_the_image_are_outside_it(format_name: str, media_type: str) -> None:
    data = drawn(format_name)
    for extra in (b"PK\x03\x04" + b"\x00" * 26, b"<html><script>alert(1)</script></html>", b"\x00\x00"):
        layout = image_layout(data + extra)
        assert (layout.media_type, layout.start, layout.end) == (media_type, 0, len(data))


@pytest.mark.parametrize(("format_name", "media_type"), FORMATS)
def test_bytes_before_the_image_are_found(format_name: str, media_type: str) -> None:
    data = drawn(format_name)
    prefix = b"<!doctype html><p>hello</p>"
    layout = image_layout(prefix + data)
    assert (layout.media_type, layout.start, layout.end) == (media_type, len(prefix), len(prefix) + len(data))


@pytest.mark.parametrize(("format_name", "media_type"), [f for f in FORMATS if f[0] != "JPEG"])
def test_the_frames_of_an_animation_are_counted(format_name: str, media_type: str) -> None:
    data = drawn(format_name, frames=3)
    assert image_layout(data) == ImageLayout(media_type, 0, len(data), 3, False)


def test_a_lossless_webp_is_recognised() -> None:
    assert image_layout(drawn("WEBP", lossless=True)).lossless
    assert image_layout(drawn("WEBP", frames=2, lossless=True)).lossless
    assert not image_layout(drawn("WEBP", quality=80)).lossless


def test_a_webp_may_end_with_one_pad_byte_after_an_odd_size() -> None:
    # A RIFF holding one 5-byte chunk: its size is odd, and one pad byte follows it.
    riff = b"WEBP" + b"VP8X" + struct.pack("<I", 5) + b"\x00" * 5
    data = b"RIFF" + struct.pack("<I", len(riff)) + riff + b"\x00"
    assert image_layout(data).end == len(data)
    assert image_layout(data + b"\x00").end == len(data)  # a second byte is outside it


def test_a_multi_picture_jpeg_counts_its_pictures_and_nothing_else() -> None:
    first, second = Image.new("RGB", (24, 16), "red"), Image.new("RGB", (24, 16), "blue")
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    data = buffer.getvalue()
    assert image_layout(data) == ImageLayout("image/jpeg", 0, len(data), 2)
    assert image_layout(data + b"PK\x03\x04").end == len(data)
    plain = drawn("JPEG")  # no MPF segment: a second JPEG after it is outside it
    assert image_layout(plain + plain).end == len(plain)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, world",
        drawn("PNG")[:-12],  # no IEND
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IDAT", b"") + _png_chunk(b"IEND", b""),  # no IHDR first
        b"\x89PNG\r\n\x1a\n" + b"\xff\xff\xff\xffIHDR",  # a chunk longer than PNG allows
        drawn("GIF")[:-1],  # no trailer
        drawn("GIF")[:13] + b"\x99",  # an unknown block
        drawn("JPEG")[:-2],  # no EOI
        b"\xff\xd8\xff\xe0\x00\x01",  # a segment shorter than its length field
        drawn("WEBP")[:-3],  # shorter than its RIFF size
        b"RIFF\x0c\x00\x00\x00WEBPVP8 \xff\x00\x00\x00",  # a chunk past its container
    ],
    ids=[
        "empty",
        "text",
        "png-no-iend",
        "png-no-ihdr",
        "png-huge-chunk",
        "gif-no-trailer",
        "gif-unknown-block",
        "jpeg-no-eoi",
        "jpeg-bad-length",
        "webp-short",
        "webp-chunk-overflow",
    ],
)
def test_a_broken_structure_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedImage):
        image_layout(data)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xda\x00\x02" + b"\xff\x00" * 1_000_000,  # scan data of stuffed bytes with no end
        b"\xff\xd8" + b"\xff" * 2_000_000,  # fill bytes
        b"\xff\xd8" + b"\xff\xd0" * 1_000_000,  # restart markers
        b"GIF89a" + b"\x00" * 7 + b"\x21\xf9" + b"\x01\x00" * 1_000_000,  # one-byte sub-blocks
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", b"\x00" * 13) + _png_chunk(b"tEXt", b"") * 170_000,
        b"x" * 2_000_000 + b"GIF89a" + b"\xff\xd8\xff" + b"RIFF....WEBP" + b"\x89PNG\r\n\x1a\n",  # signatures late
    ],
    ids=["jpeg-stuffing", "jpeg-fill", "jpeg-restarts", "gif-sub-blocks", "png-chunks", "late-signatures"],
)
def test_each_walk_is_linear_on_two_megabytes_of_hostile_input(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(MalformedImage):
        image_layout(data)
    assert time.perf_counter() - started < 2.0
