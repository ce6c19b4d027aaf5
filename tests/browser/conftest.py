"""Playwright fixtures: Debian's Chromium (never a downloaded browser), launched once, a fresh page per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.ui import CHROMIUM, CHROMIUM_ARGS

EXPECT_TIMEOUT_MS = 5_000
ACTION_TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")


@dataclass
class PageLog:
    """What the page did that a test may want to assert on: uncaught errors and dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


# Package scope, not session: while Playwright's sync API is alive it keeps an asyncio loop marked as running
# on the main thread, so every later test that calls asyncio.run() would fail. One browser still serves all
# the browser tests, and it is gone before the rest of the suite runs.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
            "(`make chromium` or `apt-get install chromium` installs it; Playwright never downloads one)",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Any, page_log: PageLog) -> Iterator[Any]:
    """A page in a fresh context (its own sessionStorage); fails the test on any uncaught page error."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.on("pageerror", lambda exc: page_log.errors.append(str(exc)))

    def on_dialog(dialog: Any) -> None:
        page_log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        context.close()
    assert not page_log.errors, f"uncaught errors in the page: {page_log.errors}"
