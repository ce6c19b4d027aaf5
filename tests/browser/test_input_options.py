"""The composer's character limit and button labels, and media download buttons, in a real Chromium."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import INPUT, USER, contents, open_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(30)]

PNG = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "pixel.png"

APP = """
    import reactchat as rc
    rc.chat(submit_btn="Ask", stop_btn="Halt", allow_file_downloads={downloads})
    with rc.message("assistant"):
        rc.image({png!r}, alt="pixel")
    rc.session_state.setdefault("said", [])
    if (text := rc.chat_input(max_chars=10)) is not None:
        rc.session_state.said.append(text)
    for said in rc.session_state.said:
        rc.message("user", said)
"""


def test_the_input_counts_and_stops_at_max_chars_and_the_buttons_take_their_labels(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    served = serve(write_app(APP.format(downloads=True, png=str(PNG))))
    open_app(page, served.url)
    send = page.locator('[data-testid="send"]')
    expect(send).to_have_text("Ask")
    box = page.locator(INPUT)
    box.press_sequentially("hello world, this is long")
    expect(box).to_have_value("hello worl")  # stopped at 10
    expect(page.locator('[data-testid="char-count"]')).to_have_text("10 / 10")
    box.press("Enter")
    expect(page.locator(USER)).to_have_count(1)
    assert contents(page.locator(USER)) == ["hello worl"]
    expect(page.locator('[data-testid="char-count"]')).to_have_text("0 / 10")
    download = page.locator('[data-testid="download"]')
    expect(download).to_be_visible()
    with page.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == "pixel.png", got.value.suggested_filename


def test_no_download_buttons_when_the_chat_turns_them_off(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    served = serve(write_app(APP.format(downloads=False, png=str(PNG))))
    open_app(page, served.url)
    expect(page.locator("img[alt=pixel]")).to_be_visible()
    expect(page.locator('[data-testid="download"]')).to_be_hidden()
