"""Images on real node processes: the admin upload and ``/media/`` answers (hostile uploads — a non-image,
polyglots, an oversized file, decompression bombs — refused in ca, es and en with nothing stored; accepted
ones served saved again, without their metadata); two peered nodes where the
aggregating node copies the origin's logos and its pages load images from itself only; a logo on a private
address that the node may not contact is never fetched."""

import functools
import hashlib
import io
import json
import re
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from dsi4bcn.i18n import MESSAGES
from dsi4bcn.profiles.images import check_image
from tests.support.forkserver import run_dsi4bcn
from tests.support.http import api, database_dump, fetch
from tests.support.listener import listening
from tests.support.nodes import ADMIN_TOKEN, Node, start_node
from tests.support.waiting import within

ENV = {"DSI4BCN_DELIVERY_BACKOFF_SCALE": "0.01", "DSI4BCN_RESYNC_INTERVAL": "3"}
ORGANISATION = {
    "nameMap": {"ca": "Cooperativa Teixit", "en": "Weave Co-op"},
    "sectors": ["sector:industry"],
    "areas": ["area:platform-cooperativism"],
}
PROJECT = {
    "nameMap": {"ca": "Projecte sense logo", "en": "Project without a logo"},
    "areas": ["area:maker"],
    "organisation": "teixit",
}


def png(colour: str, size: tuple[int, int] = (64, 64), format_name: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=format_name)
    return buffer.getvalue()


def saved_again(data: bytes) -> bytes:
    """The bytes a node stores for an accepted image: Pillow's new encoding of it."""
    return check_image(data).data


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A small PNG that claims ``width`` × ``height`` greyscale pixels: a decompression bomb's start."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 65536)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(node: Node, data: bytes, content_type: str = "image/png", token: str | None = ADMIN_TOKEN) -> dict:
    answer = api(node.base_url, token, "POST", "/api/media", raw=data, content_type=content_type)
    assert answer.status in (200, 201), answer.body
    return answer.json()


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def image_sources(html: bytes) -> list[str]:
    parser = _Images()
    parser.feed(html.decode("utf-8"))
    return parser.sources


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    running = start_node(tmp_path_factory.mktemp("media") / "node")
    yield running
    running.stop()


