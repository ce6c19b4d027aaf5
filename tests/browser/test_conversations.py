"""Stored conversations in Chromium: the URL, reload and a server restart, the side panel's list, and a
second browser that cannot open the first one's conversation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.ui import APP, ASSISTANT, CONTENT, EXAMPLES, USER, contents, open_app, send

LIST = '[data-testid="conversations"]'
ITEM = '[data-testid="conversation"]'


def test_a_conversation_survives_reload_and_restart(
    page: Page, serve: Callable[..., Any], tmp_path: Any
) -> None:
    url = f"sqlite:///{tmp_path}/chats.db"
    served = serve(str(EXAMPLES / "conversations.py"), store=url)
    open_app(page, served.url)
    send(page, "remember the milk")
    expect(page.locator(ASSISTANT)).to_contain_text("remember the milk")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    address = page.url
    stored_id = page.locator(USER).get_attribute("data-id")
    assert stored_id and address.endswith(
        page.locator(f"{ITEM}[aria-current=page]").get_attribute("data-id") or ""
    )
    page.reload()
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["remember the milk"]
    served.close()
    again = serve(str(EXAMPLES / "conversations.py"), store=url)  # a restart: a new process, the same store
    page.goto(address.replace(served.url, again.url))
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["remember the milk"]
    expect(page.locator(ASSISTANT)).to_contain_text("remember the milk")
    assert page.locator(USER).get_attribute("data-id") == stored_id


def test_the_list_makes_switches_renames_deletes_and_finds_conversations(
    page: Page, serve: Callable[..., Any]
) -> None:
    served = serve(str(EXAMPLES / "conversations.py"))
    open_app(page, served.url)
    send(page, "about cats")
    expect(page.locator(ITEM)).to_have_count(1)
    page.locator('[data-testid="new-conversation"]').click()
    expect(page.locator(USER)).to_have_count(0)
    send(page, "about dogs")
    expect(page.locator(ITEM)).to_have_count(2)
    expect(page.locator(f"{ITEM}[aria-current=page]")).to_contain_text("about dogs")
    page.locator(ITEM).filter(has_text="about cats").click()
    expect(page.locator(USER)).to_have_text(["about cats"])
    cats = page.locator(ITEM).filter(has_text="about cats")
    cats.hover()
    cats.locator('[data-testid="conversation-rename"]').click()
    field = page.locator(f"{LIST} input").last
    field.fill("Felines")
    field.press("Enter")
    expect(page.locator(ITEM).filter(has_text="Felines")).to_have_count(1)
    page.locator('[data-testid="conversation-search"]').fill("dogs")
    expect(page.locator(ITEM)).to_have_count(1)
    page.locator('[data-testid="conversation-search"]').fill("")
    expect(page.locator(ITEM)).to_have_count(2)
    felines = page.locator(ITEM).filter(has_text="Felines")
    felines.hover()
    felines.locator('[data-testid="conversation-delete"]').click()
    expect(page.locator(ITEM)).to_have_count(1)
    page.locator('[data-testid="undo-delete"]').click()
    expect(page.locator(ITEM)).to_have_count(2)


def test_another_browser_gets_a_404_for_a_conversation_it_does_not_own(
    page: Page, browser: Any, serve: Callable[..., Any]
) -> None:
    served = serve(str(EXAMPLES / "conversations.py"))
    open_app(page, served.url)
    send(page, "private")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    stranger = browser.new_context()
    try:
        response = stranger.new_page().goto(page.url)
        assert response is not None and response.status == 404
    finally:
        stranger.close()


def test_a_second_tab_follows_the_conversation(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "conversations.py"))
    open_app(page, served.url)
    send(page, "first")
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    other = page.context.new_page()  # the same browser: the same user
    open_app(other, page.url)
    expect(other.locator(USER)).to_have_text(["first"])
    send(page, "second")
    expect(other.locator(USER)).to_have_text(["first", "second"])  # without touching the second tab
    expect(other.locator(ASSISTANT).last).to_contain_text("second")
    other.close()


BRANCH_APP = """
    import itertools

    import reactchat as rc

    count = rc.session_state.setdefault("count", itertools.count(1))
    rc.chat_interface(lambda message, history: f"take {next(count)} on {message}", retry=True)
