"""End-to-end chat behaviour in a real Chromium, through the stable test ids of the UI contract."""

from __future__ import annotations

import pathlib
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from reactchat.markdown import CACHE_SIZE
from reactchat.protocol import VERSION
from tests.browser.conftest import PageLog
from tests.browser.ui import APP, ASSISTANT, CONTENT, EXAMPLES, INPUT, USER, contents, open_app, send

pytestmark = [pytest.mark.browser, pytest.mark.timeout(30)]


OVERLAY = '.rc-overlay[data-testid="error"]'

# A stream script: every reply character costs DELAY seconds; the generator records how it ended
# ("closed" when write_stream closed it early, "finished" otherwise) in MARKER + the prompt, and the
# script keeps whatever write_stream returned in the history, as a real app would.
STREAM_APP = """
    import pathlib
    import time

    import reactchat as rc

    FULL = {full!r}
    DELAY = {delay!r}
    MARKER = {marker!r}

    rc.title("Stream")
    if "history" not in rc.session_state:
        rc.session_state.history = []
    for msg in rc.session_state.history:
        rc.message(msg)


    def slow(prompt):
        text, delay = (FULL, DELAY) if prompt.startswith("slow") else ("Quick answer to " + prompt, 0)
        how = "finished"
        try:
            for ch in text:
                if delay:
                    time.sleep(delay)
                yield ch
        except GeneratorExit:
            how = "closed"
            raise
        finally:
            pathlib.Path(MARKER + prompt).write_text(how)


    if prompt := rc.chat_input("Ask"):
        rc.message("user", prompt)
        rc.session_state.history.append({{"role": "user", "content": prompt}})
        with rc.message("assistant"):
            reply = rc.write_stream(slow(prompt))
        rc.session_state.history.append({{"role": "assistant", "content": reply}})
"""

# Plain words only: the rendered text of every prefix is the prefix itself (modulo trailing space).
FULL = (
    "Streaming answers arrive one piece at a time and the reader sees them grow "
    "until the generator is exhausted or somebody presses stop"
)


def stream_app(write_app: Callable[..., str], tmp_path: pathlib.Path, delay: float) -> str:
    return write_app(STREAM_APP.format(full=FULL, delay=delay, marker=str(tmp_path / "ended-")))


def wait_partial(page: Page, longer_than: int = 0) -> str:
    """Wait until the last assistant message shows a strict prefix of FULL longer than ``longer_than``
    characters while the run is still going; return that text."""
    handle = page.wait_for_function(
        """([full, n]) => {
            const app = document.querySelector('[data-testid="app"]');
            const msgs = document.querySelector('[data-testid=transcript]').shadowRoot.querySelectorAll(
                '[data-testid="message"][data-role="assistant"] [data-testid="message-content"]');
            if (!app || app.dataset.runState !== "running" || !msgs.length) return null;
            const text = msgs[msgs.length - 1].innerText.trim();
            return text.length > n && text.length < full.length && full.startsWith(text) ? text : null;
        }""",
        arg=[FULL, longer_than],
    )
    return str(handle.json_value())


def wait_for_file(path: pathlib.Path, timeout: float = 5.0) -> str:
    # The generator is closed on its own thread after the run returns, so poll for its marker: written, not
    # only created (write_text creates the file empty, then writes).
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path.name} was never written: the generator was not closed"
        time.sleep(0.02)
    return path.read_text()


def test_send_types_again_when_a_disabled_box_took_its_typing(page: Page, serve: Callable[..., Any]) -> None:
    """A box disabled as ``send`` fills it (between fill's check that it is enabled and its typing, two steps
    of the driver; a run did so before the box stayed editable while running) takes no text: ``send`` must
    type it again, not take the empty box for a prompt sent (a CI run of test_failover lost its "long" so)."""
    served = serve(str(EXAMPLES / "echo.py"))
    open_app(page, served.url)
    # What such a run does to the box, at the worst moment: disabled as fill focuses it, for a moment.
    page.locator(INPUT).evaluate(
        """box => {
            box.blur();
            box.addEventListener("focus", () => {
                box.disabled = true;
                setTimeout(() => { box.disabled = false; }, 300);
            }, { once: true });
        }"""
    )
    send(page, "hello there")
    expect(page.locator(USER).locator(CONTENT)).to_have_text("hello there")
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("You said: hello there")


