"""Failover in Chromium: three workers on one PostgreSQL store behind a real nginx (with cookie affinity, and
in plain round-robin). The worker streaming an answer is killed with -9 mid-answer and a prompt is sent while
it is down: the page reconnects through nginx to another worker and shows the same conversation, its branch,
its like and its sidebar value, the interrupted answer as far as it was shown, and the new prompt once,
answered."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from reactchat.nginx_config import nginx_config
from tests.browser.ui import APP, ASSISTANT, CONTENT, USER, contents, open_app, send
from tests.nginx import Nginx, Worker, free_ports

APP_SOURCE = """
import time
import reactchat as rc
rc.chat(retry=True, feedback=True)
conv = rc.conversation()
with rc.sidebar:
    model = rc.selectbox("Model", ["small", "large"], key="model")
for m in conv.history:
    rc.message(m)
if prompt := rc.chat_input():
    def tokens():
        for i in range(300):
            time.sleep(0.03)
            yield f"t{i} "
    with conv.reply():
        if prompt == "long":
            rc.write_stream(tokens())
        else:
            rc.markdown(f"Answer to {prompt} ({model})")
"""

WAIT_MS = 30_000  # a dead worker's lease runs out in 5 s; a reconnect, a rerun and a page load come on top


@pytest.fixture
def workers(tmp_path: pathlib.Path, postgres_url: str) -> Iterator[list[Worker]]:
    script = tmp_path / "failover.py"
    script.write_text(APP_SOURCE)
    first = free_ports(3)
    started = [Worker(str(script), p, postgres_url, tmp_path, "--trusted-proxy", "127.0.0.1")
               for p in range(first, first + 3)]  # fmt: skip
    try:
        yield [worker.wait() for worker in started]
    finally:
        for worker in started:
            worker.stop()


@pytest.mark.parametrize("round_robin", [False, True], ids=["cookie-hash", "round-robin"])
def test_a_killed_worker_loses_nothing_the_page_showed(
    page: Page, tmp_path: pathlib.Path, workers: list[Worker], round_robin: bool
) -> None:
    listen = free_ports(1)
    config = nginx_config(3, workers[0].port, listen=f"127.0.0.1:{listen}", round_robin=round_robin)
    nginx = Nginx(config, listen, tmp_path).start()
    try:
        page.set_viewport_size({"width": 1200, "height": 800})  # wide: the sidebar shows
        open_app(page, nginx.url)
        send(page, "hello")
        expect(page.locator(ASSISTANT)).to_contain_text("Answer to hello (small)")
        expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
        answer = page.locator(ASSISTANT).nth(0)
        answer.hover()
        answer.get_by_test_id("retry").click()
        expect(answer.get_by_test_id("branch-position")).to_have_text("2/2")
        answer.hover()
        like = answer.locator('[data-testid="feedback"][data-value="Like"]')
        like.click()
        expect(like).to_have_attribute("aria-pressed", "true")
        model = page.get_by_test_id("sidebar").get_by_label("Model")
        model.select_option(label="large")
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")

        send(page, "long")
        streaming = page.locator(ASSISTANT).nth(1).locator(CONTENT)
        expect(streaming).to_contain_text("t100 ", timeout=WAIT_MS)
        running = max(workers, key=lambda w: w.sessions())  # the one holding this tab's session
        running.kill()
        shown = streaming.inner_text().strip()
        send(page, "after")  # the worker is down: the page sends it once it has reconnected

        expect(page.locator(USER)).to_have_count(3, timeout=WAIT_MS)
        expect(page.locator(ASSISTANT).last).to_contain_text("Answer to after (large)", timeout=WAIT_MS)
        assert contents(page.locator(USER)) == ["hello", "long", "after"]  # the new prompt exactly once
        expect(page.locator(ASSISTANT).nth(1)).to_have_attribute(
            "data-status", "interrupted", timeout=WAIT_MS
        )
        assert contents(page.locator(ASSISTANT))[1].startswith(shown)  # nothing that was shown is lost
        first = page.locator(ASSISTANT).nth(0)
        expect(first.get_by_test_id("branch-position")).to_have_text("2/2")
        expect(first.locator('[data-testid="feedback"][data-value="Like"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.get_by_test_id("sidebar").get_by_label("Model").locator("option:checked")).to_have_text(
            "large"
        )
        expect(page.locator('[data-testid="error"]')).to_have_count(0)
    finally:
        nginx.stop()


def test_clicks_made_while_the_worker_is_down_are_applied_once_by_another(
    page: Page, tmp_path: pathlib.Path, workers: list[Worker]
) -> None:
    listen = free_ports(1)
    nginx = Nginx(nginx_config(3, workers[0].port, listen=f"127.0.0.1:{listen}"), listen, tmp_path).start()
    try:
        page.set_viewport_size({"width": 1200, "height": 800})
        open_app(page, nginx.url)
        send(page, "hello")
        expect(page.locator(ASSISTANT)).to_contain_text("Answer to hello (small)")
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
        max(workers, key=lambda w: w.sessions()).kill()
        # Nothing confirms these: the page keeps them, and takes them to the new session's tree by the
        # stored message and the widget they name, in order.
        answer = page.locator(ASSISTANT).nth(0)
        answer.hover()
        answer.locator('[data-testid="feedback"][data-value="Like"]').click()
        page.get_by_test_id("sidebar").get_by_label("Model").select_option(label="large")
        answer.hover()
        answer.get_by_test_id("retry").click()

        expect(answer.get_by_test_id("branch-position")).to_have_text("2/2", timeout=WAIT_MS)
        expect(answer).to_contain_text("Answer to hello (large)", timeout=WAIT_MS)
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle", timeout=WAIT_MS)
        answer.hover()
        answer.get_by_test_id("branch-prev").click()
        expect(answer).to_contain_text("Answer to hello (small)")
        expect(answer.locator('[data-testid="feedback"][data-value="Like"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(answer.get_by_test_id("branch-position")).to_have_text("1/2")  # retried once, not twice
        assert contents(page.locator(USER)) == ["hello"]
        expect(page.locator('[data-testid="error"]')).to_have_count(0)
    finally:
        nginx.stop()
