"""A chat function with concurrency_limit=1 shared by two tabs: the second waits in line, sees its place,
can queue more, and leaves the line with Stop."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from reactchat.chatbot import ChatFunction
from tests.browser.ui import APP, ASSISTANT, CONTENT, INPUT, open_app, send
from tests.serving import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.timeout(60)]

PLACE = '[data-testid="queue-position"]'

GATED = """
    import os, time
    import reactchat as rc
    FOLDER = {folder!r}
    def bot(message, history):
        open(os.path.join(FOLDER, "started-" + message), "w").close()
        while not os.path.exists(os.path.join(FOLDER, "open-" + message)):
            time.sleep(0.01)
        return "done " + message
    rc.chat_interface(bot, concurrency_limit=1)
"""


def test_a_second_tab_waits_in_line_sees_its_place_and_stop_leaves_the_line(
    page: Page, browser: Any, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    served = serve(write_app(GATED.format(folder=str(tmp_path))))
    other = browser.new_context().new_page()
    try:
        open_app(page, served.url)
        open_app(other, served.url)
        send(page, "one")
        wait_for((tmp_path / "started-one").exists, 5)
        send(other, "two")
        expect(other.locator(PLACE)).to_have_text("Waiting for a free slot: you are next")
        box = other.locator(INPUT)
        expect(box).to_be_enabled()  # usable while waiting: a further message queues behind
        box.fill("three")
        box.press("Enter")
        expect(box).to_have_value("")
        assert not (tmp_path / "started-two").exists()

        (tmp_path / "open-one").touch()
        expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("done one")
        expect(other.locator(PLACE)).to_have_count(0)  # its turn came
        (tmp_path / "open-two").touch()
        (tmp_path / "open-three").touch()
        expect(other.locator(ASSISTANT).locator(CONTENT)).to_have_text(["done two", "done three"])

        send(page, "four")
        wait_for((tmp_path / "started-four").exists, 5)
        send(other, "five")
        expect(other.locator(PLACE)).to_be_visible()
        other.locator('[data-testid="stop"]').click()
        expect(other.locator(PLACE)).to_have_count(0)
        expect(other.locator(APP)).to_have_attribute("data-run-state", "idle")
        interface = served.app.script.registry.get(ChatFunction)
        assert interface is not None and interface.line is not None and interface.line.waiting == 0
        (tmp_path / "open-four").touch()
        expect(page.locator(ASSISTANT).nth(1).locator(CONTENT)).to_have_text("done four")
        assert not (tmp_path / "started-five").exists()  # it left the line: never called
    finally:
        other.context.close()
