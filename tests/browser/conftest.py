"""One headless Chromium per test module; a fresh page (own context, own storage) per test, or one tab that a
module's read-only page checks share."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import CHROMIUM_ARGS, SharedTab, chromium_path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, headless, for one test module (so that Playwright's event loop is gone before asyncio
    tests elsewhere run); the suite fails, never skips, if Chromium is missing."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context; console errors and failed page scripts fail the test."""
    context = browser.new_context(locale="ca-ES")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def shared_tab(browser: Browser) -> Iterator[SharedTab]:
    """One tab for a module's page checks. A new context per check costs more than most checks: its renderer
    compiles axe-core afresh (about 0.5 s a page on two cores), where a tab that stays on the node keeps it."""
    context = browser.new_context(locale="ca-ES")
    context.set_default_timeout(15_000)
    tab = SharedTab(context.new_page())
    tab.page.on("request", lambda request: tab.hosts.add(urlsplit(request.url).netloc))
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def reading_tab(shared_tab: SharedTab) -> Iterator[SharedTab]:
    """The module's shared tab, for a test that only reads pages: no cookies left from the one before, and a
    script error fails the test."""
    shared_tab.page.context.clear_cookies()
    shared_tab.hosts.clear()
    shared_tab.errors.clear()
    yield shared_tab
    assert not shared_tab.errors, shared_tab.errors