def test_enter_sends_and_echo_replies(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    open_app(page, served.url)
    box = page.locator(INPUT)

    send(page, "hello there")
    expect(page.locator(USER).locator(CONTENT)).to_have_text("hello there")
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("You said: hello there")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(box).to_have_value("")
    expect(box).to_be_enabled()
    expect(box).to_be_focused()

    # Shift+Enter is a newline, not a send: one turn carrying both lines.
    box.press_sequentially("line one")
    box.press("Shift+Enter")
    box.press_sequentially("line two")
    expect(box).to_have_value("line one\nline two")
    expect(page.locator(USER)).to_have_count(1)
    box.press("Enter")
    expect(page.locator(USER)).to_have_count(2)
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(page.locator(USER).nth(1).locator(CONTENT)).to_have_text(re.compile(r"line one\s+line two"))
    expect(page.locator(ASSISTANT).nth(1).locator(CONTENT)).to_have_text(
        re.compile(r"You said: line one\s+line two")
    )
    expect(box).to_have_value("")
    expect(box).to_be_focused()


def test_a_new_tab_says_hello_before_its_script_has_loaded(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    # The page's inline boot script opens the socket with the hello in its URL: the session's first run goes
    # while app.js still loads (held here until that run has happened), and app.js takes the socket over.
    ran = tmp_path / "ran"
    served = serve(
        write_app(f"""
        import pathlib
        import reactchat as rc

        pathlib.Path({str(ran)!r}).write_text("ran")
        rc.message("assistant", "Declared early")
        if prompt := rc.chat_input():
            rc.message("user", prompt)
            rc.message("assistant", "You said: " + prompt)
    """)
    )
    held: list[Any] = []
    page.route("**/_rc/static/app.js*", lambda route: held.append(route))
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(served.url + "/", wait_until="commit")
    deadline = time.monotonic() + 10
    while not (held and ran.exists()):
        assert time.monotonic() < deadline, "the first run did not start while app.js was held"
        page.wait_for_timeout(20)  # lets Playwright deliver the held request
    expect(page.locator(APP)).to_have_count(0)  # nothing built yet: app.js has not run
    held[0].continue_()
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("Declared early")
    send(page, "still one socket")
    expect(page.locator(ASSISTANT).locator(CONTENT).last).to_have_text("You said: still one socket")
    assert len(sockets) == 1 and f"/_rc/ws?hello={VERSION}&tab=" in sockets[0]


def test_stream_appears_progressively(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    served = serve(stream_app(write_app, tmp_path, delay=0.02))
    open_app(page, served.url)

    send(page, "slow please")
    first = wait_partial(page)
    # Still running, and the visible text grew: it is streamed, not delivered at the end.
    second = wait_partial(page, longer_than=len(first))
    assert FULL.startswith(first) and FULL.startswith(second) and len(first) < len(second) < len(FULL)
    expect(page.locator('[data-testid="stop"]')).to_be_visible()
    box = page.locator(INPUT)  # the next question can be typed meanwhile; Enter keeps it until the run ends
    box.press_sequentially("and then?")
    box.press("Enter")
    expect(box).to_have_value("and then?")

    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle", timeout=10_000)
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text(FULL)
    expect(page.locator('[data-testid="send"]')).to_be_visible()
    assert wait_for_file(tmp_path / "ended-slow please") == "finished"
    expect(page.locator(USER).locator(CONTENT)).to_have_text(["slow please"])  # not sent while it ran
    expect(box).to_have_value("and then?")
    expect(box).to_be_focused()
    box.press("Enter")
    expect(page.locator(USER).locator(CONTENT)).to_have_text(["slow please", "and then?"])


def test_a_run_s_end_leaves_the_focus_where_the_user_put_it(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    """A sidebar field committed with Enter reruns the app; at its end the focus stays in the field (the chat
    input takes it only from nowhere or its Send button), so the user types on where they were."""
    served = serve(
        write_app("""
        import time
        import reactchat as rc
        with rc.sidebar:
            name = rc.text_input("Name", key="name")
        if name:
            time.sleep(0.3)  # a rerun the page sees running, then ended
        rc.markdown(f"Hello, {name or 'nobody'}")
        if prompt := rc.chat_input():
            rc.message("user", prompt)
    """)
    )
    page.set_viewport_size({"width": 1200, "height": 800})  # wide: the sidebar shows
    open_app(page, served.url)
    field = page.get_by_test_id("sidebar").get_by_label("Name")
    field.click()
    field.press_sequentially("Ada")
    field.press("Enter")
    expect(page.get_by_text("Hello, Ada")).to_be_visible()
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(field).to_be_focused()
    send(page, "hi")  # and the chat input, where the user goes, still sends
    expect(page.locator(USER).locator(CONTENT)).to_have_text("hi")


def test_stop_keeps_partial_answer(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    served = serve(stream_app(write_app, tmp_path, delay=0.05))
    open_app(page, served.url)

    send(page, "slow one")
    wait_partial(page, longer_than=5)
    page.locator('[data-testid="stop"]').click()
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert wait_for_file(tmp_path / "ended-slow one") == "closed"

    partial = contents(page.locator(ASSISTANT))[0]
    assert 5 < len(partial) < len(FULL) and FULL.startswith(partial), partial
    expect(page.locator('[data-testid="send"]')).to_be_visible()

    # A later turn reruns the script from its history: the partial answer is what was kept.
    send(page, "next")
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(page.locator(ASSISTANT).nth(1).locator(CONTENT)).to_have_text("Quick answer to next")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    assert contents(page.locator(USER)) == ["slow one", "next"]
    assert contents(page.locator(ASSISTANT)) == [partial, "Quick answer to next"]


def test_reload_mid_stream_resumes(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    served = serve(stream_app(write_app, tmp_path, delay=0.03))
    open_app(page, served.url)
    token = page.evaluate("sessionStorage.getItem('reactchat:token')")
    assert token

    send(page, "slow resume")
    wait_partial(page)
    page.reload()

    # The same session: its token, its transcript, and the stream still going in the new page.
    expect(page.locator(USER).locator(CONTENT)).to_have_text("slow resume")
    assert page.evaluate("sessionStorage.getItem('reactchat:token')") == token
    wait_partial(page)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle", timeout=10_000)
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text(FULL)
    expect(page.locator(USER)).to_have_count(1)
    assert wait_for_file(tmp_path / "ended-slow resume") == "finished"


EDITABLE = """
    import reactchat as rc

    rc.title({title!r})
    rc.message("assistant", {greeting!r})
    rc.chat_input("Say something")
"""


def test_edit_reruns_without_reload(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    path = write_app(EDITABLE.format(title="First title", greeting="Hello from version one"))
    served = serve(path, watch=True)
    open_app(page, served.url)
    expect(page.locator("h1")).to_have_text("First title")
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("Hello from version one")
    page.evaluate("window.__sameDocument = true")

    write_app(EDITABLE.format(title="Second title", greeting="Hello from version two"))
    expect(page.locator("h1")).to_have_text("Second title")
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("Hello from version two")
    expect(page).to_have_title("Second title")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


BROKEN = """\
    import reactchat as rc

    rc.title("Echo")
    this line is not python
"""


def test_syntax_error_overlay_keeps_transcript(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    good = (EXAMPLES / "echo.py").read_text()
    path = write_app(good)
    served = serve(path, watch=True)
    open_app(page, served.url)
    send(page, "before the typo")
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("You said: before the typo")

    write_app(BROKEN)
    overlay = page.locator(OVERLAY)
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("SyntaxError")
    expect(overlay).to_contain_text(re.compile(r"app\.py:4(?!\d)"))
    expect(overlay).to_contain_text("this line is not python")
    expect(page.locator(USER).locator(CONTENT)).to_have_text("before the typo")
    expect(page.locator(ASSISTANT).locator(CONTENT)).to_have_text("You said: before the typo")

    write_app(good)
    expect(overlay).to_have_count(0)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    send(page, "after the fix")
    expect(page.locator(ASSISTANT)).to_have_count(2)
    assert contents(page.locator(ASSISTANT)) == ["You said: before the typo", "You said: after the fix"]
    expect(page.locator('[data-testid="error"]')).to_have_count(0)


def test_markdown_renders_and_html_is_not_injected(
    page: Page, page_log: PageLog, serve: Callable[..., Any]
) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    open_app(page, served.url)
    payload = "**bold** <img src=x onerror=alert(1)>"
    send(page, payload)

    reply = page.locator(ASSISTANT).locator(CONTENT)
    expect(reply).to_contain_text("You said: bold")
    for message in (page.locator(USER), page.locator(ASSISTANT)):
        expect(message.locator("strong")).to_have_text("bold")
        # Raw HTML is shown as text, never turned into an element.
        expect(message.locator(CONTENT)).to_contain_text("<img src=x onerror=alert(1)>")
    expect(page.locator(f"{APP} img")).to_have_count(0)
    expect(page.locator("[onerror]")).to_have_count(0)
    assert page_log.dialogs == []


@pytest.mark.browser
def test_a_duplicated_tab_does_not_fight_over_the_session(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    open_app(page, served.url)
    send(page, "from the first tab")
    expect(page.locator(ASSISTANT)).to_have_count(1)
    token = page.evaluate("() => sessionStorage.getItem('reactchat:token')")
    # A duplicated tab starts with a copy of the first tab's sessionStorage, so the same resume token.
    twin = page.context.new_page()
    twin.add_init_script(f"sessionStorage.setItem('reactchat:token', {token!r})")
    open_app(twin, served.url)
    expect(twin.locator(USER)).to_have_text(["from the first tab"])  # the same session
    expect(page.locator(APP)).to_have_attribute("data-run-state", "disconnected")
    send(twin, "from the twin")
    expect(twin.locator(ASSISTANT)).to_have_count(2)
    # Had the first tab retried on a timer, it would have taken the session back by now.
    expect(page.locator(APP)).to_have_attribute("data-run-state", "disconnected")
    expect(twin.locator(APP)).to_have_attribute("data-run-state", "idle")
    # Coming back to the first tab takes the session there, with everything the twin did.
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    expect(page.locator(USER)).to_have_text(["from the first tab", "from the twin"])
    expect(twin.locator(APP)).to_have_attribute("data-run-state", "disconnected")
    twin.close()


def test_a_duplicated_tab_numbers_its_own_events(page: Page, serve: Callable[..., Any]) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    open_app(page, served.url)
    send(page, "one")
    expect(page.locator(ASSISTANT)).to_have_count(1)
    # A duplicated tab copies all of sessionStorage: the token, the tab id and the event counter.
    storage = page.evaluate(
        "() => Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)]))"
    )
    twin = page.context.new_page()
    twin.add_init_script(
        "".join(f"sessionStorage.setItem({k!r}, {v!r});" for k, v in storage.items() if v is not None)
    )
    open_app(twin, served.url)
    expect(twin.locator(USER)).to_have_text(["one"])
    send(twin, "two")
    expect(twin.locator(ASSISTANT)).to_have_count(2)
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    # With a shared counter, this event would carry the twin's number and be dropped as a duplicate.
    send(page, "three")
    expect(page.locator(USER)).to_have_text(["one", "two", "three"])
    expect(page.locator(ASSISTANT)).to_have_count(3)
    assert page.evaluate("() => sessionStorage.getItem('reactchat:tab')") != twin.evaluate(
        "() => sessionStorage.getItem('reactchat:tab')"
    )
    twin.close()


LONG_APP = """
    import reactchat as rc

    for i in range({count}):
        rc.message("user" if i % 2 == 0 else "assistant", f"message **{{i}}** of {key}")
"""


def test_a_reload_shows_renders_the_session_gave_back_and_the_process_no_longer_caches(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    # More texts than the process's render cache holds: on reload, the first ones are rendered again (off
    # the loop) before the tree goes, since the session kept their sources only.
    count = CACHE_SIZE + 100
    served = serve(write_app(LONG_APP.format(count=count, key="reload-check")))
    open_app(page, served.url)
    expect(page.locator(ASSISTANT)).to_have_count(count // 2, timeout=20_000)
    token = page.evaluate("sessionStorage.getItem('reactchat:token')")
    page.reload()
    expect(page.locator(ASSISTANT)).to_have_count(count // 2, timeout=20_000)
    assert page.evaluate("sessionStorage.getItem('reactchat:token')") == token  # the same session
    first = page.locator(USER).first.locator(CONTENT)
    expect(first.locator("strong")).to_have_text("0")  # rendered, not shown as typed
    expect(first).to_have_text("message 0 of reload-check")
