"""The interaction features in a real Chromium: options and examples, feedback, message actions, copy-all,
file uploads, widgets and the composer, driven only through the stable test ids of the UI contract."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.ui import APP, ASSISTANT, CONTENT, EXAMPLES, INPUT, MESSAGE, USER, contents, open_app, send

pytestmark = [pytest.mark.browser, pytest.mark.timeout(30)]


TRANSCRIPT = '[data-testid="transcript"]'
LIKE = '[data-testid="feedback"][data-value="Like"]'
DISLIKE = '[data-testid="feedback"][data-value="Dislike"]'
CHIP = '[data-testid="file-chip"]'
UPLOAD = '[data-testid="upload"]'
TOAST = ".rc-toasts .rc-toast"


def expect_transcript(page: Page, *messages: tuple[str, str]) -> None:
    """The transcript is exactly these (role, text) messages, in order, and the run is over."""
    expect(page.locator(MESSAGE)).to_have_count(len(messages))
    for i, (role, text) in enumerate(messages):
        msg = page.locator(MESSAGE).nth(i)
        expect(msg).to_have_attribute("data-role", role)
        expect(msg.locator(CONTENT)).to_have_text(text)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")


def action(message: Locator, which: str | Locator) -> Locator:
    """A message action (a test id, or a locator inside the message); actions may only show while the
    message is hovered, so hover it first."""
    message.hover()
    button = message.get_by_test_id(which) if isinstance(which, str) else which
    expect(button).to_be_visible()
    expect(button).to_be_enabled()
    return button


def expect_pressed(like: Locator, dislike: Locator, which: str | None) -> None:
    expect(like).to_have_attribute("aria-pressed", "true" if which == "Like" else "false")
    expect(dislike).to_have_attribute("aria-pressed", "true" if which == "Dislike" else "false")


# --- options and examples -------------------------------------------------------------------------------------


def test_example_then_option_buttons(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "options.py"))
    open_app(page, served.url)
    examples = page.get_by_test_id("example")
    expect(examples).to_have_count(2)
    expect(examples.nth(0)).to_contain_text("What can you do?")

    # The example's display text is shown; its text is what gets submitted.
    examples.filter(has_text="🎨 Choose a colour").click()
    expect_transcript(page, ("user", "Pick a colour"), ("assistant", "Which one?"))
    expect(examples).to_have_count(0)

    options = page.locator(ASSISTANT).get_by_test_id("option")
    expect(options).to_have_text(["Red", "Green", "🔵 Blue"])
    options.filter(has_text="🔵 Blue").click()
    expect_transcript(
        page,
        ("user", "Pick a colour"),
        ("assistant", "Which one?"),
        ("user", "Blue"),
        ("assistant", "Blue it is!"),
    )
    expect(examples).to_have_count(0)


# --- feedback -----------------------------------------------------------------------------------------------


def test_like_dislike_and_clear_feedback(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "feedback.py"))
    open_app(page, served.url)
    send(page, "hello")
    expect_transcript(page, ("user", "hello"), ("assistant", "Sure! You said: hello"))
    answer = page.locator(ASSISTANT).first
    like, dislike = answer.locator(LIKE), answer.locator(DISLIKE)
    transcript = page.locator(TRANSCRIPT)
    expect(page.locator(USER).get_by_test_id("feedback")).to_have_count(0)  # not on user messages
    expect_pressed(like, dislike, None)

    action(answer, like).click()
    expect(transcript).to_contain_text("1 feedback click(s) so far; last: Like")
    expect_pressed(like, dislike, "Like")

    action(answer, dislike).click()
    expect(transcript).to_contain_text("2 feedback click(s) so far; last: Dislike")
    expect_pressed(like, dislike, "Dislike")

    # Clicking the chosen one again clears the choice.
    action(answer, dislike).click()
    expect(transcript).to_contain_text("3 feedback click(s) so far; last: cleared")
    expect_pressed(like, dislike, None)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")

    # The choice lives on the message across reruns, and the transcript was left alone.
    action(answer, like).click()
    expect(transcript).to_contain_text("4 feedback click(s) so far; last: Like")
    send(page, "again")
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect_pressed(like, dislike, "Like")
    later = page.locator(ASSISTANT).nth(1)
    expect_pressed(later.locator(LIKE), later.locator(DISLIKE), None)
    # Not just the page's memory: the session kept it, so a reload shows it again.
    page.reload()
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect_pressed(like, dislike, "Like")
    expect_pressed(later.locator(LIKE), later.locator(DISLIKE), None)
    assert contents(page.locator(MESSAGE)) == [
        "hello",
        "Sure! You said: hello",
        "again",
        "Sure! You said: again",
    ]


# --- retry, edit, undo, clear ---------------------------------------------------------------------------------


def test_retry_edit_undo_and_clear(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "feedback.py"))
    open_app(page, served.url)
    box = page.locator(INPUT)
    send(page, "first")
    expect_transcript(page, ("user", "first"), ("assistant", "Sure! You said: first"))

    action(page.locator(ASSISTANT), "retry").click()
    expect_transcript(page, ("user", "first"), ("assistant", "Certainly! You said: first"))

    send(page, "second")
    expect_transcript(
        page,
        ("user", "first"),
        ("assistant", "Certainly! You said: first"),
        ("user", "second"),
        ("assistant", "Sure! You said: second"),
    )
    # Retry and undo belong to the last answer only; edit to user messages only.
    expect(page.locator(ASSISTANT).nth(0).get_by_test_id("retry")).to_have_count(0)
    expect(page.locator(ASSISTANT).nth(0).get_by_test_id("undo")).to_have_count(0)
    expect(page.locator(ASSISTANT).get_by_test_id("edit")).to_have_count(0)

    # Edit the second question inline: Cancel leaves it be, Save replaces it and its answer.
    question = page.locator(USER).nth(1)
    action(question, "edit").click()
    editor = question.get_by_label("Edit message")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("second")
    editor.fill("never sent")
    question.get_by_role("button", name="Cancel").click()
    expect(editor).to_have_count(0)
    expect(question.locator(CONTENT)).to_have_text("second")

    # As in the composer, Shift+Enter is a newline and Enter saves.
    action(question, "edit").click()
    editor = question.get_by_label("Edit message")
    expect(editor).to_have_value("second")
    editor.fill("chan")
    editor.press("Shift+Enter")
    expect(editor).to_have_value("chan\n")
    editor.fill("changed")
    editor.press("Enter")
    expect_transcript(
        page,
        ("user", "first"),
        ("assistant", "Certainly! You said: first"),
        ("user", "changed"),
        ("assistant", "Sure! You said: changed"),
    )
    expect(page.get_by_label("Edit message")).to_have_count(0)

    # Undo the last turn: it goes, and its question is back in the composer.
    expect(box).to_have_value("")
    action(page.locator(ASSISTANT).nth(1), "undo").click()
    expect_transcript(page, ("user", "first"), ("assistant", "Certainly! You said: first"))
    expect(box).to_have_value("changed")
    expect(box).to_be_focused()

    # Clear asks first: one click arms it, the second empties the chat.
    clear = page.get_by_test_id("clear")
    expect(clear).to_be_visible()
    clear.click()
    expect(clear).to_have_attribute("aria-label", "Click again to clear the conversation")
    expect(clear).to_contain_text("Clear?")
    expect(page.locator(MESSAGE)).to_have_count(2)
    clear.click()
    expect(page.locator(MESSAGE)).to_have_count(0)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(clear).to_be_hidden()

    # And the chat still works afterwards.
    send(page, "fresh start")
    expect_transcript(page, ("user", "fresh start"), ("assistant", "Sure! You said: fresh start"))


def test_undo_puts_the_text_back_every_time(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "feedback.py"))
    open_app(page, served.url)
    box = page.locator(INPUT)
    for _ in range(2):
        send(page, "same words")
        expect_transcript(page, ("user", "same words"), ("assistant", "Sure! You said: same words"))
        expect(box).to_have_value("")
        action(page.locator(ASSISTANT), "undo").click()
        expect(page.locator(MESSAGE)).to_have_count(0)
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
        expect(box).to_have_value("same words", timeout=2_000)


# --- copy-all -------------------------------------------------------------------------------------------------


def test_copy_all_with_watermark(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "feedback.py"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    open_app(page, served.url)
    send(page, "copy me")
    expect_transcript(page, ("user", "copy me"), ("assistant", "Sure! You said: copy me"))

    copy_all = page.get_by_test_id("copy-all")
    expect(copy_all).to_be_visible()
    copy_all.click()
    expect(copy_all).to_contain_text("Copied")
    text = page.evaluate("navigator.clipboard.readText()")
    assert text == ("User: copy me\n\nAssistant: Sure! You said: copy me\n\nGenerated with reactchat"), text
    # copy_all is an event the script sees (a rerun) but it changes nothing.
    expect_transcript(page, ("user", "copy me"), ("assistant", "Sure! You said: copy me"))

    # The per-message copy copies that message's text alone.
    copy = action(page.locator(ASSISTANT), "copy")
    copy.click()
    expect(copy).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "Sure! You said: copy me"


# --- uploads --------------------------------------------------------------------------------------------------


def test_upload_chips_and_send(page: Page, serve: Callable[..., Any], tmp_path: pathlib.Path) -> None:
    from PIL import Image

    png = tmp_path / "dot.png"
    Image.new("RGB", (12, 8), (200, 30, 30)).save(png)
    txt = tmp_path / "notes.txt"
    txt.write_text("Plain notes for the bot.\n", encoding="utf-8")
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    store = f"sqlite:///{tmp_path}/chats.db"
    served = serve(str(EXAMPLES / "multimodal.py"), store=store)
    open_app(page, served.url)
    chips = page.locator(CHIP)
    send_button = page.get_by_test_id("send")

    page.set_input_files(UPLOAD, files=[str(png), str(txt)])
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_have_attribute("data-state", "done")
    expect(chips.nth(1)).to_have_attribute("data-state", "done")
    expect(chips.nth(0)).to_contain_text("dot.png")
    expect(chips.nth(1)).to_contain_text("notes.txt")
    expect(chips.nth(0).locator("img")).to_have_count(1)  # an image chip has a preview
    expect(send_button).to_be_enabled()

    # Remove the text file's chip, then attach it again.
    chips.filter(has_text="notes.txt").get_by_test_id("file-chip-remove").click()
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text("dot.png")
    page.set_input_files(UPLOAD, files=[str(txt)])
    expect(chips).to_have_count(2)
    expect(chips.nth(1)).to_contain_text("notes.txt")
    expect(chips.nth(1)).to_have_attribute("data-state", "done")

    # A file of a type the input does not take is refused in the browser: a notice, no chip.
    page.set_input_files(UPLOAD, files=[str(pdf)])
    expect(page.locator(TOAST).filter(has_text="paper.pdf")).to_contain_text("not an accepted file type")
    expect(chips).to_have_count(2)
    expect(chips.filter(has_text="paper.pdf")).to_have_count(0)

    page.locator(INPUT).fill("look at these")
    send_button.click()
    expect(chips).to_have_count(0)
    expect(page.locator(ASSISTANT)).to_have_count(1)
    reply = page.locator(ASSISTANT).locator(CONTENT)
    expect(reply).to_contain_text("You sent 1 image(s) and 1 text file(s).")
    # The script sees the saved path, which keeps the file's own name.
    expect(reply).to_contain_text("notes.txt starts with: 'Plain notes for the bot.\\n'")
    expect(reply).not_to_contain_text("paper.pdf")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")

    # Each file is a user message of its own, then the text; the files are kept with the conversation.
    questions = page.locator(USER)
    expect(questions).to_have_count(3)
    expect(questions.last.locator(CONTENT)).to_contain_text("look at these")
    expect(questions.nth(1)).to_contain_text("notes.txt")
    img = questions.locator("img")
    expect(img).to_have_count(1)
    img.evaluate("el => el.decode()")
    assert img.evaluate("el => [el.naturalWidth, el.naturalHeight]") == [12, 8]

    # A restart: the uploads folder is gone with the old process, the store still has the files.
    expect(page).to_have_url(re.compile(r"/c/[0-9A-Za-z]+$"))
    address = page.url
    served.close()
    again = serve(str(EXAMPLES / "multimodal.py"), store=store)
    page.goto(address.replace(served.url, again.url))
    img = page.locator(USER).locator("img")
    expect(img).to_have_count(1)
    assert (img.get_attribute("src") or "").startswith("/_rc/files/")
    img.evaluate("el => el.decode()")
    assert img.evaluate("el => [el.naturalWidth, el.naturalHeight]") == [12, 8]
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_contain_text(
        "You sent 1 image(s) and 1 text file(s)."
    )


# --- a click while a stream runs --------------------------------------------------------------------------------

WORDS = [f"word{i:02d}" for i in range(40)]
FULL = " ".join(WORDS)

STREAM_WITH_FEEDBACK = """
    import pathlib
    import time

    import reactchat as rc

    WORDS = {words!r}
    MARKER = {marker!r}
    CLICKED = {clicked!r}
    HOLD_AT = {hold_at!r}

    rc.chat(feedback=True)
    history = rc.session_state.setdefault(
        "history", [{{"role": "assistant", "content": "Hello! Ask me anything."}}]
    )
    votes = rc.session_state.setdefault("votes", [])
    event = rc.chat_event()
    if event is not None and event.kind == "feedback":
        votes.append((event.index, event.value))

    for msg in history:
        rc.message(msg)
    rc.markdown(f"votes: {{votes}}")


    def slow():
        how = "finished"
        try:
            for i, word in enumerate(WORDS):
                time.sleep(0.03)
                # Halfway, hold on until the test has clicked, so the click always lands mid-stream.
                deadline = time.monotonic() + 10
                while i == HOLD_AT and not pathlib.Path(CLICKED).exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
                yield word if i == 0 else " " + word
        except GeneratorExit:
            how = "closed"
            raise
        finally:
            pathlib.Path(MARKER).write_text(how)


    if prompt := rc.chat_input("Ask"):
        rc.message("user", prompt)
        with rc.message("assistant"):
            reply = rc.write_stream(slow())
        history += [{{"role": "user", "content": prompt}}, {{"role": "assistant", "content": reply}}]