@pytest.mark.parametrize(
    ("format_name", "media_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_an_uploaded_image_is_served_back_with_safe_headers(node: Node, format_name: str, media_type: str) -> None:
    data = png("#0b5687", (30, 20), format_name)
    first = api(node.base_url, ADMIN_TOKEN, "POST", "/api/media", raw=data, content_type=media_type)
    assert first.status == 201, first.body
    body = first.json()
    assert body["mediaType"] == media_type and (body["width"], body["height"]) == (30, 20)
    assert re.fullmatch(re.escape(node.base_url) + r"/media/[0-9a-f]{64}\.(png|jpg|gif|webp)", body["url"])
    again = api(node.base_url, ADMIN_TOKEN, "POST", "/api/media", raw=data, content_type=media_type)
    assert again.status == 200 and again.json()["url"] == body["url"]  # stored once
    served = fetch(body["url"])
    assert served.status == 200 and served.body == saved_again(data)  # what is stored is the image saved again
    assert served.headers["content-type"] == media_type
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in served.headers["cache-control"] and "max-age=31536000" in served.headers["cache-control"]
    assert served.headers["content-security-policy"].startswith("default-src 'none'")
    etag = served.headers["etag"]
    assert fetch(body["url"], headers={"If-None-Match": etag}).status == 304
    other_type = body["url"].rsplit(".", 1)[0] + (".gif" if media_type != "image/gif" else ".png")
    assert fetch(other_type).status == 404


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (SVG, "image/svg+xml", 415, "image_type_refused"),
        (SVG, "image/png", 400, "image_unreadable"),
        (b"<html><script>alert(1)</script></html>", "image/gif", 400, "image_unreadable"),
        (png("#a8361f")[:-30], "image/png", 400, "image_unreadable"),
        (png("#a8361f"), "image/jpeg", 400, "image_type_mismatch"),
        (png("#a8361f", (4097, 1)), "image/png", 400, "image_too_many_pixels"),
        (png("#a8361f") + b"\x00" * (2 * 1024 * 1024), "image/png", 413, "image_too_large"),
    ],
    ids=["svg", "svg-as-png", "html-as-gif", "truncated", "png-as-jpeg", "too-wide", "too-large"],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(
    node: Node, data: bytes, content_type: str, status: int, code: str
) -> None:
    before = database_dump(node.database)
    answer = api(node.base_url, ADMIN_TOKEN, "POST", "/api/media", raw=data, content_type=content_type)
    assert answer.status == status and answer.json()["code"] == code, answer.body
    assert database_dump(node.database) == before


HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"


def _said_in(text: str, code: str, language: str) -> bool:
    """Whether ``text`` is the message ``code`` in ``language``, whatever its parameters."""
    pattern = re.escape(MESSAGES[code][language])
    return re.fullmatch(re.sub(r"\\\{\w+\\\}", ".+", pattern), text) is not None


def _animation(frames: int, size: tuple[int, int]) -> bytes:
    images = [Image.new("RGB", size, (0, 0, 255 * (index % 2))) for index in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"just some text, not an image", "image/png", 400, "image_unreadable"),
        (png("#a8361f") + zipped(), "image/png", 400, "image_trailing_data"),
        (png("#a8361f", format_name="GIF") + HTML, "image/gif", 400, "image_trailing_data"),
        (png("#a8361f", format_name="JPEG") + b"\x00after the end", "image/jpeg", 400, "image_trailing_data"),
        (png("#a8361f", format_name="WEBP") + b"\x00\x00\x00\x00", "image/webp", 400, "image_trailing_data"),
        (HTML + png("#a8361f"), "image/png", 400, "image_trailing_data"),
        (png("#a8361f") + b"\x00" * (2 * 1024 * 1024), "image/png", 413, "image_too_large"),
        (png_header_only(4000, 4000), "image/png", 400, "image_too_many_pixels"),
        (png_header_only(12_000, 12_000), "image/png", 400, "image_unreadable"),  # Pillow's own bomb check
        (functools.partial(_animation, 60, (1000, 400)), "image/gif", 400, "image_too_many_frames"),  # 3 s to make
    ],
    ids=[
        "non-image",
        "png-zip",
        "gif-html",
        "jpeg-after-eoi",
        "webp-extra",
        "html-png",
        "oversized",
        "bomb",
        "huge-bomb",
        "animation-bomb",
    ],
)
def test_a_hostile_upload_is_refused_in_each_language_and_nothing_is_stored(
    node: Node, data: bytes | Callable[[], bytes], content_type: str, status: int, code: str
) -> None:
    data = data() if callable(data) else data
    before = database_dump(node.database)
    for language in ("ca", "es", "en"):
        path = f"/api/media?lang={language}"
        answer = api(node.base_url, ADMIN_TOKEN, "POST", path, raw=data, content_type=content_type)
        assert answer.status == status and answer.json()["code"] == code, answer.body
        assert _said_in(answer.json()["error"], code, language), (language, answer.json()["error"])
    assert database_dump(node.database) == before
    # Had it been stored, it would be served under the hash of the bytes sent or of any image they hold.
    for extension in ("png", "jpg", "gif", "webp"):
        assert fetch(f"{node.base_url}/media/{hashlib.sha256(data).hexdigest()}.{extension}").status == 404


def test_an_uploaded_photo_is_served_without_its_exif(node: Node) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera Maker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (41.0, 23.0, 12.5)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#2f6b3a").save(buffer, format="JPEG", exif=exif, comment=b"at home")
    data = buffer.getvalue()
    answer = api(node.base_url, ADMIN_TOKEN, "POST", "/api/media", raw=data, content_type="image/jpeg")
    assert answer.status == 201, answer.body
    served = fetch(answer.json()["url"])
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.body)) as image:
        assert image.size == (64, 48) and len(image.getexif()) == 0 and "comment" not in image.info
    assert b"Exif" not in served.body and b"Camera Maker" not in served.body and b"at home" not in served.body


