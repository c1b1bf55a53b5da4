"""What ``check_image`` does to an accepted image and what it refuses as more than one image: polyglots (a
ZIP, a web page or other bytes before or after the image) and animations over the frame limits are refused
with their message in ca, es and en; accepted images come back without EXIF (GPS included), XMP, comments or
text chunks, upright, with their transparency, frames, durations and colour profile."""

import io
import random
import zipfile

import pytest
from PIL import ExifTags, Image, ImageCms, JpegImagePlugin, PngImagePlugin

from dsi4bcn.i18n import message
from dsi4bcn.profiles.images import MAX_FRAMES, ImageRefused, check_image


def saved(image: Image.Image, format_name: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def picture(size: tuple[int, int] = (40, 30), mode: str = "RGB") -> Image.Image:
    """An image whose left and right halves differ, so that a turn or a flip shows."""
    image = Image.new(mode, size, "#0b5687")
    image.paste("#e0a100", (0, 0, size[0] // 2, size[1] // 3))
    return image


def refusal(data: bytes, declared: str | None) -> ImageRefused:
    with pytest.raises(ImageRefused) as refused:
        check_image(data, declared)
    texts = {language: message(refused.value.code, language, **refused.value.params) for language in ("ca", "es", "en")}
    assert len(set(texts.values())) == 3 and all("{" not in text for text in texts.values()), texts
    return refused.value


def zipped() -> bytes:
    """A real ZIP archive holding a web page."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
    return buffer.getvalue()


ZIP = zipped()
HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (saved(picture(), "PNG") + ZIP, "image/png"),
        (saved(picture(), "GIF") + HTML, "image/gif"),
        (saved(picture(), "JPEG") + HTML, "image/jpeg"),
        (saved(picture(), "JPEG") + b"\x00", None),
        (saved(picture(), "WEBP") + b"\x00\x00\x00\x00", "image/webp"),
        (HTML + saved(picture(), "PNG"), "image/png"),
        (HTML + saved(picture(), "GIF"), None),
    ],
    ids=["png-zip", "gif-html", "jpeg-html", "jpeg-one-byte", "webp-extra", "html-png", "html-gif"],
)
def test_a_polyglot_is_refused(data: bytes, declared: str | None) -> None:
    refused = refusal(data, declared)
    assert (refused.code, refused.status) == ("image_trailing_data", 400)
    assert str(refused.params["extra"]) in message(refused.code, "ca", **refused.params)


def test_an_animation_over_the_frame_limits_is_refused_before_it_is_decoded() -> None:
    # 60 frames of 1000 × 400 pixels: each frame within the limits, 24 million pixels in all.
    frames = [Image.new("P", (1000, 400), index) for index in range(60)]
    data = saved(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert len(data) < 2 * 1024 * 1024
    refused = refusal(data, "image/gif")
    assert (refused.code, refused.params["frames"]) == ("image_too_many_frames", 60)
    # Many tiny frames: over the frame count.
    tiny = [Image.new("RGB", (2, 2), (0, 0, 255 * (index % 2))) for index in range(MAX_FRAMES + 1)]
    assert refusal(saved(tiny[0], "GIF", save_all=True, append_images=tiny[1:]), None).code == "image_too_many_frames"


def test_a_photo_comes_back_without_its_exif_and_upright() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera Maker"
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: show it turned by 90 degrees
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (41.0, 23.0, 12.5)
    data = saved(picture(), "JPEG", exif=exif, comment=b"taken at home", quality=95)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's photo does carry a position

    image = check_image(data, "image/jpeg")

    assert (image.width, image.height) == (30, 40)
    with Image.open(io.BytesIO(image.data)) as clean:
        assert len(clean.getexif()) == 0 and "exif" not in clean.info and "comment" not in clean.info
        assert clean.size == (30, 40)
        # Orientation 6: the top-left corner (orange) is now the top-right.
        assert clean.convert("RGB").getpixel((27, 2)) == pytest.approx((224, 161, 0), abs=12)
    for trace in (b"Exif", b"Camera Maker", b"taken at home", b"GPS"):
        assert trace not in image.data


def signed() -> Image.Exif:
    """EXIF naming the image's maker, which must not survive the check."""
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Somebody"
    return exif


def test_a_jpeg_keeps_its_chroma_subsampling_and_loses_its_exif() -> None:
    for subsampling in (0, 2):  # 4:4:4 and 4:2:0
        image = check_image(saved(picture(), "JPEG", subsampling=subsampling, exif=signed()), "image/jpeg")
        assert b"Somebody" not in image.data
        with Image.open(io.BytesIO(image.data)) as clean:
            assert isinstance(clean, JpegImagePlugin.JpegImageFile)
            assert JpegImagePlugin.get_sampling(clean) == subsampling


def test_a_png_keeps_its_transparency_and_loses_its_text() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Somebody at home")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    rgba = picture(mode="RGBA")
    rgba.paste((0, 0, 0, 0), (20, 0, 40, 30))
    palette = picture().convert("P")
    for source, check in ((rgba, (30, 10)), (palette, None)):
        options: dict[str, object] = {"pnginfo": text}
        if check is None:
            options["transparency"] = palette.getpixel((0, 0))
        image = check_image(saved(source, "PNG", **options), "image/png")
        assert b"Somebody" not in image.data and b"xmpmeta" not in image.data
        with Image.open(io.BytesIO(image.data)) as clean:
            assert not {"Author", "XML:com.adobe.xmp", "xmp"} & set(clean.info)
            assert clean.convert("RGBA").getpixel(check or (0, 0))[3] == 0  # still transparent there
            assert clean.convert("RGBA").getpixel((39, 29))[3] == 255 or check is not None


@pytest.mark.parametrize("format_name", ["GIF", "WEBP", "PNG"])
def test_an_animation_keeps_its_frames_and_durations(format_name: str) -> None:
    frames = [Image.new("RGB", (30, 20), colour) for colour in ("#0b5687", "#e0a100", "#a8361f")]
    options: dict[str, object] = {"save_all": True, "append_images": frames[1:], "duration": [100, 250, 400]}
    options["loop"] = 0
    if format_name == "GIF":
        options["comment"] = b"made by somebody"
    else:
        exif = Image.Exif()
        exif[ExifTags.Base.Artist] = "Somebody"
        options["exif"] = exif
    data = saved(frames[0], format_name, **options)

    image = check_image(data, None)

    assert b"somebody" not in image.data.lower()
    with Image.open(io.BytesIO(image.data)) as clean:
        assert clean.n_frames == 3
        durations = []
        for index in range(3):
            clean.seek(index)
            clean.load()
            durations.append(clean.info["duration"])
            assert clean.convert("RGB").getpixel((5, 5)) == pytest.approx(frames[index].getpixel((5, 5)), abs=8)
        assert durations == [100, 250, 400] and clean.info.get("loop") == 0


def test_a_colour_profile_is_kept_and_the_exif_dropped() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for format_name in ("JPEG", "PNG", "WEBP"):
        image = check_image(saved(picture(), format_name, icc_profile=profile, exif=signed()), None)
        assert b"Somebody" not in image.data, format_name
        with Image.open(io.BytesIO(image.data)) as clean:
            assert clean.info.get("icc_profile") == profile, format_name


def test_a_multi_picture_jpeg_keeps_its_first_picture_only() -> None:
    data = saved(picture(), "MPO", save_all=True, append_images=[Image.new("RGB", (40, 30), "red")])
    image = check_image(data, "image/jpeg")
    with Image.open(io.BytesIO(image.data)) as clean:
        assert (clean.format, getattr(clean, "n_frames", 1)) == ("JPEG", 1)


@pytest.mark.parametrize("format_name", ["PNG", "GIF", "JPEG", "WEBP"])
def test_checking_again_what_was_saved_keeps_a_lossless_image_unchanged(format_name: str) -> None:
    options: dict[str, object] = {"lossless": True} if format_name == "WEBP" else {}
    options["comment" if format_name == "GIF" else "exif"] = b"by Somebody" if format_name == "GIF" else signed()
    original = saved(picture(), format_name, **options)
    first = check_image(original)
    assert b"Somebody" in original and b"Somebody" not in first.data
    again = check_image(first.data)
    if format_name != "JPEG":  # a copy on another node keeps its name
        assert again.sha256 == first.sha256
    assert (again.width, again.height) == (first.width, first.height)


def test_an_image_too_large_once_saved_again_is_refused() -> None:
    # Noise saved as a very low-quality JPEG: at quality 90 it takes many times the bytes.
    noise = Image.frombytes("RGB", (3000, 2000), random.Random(1).randbytes(3000 * 2000 * 3))
    data = saved(noise, "JPEG", quality=20)
    assert len(data) < 2 * 1024 * 1024
    refused = refusal(data, "image/jpeg")
    assert (refused.code, refused.status) == ("image_too_large_saved", 413)
