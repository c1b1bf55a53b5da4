"""Draw the demo profiles' logos and header images (run once; the PNG files are committed).

For each organisation and project of ``dsi4bcn/demo/*.yaml`` it writes ``dsi4bcn/demo/images/<slug>-logo.png``
(128×128: the profile's initials over a geometric mark on a colour of the site's palette) and
``<slug>-header.png`` (960×320, 3:1 as Mastodon's header: a street grid of chamfered Eixample blocks under a
large shape). Colours and shapes are chosen from the slug, so every profile looks different and a new run
draws the same images; each image is reduced to a few colours so that all fifty weigh little.

Usage: ``python scripts/build_demo_images.py [--output DIR]``.
"""

import argparse
import hashlib
import random
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "dsi4bcn" / "demo"
OUTPUT = DEMO / "images"
# The site's palette (dsi4bcn/web/static/site.css) with a few companions: (deep, light) pairs.
PAIRS = [
    ("#0b5687", "#e3eef6"),  # --accent, --accent-soft
    ("#a8361f", "#fbe9e4"),  # --warm, --warm-soft
    ("#15233b", "#c9d3e3"),  # --night, --on-night-muted
    ("#2f6b3a", "#e2f0e4"),
    ("#6b3fa0", "#ece4f6"),
    ("#8a5a00", "#f7ecd2"),
]
SUN = "#e0a100"  # --focus
SCALE = 4  # drawn at four times the size, then reduced: smooth edges


def _rng(slug: str) -> random.Random:
    return random.Random(hashlib.sha256(slug.encode("utf-8")).digest())  # noqa: S311 - a drawing, not a secret


def _initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if len(word) > 2 and word[0].isalnum()]
    return "".join(word[0] for word in words[:2]).upper()


def _octagon(x: float, y: float, size: float, cut: float) -> list[tuple[float, float]]:
    """An Eixample block: a square of ``size`` with its corners chamfered by ``cut``."""
    return [
        (x + cut, y),
        (x + size - cut, y),
        (x + size, y + cut),
        (x + size, y + size - cut),
        (x + size - cut, y + size),
        (x + cut, y + size),
        (x, y + size - cut),
        (x, y + cut),
    ]


def _mark(draw: ImageDraw.ImageDraw, shape: int, size: int, colour: str) -> None:
    """One of four geometric marks filling a ``size`` square."""
    s = size
    if shape == 0:
        draw.polygon(_octagon(s * 0.12, s * 0.12, s * 0.76, s * 0.2), fill=colour)
    elif shape == 1:
        draw.ellipse((s * 0.1, s * 0.1, s * 0.9, s * 0.9), fill=colour)
    elif shape == 2:
        draw.polygon([(0, s), (s, s), (s, s * 0.15)], fill=colour)
    else:
        draw.pieslice((-s * 0.6, -s * 0.6, s * 0.6, s * 0.6), 0, 90, fill=colour)
        draw.pieslice((s * 0.4, s * 0.4, s * 1.6, s * 1.6), 180, 270, fill=colour)


def _small(image: Image.Image, size: tuple[int, int], colours: list[str]) -> Image.Image:
    """``image`` reduced to ``size`` and to the colours it was drawn with, plus halfway blends of each pair
    and the quarter blends of each pair with the first (smooth edges, exact flat colours, small files)."""
    shades = list(colours)
    for i, one in enumerate(colours):
        for two in colours[i + 1 :]:
            shades.append(_blend(one, two, 0.5))
        if i:
            shades += [_blend(colours[0], one, 0.25), _blend(colours[0], one, 0.75)]
    palette = Image.new("P", (1, 1))
    flat = [channel for shade in shades for channel in bytes.fromhex(shade[1:])]
    palette.putpalette(flat + flat[:3] * (256 - len(shades)))
    return image.resize(size, Image.Resampling.LANCZOS).quantize(palette=palette, dither=Image.Dither.NONE)


def logo(slug: str, name: str) -> Image.Image:
    """The 128×128 logo of a demo profile."""
    rng = _rng(slug)
    deep, light = rng.choice(PAIRS)
    size = 128 * SCALE
    image = Image.new("RGB", (size, size), deep)
    draw = ImageDraw.Draw(image)
    shape = _blend(deep, light, 0.25)
    _mark(draw, rng.randrange(4), size, shape)
    font = ImageFont.load_default(size=46 * SCALE)
    draw.text((size / 2, size / 2), _initials(name), font=font, fill=light, anchor="mm")
    return _small(image, (128, 128), [deep, shape, light])


def _blend(a: str, b: str, share: float) -> str:
    one = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    two = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(one, two, strict=True))


def header(slug: str) -> Image.Image:
    """The 960×320 header image of a demo profile: a street grid of chamfered blocks under a large shape."""
    rng = _rng(slug + "#header")
    deep, light = rng.choice(PAIRS)
    width, height = 960 * SCALE, 320 * SCALE
    image = Image.new("RGB", (width, height), light)
    draw = ImageDraw.Draw(image)
    block, street = rng.choice([(70, 16), (84, 18), (96, 20)])
    block, street = block * SCALE, street * SCALE
    offset = rng.randrange(block)
    tint = _blend(light, deep, 0.16)
    for row in range(-1, height // (block + street) + 2):
        for column in range(-1, width // (block + street) + 2):
            x, y = column * (block + street) - offset, row * (block + street) - offset // 2
            draw.polygon(_octagon(x, y, block, block * 0.22), fill=tint)
    # An avenue across the grid, as the Diagonal crosses the Eixample, and the sun above it.
    rise, band = rng.uniform(0.35, 0.6) * height, rng.choice([26, 34, 42]) * SCALE
    start = rng.uniform(0.72, 0.95) * height
    radius = rng.uniform(0.13, 0.2) * height
    x = rng.uniform(0.55, 0.85) * width
    y = max(radius * 1.15, start - rise * x / width - radius - rng.uniform(0.08, 0.2) * height)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=SUN)
    draw.polygon([(0, start), (width, start - rise), (width, start - rise + band), (0, start + band)], fill=deep)
    draw.rectangle((0, height - 14 * SCALE, width, height), fill=deep)  # the sea
    return _small(image, (960, 320), [light, tint, deep, SUN])


def main() -> None:
    """Write every demo profile's logo and header image."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    output: Path = parser.parse_args().output
    output.mkdir(parents=True, exist_ok=True)
    total = 0
    for file in ("organisations.yaml", "projects.yaml"):
        for profile in yaml.safe_load((DEMO / file).read_text(encoding="utf-8")):
            slug, names = profile["slug"], profile["nameMap"]
            name = names.get("ca") or next(iter(names.values()))
            for suffix, image in (("logo", logo(slug, name)), ("header", header(slug))):
                path = output / f"{slug}-{suffix}.png"
                image.save(path, optimize=True)
                total += path.stat().st_size
    print(f"wrote the demo images to {output}: {total // 1024} KiB in all")


if __name__ == "__main__":
    main()
