"""Screenshots of the main pages at 1280 and 360 px, for the README: ``python scripts/screenshots.py``.

Starts a node with the demo data on a free 127.0.0.1 port (and publishes one post, so that a post page
exists), opens each page of ``PAGES`` in headless Chromium (Debian's, as the browser tests use) and writes
``docs/screenshots/<name>-<width>.jpg``. Pages taller than ``MAX_HEIGHT`` are cut there, to keep the files
small. To show another page, add a line to ``PAGES``: ``{base}`` is the node's URL, ``{note}`` the post's id.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.support.browser import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.support.http import api  # noqa: E402
from tests.support.nodes import Node, start_node  # noqa: E402

# (file name, path on the node); the language is part of the path so that every shot is in Catalan.
PAGES = [
    ("home", "/?lang=ca"),
    ("directory", "/directory?lang=ca"),
    ("directory-search", "/directory?lang=ca&q=impressi%C3%B3+3D"),
    ("directory-filtered", "/directory?lang=ca&district=10&offers=training"),
    ("organisation", "/@lab-ciutat-tecnologia?lang=ca"),
    ("project", "/@aire-net-a-escola?lang=ca"),
    ("partners", "/partners?project={base}/projects/aire-net-a-escola&lang=ca"),
    ("sparql", "/sparql?lang=ca"),
    ("vocabulary", "/ns?lang=ca"),
    ("post", "{note}?lang=ca"),
    ("error-404", "/no-such-page?lang=ca"),
    ("stats", "/stats?lang=ca"),
    ("concepts", "/concepts?lang=ca"),
    ("concept-skill", "/concepts/skill/training?lang=ca"),
]
WIDTHS = {1280: 800, 360: 740}  # width: viewport height
MAX_HEIGHT = 1600
POST = "Dissabte obrim el taller: mesurarem la qualitat de l'aire del pati amb els sensors que hem muntat."


def publish_post(node: Node) -> str:
    """Publish one update post as the demo school-air project; its id."""
    answer = api(node.base_url, node.token, "POST", "/api/projects/aire-net-a-escola/notes", {"content": POST})
    if answer.status != 201:
        raise RuntimeError(f"the demo post was refused: {answer.status} {answer.body[:300]!r}")
    return str(answer.json()["object"]["id"])


def shoot(node: Node, out: Path, pages: list[tuple[str, str]], kind: str = "jpeg") -> list[Path]:
    """Write the screenshots of ``pages`` into ``out`` (JPEG, or PNG when ``kind`` is "png"); the files written."""
    note = publish_post(node)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        for width, height in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale="ca-ES")
            page = context.new_page()
            for name, path in pages:
                url = path.format(base=node.base_url, note=note)
                page.goto(url if url.startswith("http") else node.base_url + url)
                full = int(page.evaluate("document.documentElement.scrollHeight"))
                clip = {"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)}
                if kind == "png":
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), type="png", full_page=True, clip=clip)
                else:
                    target = out / f"{name}-{width}.jpg"
                    page.screenshot(path=str(target), type="jpeg", quality=60, full_page=True, clip=clip)
                written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    """Start a demo node, take the screenshots, stop the node."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to write them")
    parser.add_argument("--only", nargs="*", help="names of the pages to take (default: all)")
    parser.add_argument("--png", action="store_true", help="PNG files instead of JPEG (larger; for looking closely)")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    pages = [item for item in PAGES if not options.only or item[0] in options.only]
    with tempfile.TemporaryDirectory() as folder:
        node = start_node(Path(folder) / "node", demo=True)
        try:
            for path in shoot(node, options.out, pages, "png" if options.png else "jpeg"):
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size} bytes")
        finally:
            node.stop()


if __name__ == "__main__":
    main()