def test_an_uploaded_animation_and_a_transparent_png_keep_what_they_show(node: Node) -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("#0b5687", "#e0a100", "#a8361f")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[100, 200, 300],
        loop=0,
        comment=b"made by somebody",
    )
    answer = api(node.base_url, ADMIN_TOKEN, "POST", "/api/media", raw=buffer.getvalue(), content_type="image/gif")
    assert answer.status == 201, answer.body
    served = fetch(answer.json()["url"]).body
    assert b"somebody" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.n_frames == 3
        durations = []
        for index in range(3):
            image.seek(index)
            durations.append(image.info["duration"])
        assert durations == [100, 200, 300]
    transparent = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    transparent.paste((11, 86, 135, 255), (0, 0, 16, 32))
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Somebody")
    transparent.save(buffer, "PNG", pnginfo=info)
    answer = api(node.base_url, ADMIN_TOKEN, "POST", "/api/media", raw=buffer.getvalue(), content_type="image/png")
    assert answer.status == 201, answer.body
    served = fetch(answer.json()["url"]).body
    assert b"Somebody" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.mode == "RGBA" and image.getpixel((24, 5))[3] == 0 and image.getpixel((4, 5))[3] == 255


def test_an_upload_needs_the_admin_token(node: Node) -> None:
    answer = api(node.base_url, None, "POST", "/api/media", raw=png("#15233b"), content_type="image/png")
    assert answer.status == 401
    assert api(node.base_url, "wrong-token-0123456789", "GET", "/api/media/failures").status == 401


# --- Two peered nodes ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node, dict, dict]]:
    folder = tmp_path_factory.mktemp("media-pair")
    origin, aggregator = start_node(folder / "a", env=ENV), start_node(folder / "b", env=ENV)
    try:
        logo, header = upload(origin, png("#2f6b3a")), upload(origin, png("#e0a100", (300, 100)))
        organisation = {**ORGANISATION, "icon": logo["url"], "image": header["url"]}
        assert api(origin.base_url, ADMIN_TOKEN, "PUT", "/api/organisations/teixit", organisation).status == 201
        # An SVG on the origin (its own site mark) as the project's logo: the aggregator must refuse it.
        project = {**PROJECT, "icon": f"{origin.base_url}/static/mark.svg"}
        assert api(origin.base_url, ADMIN_TOKEN, "PUT", "/api/projects/sense-logo", project).status == 201
        assert api(aggregator.base_url, ADMIN_TOKEN, "POST", "/api/peers", {"url": origin.base_url}).status == 202
        yield origin, aggregator, logo, header
    finally:
        origin.stop()
        aggregator.stop()


def received_page(node: Node, iri: str) -> bytes:
    return fetch(f"{node.base_url}/network/profile?{urlencode({'id': iri, 'lang': 'en'})}").body


def test_the_aggregator_serves_its_own_copy_of_a_received_logo(pair: tuple[Node, Node, dict, dict]) -> None:
    origin, aggregator, logo, header = pair
    iri = f"{origin.base_url}/organisations/teixit"
    within(20, lambda: len(image_sources(received_page(aggregator, iri))) >= 3, "the logo and header copied")
    sources = image_sources(received_page(aggregator, iri))
    logo_path, header_path = urlsplit(logo["url"]).path, urlsplit(header["url"]).path
    assert logo_path in sources and header_path in sources  # the same bytes, so the same name, on this node
    copy = fetch(aggregator.base_url + logo_path)
    assert copy.status == 200 and copy.body == fetch(logo["url"]).body
    assert copy.headers["content-type"] == "image/png"
    within(10, lambda: logo_path in image_sources(fetch(f"{aggregator.base_url}/directory?lang=en").body), "listed")


