"""Headless Chromium for page tests, driven by Playwright (the Debian package's browser, not a download)."""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

__all__ = [
    "AXE_SCRIPT",
    "CHROMIUM_ARGS",
    "SharedTab",
    "axe_violations",
    "check_page",
    "chromium_path",
    "sideways_overflow",
]

# axe-core from npm (tests/peers/axe, pinned in its package-lock.json; scripts/test.sh runs npm ci there).
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "peers" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# Without the background-networking switches Chromium tries Google's hosts at every start; the test
# machine's network is closed, and the tests must only ever talk to 127.0.0.1.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


@dataclass
class SharedTab:
    """A tab that several tests use in turn: the hosts it sent requests to and its script errors since the
    current test began."""

    page: Page
    hosts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def chromium_path() -> str:
    """The Chromium to drive: ``$DSI4BCN_CHROMIUM``, else ``chromium`` on the PATH (scripts/test.sh installs it)."""
    configured = os.environ.get("DSI4BCN_CHROMIUM")
    found = configured if configured and Path(configured).exists() else shutil.which("chromium")
    if found is None:
        raise RuntimeError("Chromium is not installed: run scripts/test.sh, which installs Debian's chromium")
    return found


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """The accessibility violations axe-core finds in the page as it is now, of the given impacts: each with
    the rule's id, impact, help text and the selectors of (at most five of) the elements at fault."""
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"axe-core is missing ({AXE_SCRIPT}): run npm ci --prefix tests/peers/axe")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [violation for violation in found if violation["impact"] in impacts]


def sideways_overflow(page: Page) -> dict[str, Any] | None:
    """None if the page does not scroll sideways (``scrollWidth <= innerWidth``); else both widths and the
    elements that stick out furthest past the right edge, to say what to fix."""
    found: dict[str, Any] | None = page.evaluate(
        """() => {
            const width = window.innerWidth, scroll = document.documentElement.scrollWidth;
            if (scroll <= width) { return null; }
            const wide = [...document.body.querySelectorAll("*")]
                .map((e) => [e, e.getBoundingClientRect().right])
                .filter(([, right]) => right > width + 0.5)
                .sort((a, b) => b[1] - a[1]).slice(0, 5)
                .map(([e, right]) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ${Math.round(right)}px`);
            return {scrollWidth: scroll, innerWidth: width, widest: wide};
        }"""
    )
    return found


def check_page(page: Page, name: str, widths: tuple[int, ...] = (1280, 360)) -> None:
    """At each of ``widths``: no sideways scrolling and no serious or critical axe-core violation; with
    ``DSI4BCN_SHOTS`` set to a folder, a full-page screenshot ``NAME-WIDTH.png`` there to look at. The
    viewport is left at the first width."""
    shots = os.environ.get("DSI4BCN_SHOTS")
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        assert sideways_overflow(page) is None, (name, width, sideways_overflow(page))
        assert axe_violations(page) == [], (name, width, axe_violations(page))
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": widths[0], "height": 900})
