"""Which bytes are accepted as a profile image: real PNG, JPEG, GIF and WebP drawn with Pillow here pass, saved
again without their metadata; SVG, HTML, polyglots, truncated, oversized, mislabelled and decompression-bomb
files are refused with a reason in ca, es and en."""

import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image

from dsi4bcn.i18n import message
from dsi4bcn.profiles.images import (
    MAX_IMAGE_BYTES,
    MAX_SIDE,
    ImageRefused,
    check_image,
    image_urls,
    media_path,
    own_media_name,
)


def drawn(format_name: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    """A small real image in ``format_name``, drawn with Pillow."""
    image = Image.new(mode, size, "#0b5687")
    image.paste("#e0a100", (5, 5, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format=format_name)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels with almost no data: what a decompression bomb starts as."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("format_name", "media_type", "extension"),
    [
        ("PNG", "image/png", "png"),
        ("JPEG", "image/jpeg", "jpg"),
        ("GIF", "image/gif", "gif"),
        ("WEBP", "image/webp", "webp"),
    ],
)
def test_real_images_of_each_type_are_accepted(format_name: str, media_type: str, extension: str) -> None:
    data = drawn(format_name)
    for declared in (None, media_type):
        image = check_image(data, declared)
        assert (image.media_type, image.width, image.height) == (media_type, 40, 30)
        assert image.sha256 == hashlib.sha256(image.data).hexdigest()  # the bytes saved again, not the sender's
        with Image.open(io.BytesIO(image.data)) as saved:
            assert (saved.format, saved.size) == (format_name, (40, 30))
        assert image.name == f"{image.sha256}.{extension}"
        assert media_path(image.sha256, image.media_type) == f"/media/{image.sha256}.{extension}"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "declared", "code"),
    [
        (SVG, None, "image_unreadable"),
        (SVG, "image/svg+xml", "image_type_refused"),
        (HTML, "image/png", "image_unreadable"),
        (b"", "image/png", "image_unreadable"),
        (drawn("PNG")[:-40], "image/png", "image_unreadable"),  # truncated: no end, part of the data gone
        (drawn("JPEG")[:200], "image/jpeg", "image_unreadable"),
        (drawn("BMP"), None, "image_unreadable"),  # a real image, but not a type the node serves
        (drawn("PNG"), "image/jpeg", "image_type_mismatch"),
        (drawn("GIF"), "image/webp", "image_type_mismatch"),
        (drawn("PNG", (MAX_SIDE + 1, 2), "L"), None, "image_too_many_pixels"),
        (png_header_only(4000, 4000), "image/png", "image_too_many_pixels"),  # 16 M pixels > 12 M
        (png_header_only(10_000, 10_000), "image/png", "image_unreadable"),  # Pillow's bomb warning, as an error
        (png_header_only(60_000, 60_000), "image/png", "image_unreadable"),  # Pillow's bomb error
    ],
    ids=[
        "svg",
        "svg-declared",
        "html-as-png",
        "empty",
        "truncated-png",
        "truncated-jpeg",
        "bmp",
        "png-as-jpeg",
        "gif-as-webp",
        "too-wide",
        "too-many-pixels",
        "bomb-warning",
        "bomb-error",
    ],
)
def test_other_bytes_are_refused_with_a_reason(data: bytes, declared: str | None, code: str) -> None:
    with pytest.raises(ImageRefused) as refused:
        check_image(data, declared)
    assert (refused.value.code, refused.value.status) == (code, 400)
    assert_said_in_each_language(refused.value)


def assert_said_in_each_language(refused: ImageRefused) -> None:
    """The refusal's message exists in ca, es and en, each different and with its parameters filled in."""
    texts = {language: message(refused.code, language, **refused.params) for language in ("ca", "es", "en")}
    assert len(set(texts.values())) == 3, texts
    for text in texts.values():
        assert "{" not in text and all(str(value) in text for value in refused.params.values()), text


def test_an_image_over_the_size_limit_is_refused_before_it_is_read() -> None:
    data = drawn("PNG") + b"\x00" * MAX_IMAGE_BYTES
    with pytest.raises(ImageRefused) as refused:
        check_image(data, "image/png")
    assert (refused.value.code, refused.value.status) == ("image_too_large", 413)
    assert_said_in_each_language(refused.value)
    assert check_image(drawn("PNG"), "image/png").media_type == "image/png"  # the same image, within the limit


def test_own_media_urls_are_recognised_exactly() -> None:
    sha = "ab" * 32
    base = "https://node.example"
    assert own_media_name(f"{base}/media/{sha}.png", base) == f"{sha}.png"
    assert own_media_name(f"{base}/media/{sha}.png", base + "/") == f"{sha}.png"
    for other in (
        f"https://other.example/media/{sha}.png",
        f"{base}/media/{sha}.svg",
        f"{base}/media/{sha[:-1]}.png",
        f"{base}/media/{sha.upper()}.png",
        f"{base}/media/{sha}.png/x",
        f"{base}/static/{sha}.png",
    ):
        assert own_media_name(other, base) is None, other


def test_image_urls_are_read_from_a_profiles_triples() -> None:
    actor = "https://peer.example/projects/p"
    as_ = "https://www.w3.org/ns/activitystreams#"
    triples = [
        (("iri", actor), ("iri", as_ + "icon"), ("blank", "b0")),
        (("blank", "b0"), ("iri", as_ + "url"), ("iri", "https://peer.example/logo.png")),
        (("iri", actor), ("iri", as_ + "image"), ("blank", "b1")),
        (("blank", "b1"), ("iri", as_ + "url"), ("iri", "https://cdn.example/header.webp")),
        (("iri", "https://peer.example/projects/q"), ("iri", as_ + "icon"), ("blank", "b2")),
        (("blank", "b2"), ("iri", as_ + "url"), ("iri", "https://peer.example/other.png")),
    ]
    assert image_urls(actor, triples) == {
        "icon": "https://peer.example/logo.png",
        "image": "https://cdn.example/header.webp",
    }
    assert image_urls(actor, triples[:2]) == {"icon": "https://peer.example/logo.png"}
    assert image_urls(actor, []) == {}
