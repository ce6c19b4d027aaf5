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


def send(page: Page, text: str, attempts: int = 3) -> None:
    """Type ``text`` into the chat input and press Enter, again until the page takes it (the box empties).

    A run that begins meanwhile (a widget's rerun, which a wait for idle may come before) keeps the text in
    the box until it ends: Enter is pressed again then. And a box disabled as fill types (an app's own
    disabling, or a page of old) takes nothing, which the driver does after its check that the box is enabled,
    in a step of its own: an empty box after Enter proves nothing unless the text was in it.
    """
    from playwright.sync_api import expect

    box = page.locator(INPUT)
    for _ in range(attempts):
        expect(box).to_be_enabled()
        box.fill(text)
        if box.input_value() != text:  # the box was disabled as fill typed: the text went nowhere
            continue
        box.press("Enter")
        try:  # sent: the box empties at once
            expect(box).not_to_have_value(text, timeout=2000)
            return
        except AssertionError:  # a run began before Enter (it keeps the text until the run ends), or the box
            # was disabled as Enter was pressed: nothing was sent
            expect(page.locator(APP)).not_to_have_attribute("data-run-state", "running", timeout=30_000)
    raise AssertionError(f"the chat input never took {text!r} ({attempts} attempts)")


def contents(locator: Locator) -> list[str]:
    """The visible text of each message the locator matches."""
    return [t.strip() for t in locator.locator(CONTENT).all_inner_texts()]