"""


def test_retry_keeps_every_version_and_the_pager_choice_survives_a_reload(
    page: Page, serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: Any
) -> None:
    served = serve(write_app(BRANCH_APP), store=f"sqlite:///{tmp_path}/chats.db")
    open_app(page, served.url)
    send(page, "hi")
    answer = page.locator(ASSISTANT).first
    expect(answer.locator(CONTENT)).to_have_text("take 1 on hi")
    for take in (2, 3):
        answer.hover()
        answer.get_by_test_id("retry").click()
        expect(answer.locator(CONTENT)).to_have_text(f"take {take} on hi")
    expect(answer.get_by_test_id("branch-position")).to_have_text("3/3")
    expect(answer.get_by_test_id("branch-next")).to_be_disabled()
    send(page, "more")  # a turn on the third version
    expect(page.locator(ASSISTANT).nth(1).locator(CONTENT)).to_have_text("take 4 on more")
    for position in ("2/3", "1/3"):
        answer.hover()
        answer.get_by_test_id("branch-prev").click()
        expect(answer.get_by_test_id("branch-position")).to_have_text(position)
    expect(page.locator(ASSISTANT)).to_have_count(1)  # the first version had no later turn
    assert contents(page.locator(ASSISTANT)) == ["take 1 on hi"]
    page.reload()
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(page.locator(ASSISTANT).get_by_test_id("branch-position")).to_have_text("1/3")
    assert contents(page.locator(ASSISTANT)) == ["take 1 on hi"]
    for position in (
        "2/3",
        "3/3",
    ):  # each click once the last one's run is over (a click meanwhile is refused)
        answer.hover()
        answer.get_by_test_id("branch-next").click()
        expect(answer.get_by_test_id("branch-position")).to_have_text(position)
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(page.locator(ASSISTANT)).to_have_count(2)  # the third version's own later turn is back
    assert contents(page.locator(USER)) == ["hi", "more"]


# A text field alone in its form (buttons aside).
OWN_FORM = """el => {
    const f = el.closest("form");
    return !!f && [...f.elements].filter((e) => e.matches("input, textarea")).length === 1;
}"""


def test_text_fields_sit_in_forms_of_their_own_that_never_submit(
    page: Page, serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: Any
) -> None:
    """The composer's box, a message's edit box, the chat search, a conversation's new title and a sidebar
    text widget each sit in a form of their own: Chrome's form handling (autofill) then looks at that form
    on each keystroke rather than at every control of the page (10 ms of main thread a key at 10,000
    messages, 2.5 at none; benchmark section 5). Submitting one (Enter in the search, a submit of the
    composer's form) leaves the page where it is."""
    app = BRANCH_APP.replace("retry=True", "retry=True, editable=True") + (
        '\n    with rc.sidebar:\n        rc.text_input("Name", "Ada")\n'
    )
    served = serve(write_app(app), store=f"sqlite:///{tmp_path}/chats.db")
    open_app(page, served.url)
    send(page, "one")
    expect(page.locator(ASSISTANT)).to_have_count(1)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    item = page.locator(ITEM).first
    item.hover()
    item.locator('[data-testid="conversation-rename"]').click()
    assert page.locator(f"{LIST} input.rc-conv-rename").evaluate(OWN_FORM), "the rename field is in one"
    page.locator(f"{LIST} input.rc-conv-rename").press("Escape")
    first = page.locator(USER).first
    first.hover()
    first.get_by_test_id("edit").click()
    fields = {
        "composer": 'textarea[data-testid="chat-input"]',
        "edit box": '[aria-label="Edit message"]',
        "search": '[data-testid="conversation-search"]',
        "sidebar's text input": 'input.rc-field[type="text"]',
    }
    for name, selector in fields.items():
        assert page.locator(selector).evaluate(OWN_FORM), f"the {name} is in a form of its own"
    page.evaluate("window.__stayed = true")
    page.locator(fields["search"]).press("Enter")
    page.locator(fields["composer"]).evaluate("el => el.closest('form').requestSubmit()")
    page.locator(fields["edit box"]).evaluate("el => el.closest('form').requestSubmit()")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert page.evaluate("window.__stayed === true"), "a submit left the page"


def test_editing_an_early_question_keeps_the_later_turns_on_their_branch(
    page: Page, serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: Any
) -> None:
    app = BRANCH_APP.replace("retry=True", "retry=True, editable=True")
    served = serve(write_app(app), store=f"sqlite:///{tmp_path}/chats.db")
    open_app(page, served.url)
    for prompt in ("one", "two"):
        send(page, prompt)
        expect(page.locator(ASSISTANT)).to_have_count(["one", "two"].index(prompt) + 1)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    first = page.locator(USER).first
    first.hover()
    first.get_by_test_id("edit").click()
    first.get_by_label("Edit message").fill("uno")
    first.get_by_test_id("save-edit-answer").click()
    expect(page.locator(ASSISTANT)).to_have_count(1)
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("take 3 on uno")
    expect(first.get_by_test_id("branch-position")).to_have_text("2/2")
    first.hover()
    first.get_by_test_id("branch-prev").click()  # the old question, with both of its later turns
    expect(page.locator(ASSISTANT)).to_have_count(2)
    assert contents(page.locator(USER)) == ["one", "two"]
    second = page.locator(USER).nth(1)
    second.hover()
    second.get_by_test_id("edit").click()
    second.get_by_label("Edit message").fill("dos, kept without an answer")
    second.get_by_test_id("save-edit").click()
    expect(page.locator(USER)).to_have_count(2)
    expect(page.locator(USER).nth(1).locator(CONTENT)).to_have_text("dos, kept without an answer")
    expect(page.locator(ASSISTANT)).to_have_count(1)  # no answer to it
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")


def test_undo_removes_the_last_turn_and_offers_it_back(
    page: Page, serve: Callable[..., Any], write_app: Callable[[str], str], tmp_path: Any
) -> None:
    store = f"sqlite:///{tmp_path}/chats.db"
    served = serve(write_app(BRANCH_APP), store=store)
    open_app(page, served.url)
    for n, prompt in enumerate(("one", "two"), 1):
        send(page, prompt)
        expect(page.locator(ASSISTANT)).to_have_count(n)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    last = page.locator(ASSISTANT).last
    last.hover()
    last.get_by_test_id("undo").click()
    expect(page.locator(ASSISTANT)).to_have_count(1)
    expect(page.locator('textarea[data-testid="chat-input"]')).to_have_value("two")
    expect(page.get_by_test_id("removed")).to_contain_text("Removed 2 messages")
    page.get_by_test_id("undo-remove").click()
    expect(page.locator(ASSISTANT)).to_have_count(2)
    assert contents(page.locator(USER)) == ["one", "two"]
    page.reload()  # put back in the store
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["one", "two"]
