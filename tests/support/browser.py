"""Headless Chromium for page tests, driven by Playwright (the Debian package's browser, not a download)."""

import os
import shutil
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "chromium_path"]

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


def chromium_path() -> str:
    """The Chromium to drive: ``$DSI4BCN_CHROMIUM``, else ``chromium`` on the PATH (scripts/test.sh installs it)."""
    configured = os.environ.get("DSI4BCN_CHROMIUM")
    found = configured if configured and Path(configured).exists() else shutil.which("chromium")
    if found is None:
        raise RuntimeError("Chromium is not installed: run scripts/test.sh, which installs Debian's chromium")
    return found
