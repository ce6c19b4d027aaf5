"""Forks and exports in Chromium: "Branch off" on a message opens a new conversation holding the path up to it,
and the conversation list's export downloads the whole tree as JSON (and the branch on screen as Markdown)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.ui import APP, ASSISTANT, EXAMPLES, MESSAGE, USER, contents, open_app, send

ITEM = '[data-testid="conversation"]'


def test_branch_off_opens_a_copy_of_the_path_and_export_downloads_the_tree(
    page: Page, serve: Callable[..., Any]
) -> None:
    served = serve(str(EXAMPLES / "conversations.py"))
    open_app(page, served.url)
    send(page, "first question")
    expect(page.locator(ASSISTANT)).to_contain_text("message 1 of")
    send(page, "second question")
    expect(page.locator(ASSISTANT).nth(1)).to_contain_text("message 3 of")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    original = page.url
    first_answer = page.locator(ASSISTANT).first
    first_answer.hover()
    first_answer.locator('[data-testid="branch-off"]').click()
    expect(page).not_to_have_url(original)
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    expect(page.locator(MESSAGE)).to_have_count(2)
    assert contents(page.locator(USER)) == ["first question"]
    expect(page.locator(ASSISTANT)).to_contain_text("message 1 of")
    copy = page.url.rsplit("/", 1)[1]
    expect(page.locator(ITEM)).to_have_count(2)
    expect(page.locator(f"{ITEM}[aria-current=page]")).to_have_attribute("data-id", copy)
    send(page, "only in the copy")  # the copy goes on by itself
    expect(page.locator(ASSISTANT).nth(1)).to_contain_text("message 3 of")

    page.goto(original)  # the original is as it was
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["first question", "second question"]
    item = page.locator(f"{ITEM}[aria-current=page]")
    item.hover()
    item.locator('[data-testid="export"]').click()
    with page.expect_download() as info:
        item.locator('[data-testid="export-json"]').click()
    download = info.value
    assert download.suggested_filename == "first-question.json"
    data = json.loads(open(download.path(), encoding="utf-8").read())
    [whole] = data["conversations"]
    assert whole["id"] == original.rsplit("/", 1)[1]
    messages = whole["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert [m["parent_id"] for m in messages] == [None, *(m["id"] for m in messages[:-1])]
    assert messages[2]["content"] == "second question" and "message 3 of" in messages[3]["content"]
    expect(item.locator('[data-testid="export-json"]')).to_be_hidden()  # the menu closes after a download
    item.hover()
    item.locator('[data-testid="export"]').click()
    with page.expect_download() as info:
        item.locator('[data-testid="export-markdown"]').click()
    text = open(info.value.path(), encoding="utf-8").read()
    assert text.startswith("# first question\n\n## User\n\nfirst question\n\n## Assistant\n\nYou wrote")
    assert "second question" in text and "only in the copy" not in text