"""


def test_feedback_click_does_not_cut_the_stream(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    marker, clicked, hold_at = tmp_path / "ended", tmp_path / "clicked", len(WORDS) // 2
    script = STREAM_WITH_FEEDBACK.format(
        words=WORDS, marker=str(marker), clicked=str(clicked), hold_at=hold_at
    )
    served = serve(write_app(script))
    open_app(page, served.url)
    greeting = page.locator(ASSISTANT).nth(0)
    expect(greeting.locator(CONTENT)).to_have_text("Hello! Ask me anything.")
    transcript = page.locator(TRANSCRIPT)
    expect(transcript).to_contain_text("votes: []")

    send(page, "talk slowly")
    app = page.locator(APP)
    streaming = page.locator(ASSISTANT).nth(1).locator(CONTENT)
    expect(app).to_have_attribute("data-run-state", "running")
    expect(streaming).to_contain_text(WORDS[1])
    like = greeting.locator(LIKE)
    action(greeting, like).click()
    # The click landed mid-stream (the stream cannot pass HOLD_AT before `clicked` exists): the choice shows
    # at once, while the feedback's own run waits for the streaming run to end.
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(app).to_have_attribute("data-run-state", "running")
    partial = streaming.inner_text().strip()
    assert FULL.startswith(partial) and len(partial.split()) <= hold_at, partial
    expect(transcript).to_contain_text("votes: []")
    clicked.write_text("")

    # The stream goes on growing after the click, to its very end; then the feedback gets its own run.
    expect(streaming).to_contain_text(WORDS[hold_at + 2])
    expect(streaming).to_have_text(FULL, timeout=10_000)
    expect(transcript).to_contain_text("votes: [(0, 'Like')]")
    expect(app).to_have_attribute("data-run-state", "idle")
    assert marker.read_text() == "finished"
    assert contents(page.locator(MESSAGE)) == ["Hello! Ask me anything.", "talk slowly", FULL]
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(greeting.locator(DISLIKE)).to_have_attribute("aria-pressed", "false")
    expect(page.locator(ASSISTANT).nth(1).locator(LIKE)).to_have_attribute("aria-pressed", "false")


# --- widgets --------------------------------------------------------------------------------------------------


def test_sidebar_widgets_feed_the_bot(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "settings.py"))
    page.set_viewport_size({"width": 1200, "height": 800})  # wide: the sidebar starts open
    open_app(page, served.url)
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).to_be_visible()
    for label, kind in [
        ("System prompt", "text_area"),
        ("Temperature", "slider"),
        ("Max words", "number_input"),
        ("Style", "selectbox"),
        ("Stream the answer", "toggle"),
    ]:
        expect(
            sidebar.locator(f'[data-testid="widget"][data-type="{kind}"]').get_by_label(label)
        ).to_be_visible()

    style = sidebar.get_by_label("Style")
    expect(style).to_have_value("0")
    style.select_option(label="shouting")
    max_words = sidebar.get_by_label("Max words")
    expect(max_words).to_have_value("20")
    max_words.fill("4")
    max_words.press("Enter")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")

    send(page, "hi")
    expect_transcript(page, ("user", "hi"), ("assistant", "[YOU ARE A HELPFUL"))
    # The widgets keep the values the user gave them.
    expect(style.locator("option:checked")).to_have_text("shouting")
    expect(max_words).to_have_value("4")

    sidebar.get_by_role("button", name="Clear chat").click()
    expect(page.locator(MESSAGE)).to_have_count(0)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")


# --- composer -------------------------------------------------------------------------------------------------


def test_url_prompt_prefill_and_prompt_history(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    page.goto(f"{served.url}/?prompt=hello")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    box = page.locator(INPUT)
    expect(box).to_have_value("hello")
    expect(page).not_to_have_url(re.compile(r"prompt="))

    box.press("Enter")
    expect_transcript(page, ("user", "hello"), ("assistant", "You said: hello"))
    send(page, "second prompt")
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(box).to_have_value("")
    expect(box).to_be_focused()

    box.press("ArrowUp")
    expect(box).to_have_value("second prompt")
    box.press("ArrowUp")
    expect(box).to_have_value("hello")
    box.press("ArrowUp")  # the oldest: stays
    expect(box).to_have_value("hello")
    box.press("ArrowDown")
    expect(box).to_have_value("second prompt")
    box.press("ArrowDown")  # past the newest: the (empty) draft again
    expect(box).to_have_value("")
