"""Selectors of the UI contract and the few actions every browser test repeats."""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily so the bench can report a missing Playwright instead of crashing
    from playwright.sync_api import Locator, Page

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"

# Debian's Chromium, never a downloaded browser; without the background-networking flags it keeps trying
# to reach Google's hosts, which this closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

APP = '[data-testid="app"]'
INPUT = 'textarea[data-testid="chat-input"]'
MESSAGE = '[data-testid="message"]'
USER = '[data-testid="message"][data-role="user"]'
ASSISTANT = '[data-testid="message"][data-role="assistant"]'
CONTENT = '[data-testid="message-content"]'


def open_app(page: Page, url: str) -> None:
    """Load the app and wait until its first run is done."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")


def send(page: Page, text: str) -> None:
    """Type ``text`` into the chat input and press Enter."""
    from playwright.sync_api import expect

    box = page.locator(INPUT)
    expect(box).to_be_enabled()
    box.fill(text)
    box.press("Enter")
    try:  # sent: the box empties at once
        expect(box).not_to_have_value(text, timeout=2000)
    except AssertionError:  # a run (e.g. a widget's change) began between the fill and the key: send again
        expect(box).to_be_enabled()
        box.press("Enter")


def contents(locator: Locator) -> list[str]:
    """The visible text of each message the locator matches."""
    return [t.strip() for t in locator.locator(CONTENT).all_inner_texts()]