def test_the_aggregators_pages_load_images_from_itself_only(pair: tuple[Node, Node, dict, dict]) -> None:
    origin, aggregator, _logo, _header = pair
    organisation, project = f"{origin.base_url}/organisations/teixit", f"{origin.base_url}/projects/sense-logo"
    within(20, lambda: len(image_sources(received_page(aggregator, organisation))) >= 3, "the logo copied")
    pages = [
        received_page(aggregator, organisation),
        received_page(aggregator, project),
        fetch(f"{aggregator.base_url}/directory?lang=en").body,
        fetch(f"{aggregator.base_url}/?lang=en").body,
    ]
    for page in pages:
        for source in image_sources(page):
            assert source.startswith("/") and not source.startswith("//"), source  # same origin
    # The project's SVG logo was refused: its page shows the placeholder, and the reason is listed.
    project_page = received_page(aggregator, project).decode()
    assert 'class="logo mark' in project_page and "mark.svg" not in project_page.split("</header>", 1)[-1]

    def refused() -> bool:
        failures = api(aggregator.base_url, ADMIN_TOKEN, "GET", "/api/media/failures").json()["failures"]
        return any(f["url"] == f"{origin.base_url}/static/mark.svg" for f in failures)

    within(20, refused, "the SVG refused with its reason")


def test_a_changed_logo_replaces_the_old_one(pair: tuple[Node, Node, dict, dict]) -> None:
    origin, aggregator, logo, header = pair
    iri = f"{origin.base_url}/organisations/teixit"
    within(20, lambda: urlsplit(logo["url"]).path in image_sources(received_page(aggregator, iri)), "first logo")
    new_logo = upload(origin, png("#6b3fa0"))
    changed = {**ORGANISATION, "icon": new_logo["url"], "image": header["url"]}
    assert api(origin.base_url, ADMIN_TOKEN, "PUT", "/api/organisations/teixit", changed).status == 200
    new_path, old_path = urlsplit(new_logo["url"]).path, urlsplit(logo["url"]).path

    def replaced() -> bool:
        sources = image_sources(received_page(aggregator, iri))
        return new_path in sources and old_path not in sources

    within(30, replaced, "the new logo shown instead of the old one")


# --- A private address the node may not contact ----------------------------------------------------------------


def test_a_logo_on_a_private_address_is_never_fetched(tmp_path_factory: pytest.TempPathFactory) -> None:
    with listening() as listener:
        node = start_node(tmp_path_factory.mktemp("media-private") / "node", allow_private_network=False)
        try:
            icon = f"http://127.0.0.1:{listener.port}/logo.png"
            organisation = {**ORGANISATION, "icon": icon}
            assert api(node.base_url, ADMIN_TOKEN, "PUT", "/api/organisations/teixit", organisation).status == 201

            def failure() -> list[dict]:
                failures = api(node.base_url, ADMIN_TOKEN, "GET", "/api/media/failures").json()["failures"]
                return [f for f in failures if f["url"] == icon]

            within(20, lambda: bool(failure()), "the private address refused")
            assert "127.0.0.1" in failure()[0]["reason"]
            assert listener.requests == []  # never contacted
            page = fetch(f"{node.base_url}/@teixit?lang=en", headers={"Accept": "text/html"}).body
            assert 'class="logo mark' in page.decode()  # the placeholder
            assert all(source.startswith("/") for source in image_sources(page))
        finally:
            node.stop()


def test_the_command_line_uploads_an_image(node: Node, tmp_path: Path) -> None:
    image = tmp_path / "logo.webp"
    image.write_bytes(png("#8a5a00", (48, 48), "WEBP"))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_dsi4bcn(["media", "--url", node.base_url, "--token", node.token, *args])

    uploaded = cli("upload", str(image))
    assert uploaded.returncode == 0, uploaded.stderr
    answer = json.loads(uploaded.stdout)
    assert answer["mediaType"] == "image/webp" and fetch(answer["url"]).body == saved_again(image.read_bytes())
    svg = tmp_path / "logo.svg"
    svg.write_bytes(SVG)
    refused = cli("upload", str(svg))
    assert refused.returncode == 2 and "PNG, JPEG, GIF and WebP" in refused.stderr
    disguised = tmp_path / "disguised.png"
    disguised.write_bytes(SVG)
    refused = cli("upload", str(disguised))
    assert refused.returncode == 1 and "HTTP 400: the body is not a whole, readable PNG" in refused.stderr
    listed = cli("failures")
    assert listed.returncode == 0 and json.loads(listed.stdout) == {"failures": []}
