"""Rich content in a real Chromium: thoughts, media, math, chat display options, autoscroll.

The scripts declare the new node kinds through the low-level reconciler (``rec.emit(kind, props)``), so these
tests pin the browser side of docs/protocol.md independently of the Python API that wraps it.
"""

from __future__ import annotations

import base64
import functools
import http.server
import io
import math
import pathlib
import re
import struct
import threading
import wave
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.ui import APP, ASSISTANT, MESSAGE, USER, open_app, send

pytestmark = [pytest.mark.browser, pytest.mark.timeout(40)]

THOUGHT = '[data-testid="thought"]'
TITLE = '[data-testid="thought-title"]'
BODY = '[data-testid="thought-body"]'
TO_BOTTOM = '[data-testid="scroll-to-bottom"]'

# Every script gets the reconciler and a helper for thoughts with a body (and maybe nested content).
PRELUDE = """\
import pathlib
import time

import reactchat as rc
from reactchat import context
from reactchat.markdown import markdown_props

rec = context.current_run().reconciler


def wait_for(flag, limit=15.0):
    deadline = time.monotonic() + limit
    while not pathlib.Path(flag).exists() and time.monotonic() < deadline:
        context.current_run().checkpoint()
        time.sleep(0.02)


def thought(props, text, inner=None):
    node = rec.emit("thought", props)
    rec.enter(node)
    rec.emit("markdown", markdown_props(text))
    if inner is not None:
        inner()
    rec.exit()
    return node
"""


def write_script(write_app: Callable[..., str], body: str, **values: Any) -> str:
    consts = "".join(f"{k.upper()} = {v!r}\n" for k, v in values.items())
    return write_app(PRELUDE + consts + body)


def own(thought: Locator, testid: str) -> Locator:
    """The thought's own title or body, not those of thoughts nested in it."""
    return thought.locator(f':scope > [data-testid="{testid}"]')


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


# --- thoughts ---------------------------------------------------------------------------------------------

THOUGHTS = """
rc.title("Thoughts")
thought({"title": "Connecting", "status": "error", "log": "timed out"}, "The tool did not answer.")
turns = rc.session_state.setdefault("turns", [])
prompt = rc.chat_input("Ask")
if prompt:
    turns.append(prompt)
DONE = {"title": "Searching", "status": "done", "duration": 2.34, "log": "2 sources"}
for i, text in enumerate(turns):
    rc.message("user", text)
    with rc.message("assistant"):
        live = prompt is not None and i == len(turns) - 1 and text.startswith("think")
        node = thought(
            {"title": "Searching", "status": "pending"} if live else DONE,
            "Looking things up",
            lambda: thought({"title": "Reading page"}, "page text"),
        )
        if live:
            wait_for(FLAG)
            rec.set(node, {"status": "done", "duration": 2.34, "log": "2 sources"})
        rc.markdown("Answer to " + text)
"""


def test_thoughts_nest_spin_collapse_and_remember_the_users_choice(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    flag = tmp_path / "go"
    served = serve(write_script(write_app, THOUGHTS, flag=str(flag)))
    open_app(page, served.url)

    # A top-level thought with an error: open, with the error status and its log.
    failed = page.locator(f"{APP} .rc-body > {THOUGHT}")  # the transcript's body, in its shadow root
    expect(failed).to_have_attribute("data-status", "error")
    expect(own(failed, "thought-title")).to_contain_text("Connecting")
    expect(own(failed, "thought-title")).to_contain_text("timed out")
    expect(own(failed, "thought-body")).to_be_visible()

    send(page, "think hard")
    outer = page.locator(ASSISTANT).nth(0).locator(THOUGHT).first
    expect(outer).to_have_attribute("data-status", "pending")
    expect(own(outer, "thought-title").locator(".rc-spinner")).to_be_visible()
    expect(own(outer, "thought-body")).to_be_visible()
    expect(own(outer, "thought-body")).to_contain_text("Looking things up")
    inner = own(outer, "thought-body").locator(THOUGHT)
    expect(inner).to_have_count(1)
    expect(own(inner, "thought-title")).to_have_text("Reading page")
    expect(own(inner, "thought-body")).to_be_visible()  # no status: open, no spinner
    expect(inner).not_to_have_attribute("data-status", "pending")
    expect(inner.locator(".rc-spinner")).to_have_count(0)

    # Done: the spinner goes, the duration and log show, and (never toggled) it collapses.
    flag.write_text("")
    expect(outer).to_have_attribute("data-status", "done")
    expect(outer.locator(".rc-spinner")).to_have_count(0)
    expect(own(outer, "thought-title")).to_contain_text("2.3s")
    expect(own(outer, "thought-title")).to_contain_text("2 sources")
    expect(own(outer, "thought-body")).to_be_hidden()
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")

    # The user opens it; a rerun (a new turn) keeps it open, and the new turn's done thought is collapsed.
    own(outer, "thought-title").click()
    expect(own(outer, "thought-body")).to_be_visible()
    expect(own(outer, "thought-title")).to_have_attribute("aria-expanded", "true")
    send(page, "again")
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(page.locator(ASSISTANT).nth(1)).to_contain_text("Answer to again")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    second = page.locator(ASSISTANT).nth(1).locator(THOUGHT).first
    expect(second).to_have_attribute("data-status", "done")
    expect(own(second, "thought-body")).to_be_hidden()
    expect(own(outer, "thought-body")).to_be_visible()
    expect(own(outer, "thought-body")).to_contain_text("Looking things up")

    # Closing the error thought is remembered too; all of it survives a reload.
    own(failed, "thought-title").click()
    expect(own(failed, "thought-body")).to_be_hidden()
    page.reload()
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(own(outer, "thought-body")).to_be_visible()
    expect(own(second, "thought-body")).to_be_hidden()
    expect(own(failed, "thought-body")).to_be_hidden()

    # Clicking again toggles back.
    own(outer, "thought-title").click()
    expect(own(outer, "thought-body")).to_be_hidden()


# --- media --------------------------------------------------------------------------------------------------


def svg_data_url(color: str) -> str:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="{color}"/></svg>'
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def tone_wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def media_server(tmp_path: pathlib.Path) -> Iterator[str]:
    """A static file server on another port: the page's CSP allows http: media but not data: media."""
    root = tmp_path / "media"
    root.mkdir()
    (root / "tone.wav").write_bytes(tone_wav())
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


MEDIA = """
rc.title("Media")
with rc.message("assistant"):
    rec.emit("markdown", markdown_props("Here is what I found:"))
    rec.emit("image", {"src": RED, "alt": "a red box", "caption": "Figure 1", "width": 40, "height": 30})
    rec.emit("audio", {"src": AUDIO, "name": "tone.wav", "mime": "audio/wav"})
    rec.emit("video", {"src": AUDIO, "name": "clip"})
    rec.emit("file", {"src": "/_rc/no-such-file", "name": "report.pdf", "size": 1258291})
    rec.emit("html", {"html": "<p>Some <b>server-sanitised</b> html</p>"})
    rec.emit("gallery", {"items": [{"src": RED, "alt": "red"}, {"src": BLUE, "alt": "blue", "caption": "Blue one"}], "columns": 2})
"""


def test_media_in_a_message(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], media_server: str
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    script = write_script(
        write_app,
        MEDIA,
        red=svg_data_url("#d22"),
        blue=svg_data_url("#22d"),
        audio=f"{media_server}/tone.wav",
    )
    served = serve(script)
    open_app(page, served.url)
    msg = page.locator(ASSISTANT)

    figure = msg.locator(".rc-content > figure.rc-figure")
    img = figure.locator("img")
    expect(img).to_have_attribute("alt", "a red box")
    expect(img).to_have_attribute("loading", "lazy")
    expect(figure.locator("figcaption")).to_have_text("Figure 1")
    img.evaluate("el => el.decode()")
    assert img.evaluate("el => el.naturalWidth") == 40

    audio = msg.locator("audio")
    expect(audio).to_have_attribute("src", f"{media_server}/tone.wav")
    expect(audio).to_have_attribute("controls", "")
    page.wait_for_function("el => el.readyState >= 1 && el.duration > 0", arg=audio.element_handle())
    assert abs(audio.evaluate("el => el.duration") - 0.5) < 0.05
    expect(msg.locator(".rc-media").first).to_contain_text("tone.wav")
    expect(msg.locator("video")).to_have_attribute("playsinline", "")

    link = msg.locator("a.rc-file")
    expect(link).to_have_attribute("download", "report.pdf")
    expect(link).to_contain_text("report.pdf")
    expect(link).to_contain_text("1.2 MB")
    expect(link.locator(".rc-icon")).to_have_count(1)

    expect(msg.locator(".rc-html b")).to_have_text("server-sanitised")

    gallery = msg.locator(".rc-gallery")
    expect(gallery.locator("img")).to_have_count(2)
    assert "repeat(2" in gallery.evaluate("el => el.style.gridTemplateColumns")

    # The image opens full size; Escape closes. A gallery item opens with its caption; a click closes.
    box = page.locator('[data-testid="lightbox"]')
    img.click()
    expect(box).to_be_visible()
    expect(box.locator("img")).to_have_attribute("alt", "a red box")
    page.keyboard.press("Escape")
    expect(box).to_have_count(0)
    gallery.locator("img").nth(1).click()
    expect(box).to_be_visible()
    expect(box).to_contain_text("Blue one")
    page.keyboard.press("ArrowRight")  # steps to the other item
    expect(box.locator("img")).to_have_attribute("alt", "red")
    box.click()
    expect(box).to_have_count(0)

    # No math on this page: KaTeX was never fetched.
    assert not [u for u in requests if "katex" in u], requests


# --- math ---------------------------------------------------------------------------------------------------

MATH = """
rc.title("Math")
with rc.message("assistant"):
    rec.emit("markdown", {"html": HTML, "cuts": [CUT]})
    rec.emit("markdown", {"html": MONEY, "cuts": [MONEY_CUT]})
if prompt := rc.chat_input("Ask"):
    with rc.message("assistant"):
        rec.emit("markdown", {"html": LATER, "cuts": []})
"""


def test_math_is_typeset_lazily_and_currency_is_left_alone(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    html = (
        '<div class="math-display">x^2 + \\frac{a}{b}</div>\n'
        '<p>Inline <span class="math-inline">\\alpha_1</span> here.</p>\n'
    )
    money = "<p>It costs $5 and $10 today.</p>\n"
    later = '<p>Streaming <span class="math-inline">e^{i\\pi}</span></p>'
    script = write_script(
        write_app, MATH, html=html, cut=utf16_len(html), money=money, money_cut=utf16_len(money), later=later
    )
    responses: dict[str, int] = {}
    console: list[str] = []
    page.on("response", lambda r: responses.__setitem__(r.url, r.status))
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    served = serve(script)
    open_app(page, served.url)
    msg = page.locator(ASSISTANT).first

    display = msg.locator(".math-display")
    expect(display.locator(".katex-display .katex")).to_have_count(1)
    expect(display).to_have_attribute("data-tex", "x^2 + \\frac{a}{b}")
    expect(msg.locator(".math-inline .katex")).to_have_count(1)
    expect(msg.locator(".math-inline .katex-html")).to_contain_text("\u03b1")
    money_block = msg.locator(".rc-md").nth(1)
    expect(money_block).to_have_text("It costs $5 and $10 today.")
    expect(money_block.locator(".katex")).to_have_count(0)

    # KaTeX's fonts load under the page's CSP (font-src 'self').
    page.wait_for_function(
        "() => [...document.fonts].some(f => f.family.includes('KaTeX') && f.status === 'loaded')"
    )
    katex = {u: s for u, s in responses.items() if "katex" in u}
    assert any(u.split("?")[0].endswith("/_rc/static/katex.js") for u in katex), katex
    assert any(u.split("?")[0].endswith(".woff2") for u in katex), katex
    assert all(s in (200, 304) for s in katex.values()), katex

    # Math in an open (streaming) block is typeset too, once.
    send(page, "more")
    expect(page.locator(ASSISTANT).nth(1).locator(".math-inline .katex")).to_have_count(1)
    assert not [c for c in console if "Content Security Policy" in c or "Refused" in c], console


# --- chat display options -----------------------------------------------------------------------------------

# Messages are declared with an explicit created_at.
OPTIONS = """
turns = rc.session_state.setdefault("turns", [])
prompt = rc.chat_input("Ask")
if prompt:
    turns.append(prompt)
panel = "panel" in turns
rec.emit("chat", {
    "placeholder": "<p><strong>Ask me</strong> anything</p>",
    "description": "<p>A <em>test</em> bot</p>",
    "show_timestamps": True,
    "avatars": {"assistant": {"emoji": "\\U0001F916"}, "user": {"src": USER_AVATAR}},
    **({"layout": "panel", "rtl": True, "height": 300, "resizable": True} if panel else {}),
})
rc.title("Options")


def message(role, *texts):
    node = rec.emit("message", {"role": role, "created_at": 1700000000.0})
    rec.enter(node)
    for text in texts:
        rec.emit("markdown", markdown_props(text))
    rec.exit()


for text in turns:
    message("user", text)
    message("assistant", "Here is code:\\n\\n```python\\nprint('hi')\\n```")
    message("assistant", "And a second part.")
"""


def test_placeholder_description_avatars_timestamps_groups_and_copy_code(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    served = serve(write_script(write_app, OPTIONS, user_avatar=svg_data_url("#888")))
    open_app(page, served.url)

    placeholder = page.get_by_test_id("placeholder")
    expect(placeholder).to_be_visible()
    expect(placeholder).to_have_text("Ask me anything")
    expect(placeholder.locator("strong")).to_have_text("Ask me")
    expect(page.locator(".rc-desc em")).to_have_text("test")

    send(page, "hello")
    expect(placeholder).to_have_count(0)
    expect(page.locator(ASSISTANT)).to_have_count(2)
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")

    # Avatars per role, shown once per group; timestamps on every message.
    first, second = page.locator(ASSISTANT).nth(0), page.locator(ASSISTANT).nth(1)
    expect(first.locator(".rc-avatar")).to_have_text("\U0001f916")
    expect(first.locator(".rc-avatar")).to_be_visible()
    expect(second).to_have_class(re.compile(r"\brc-cont\b"))
    expect(second.locator(".rc-avatar")).to_be_hidden()
    expect(page.locator(USER).locator("img.rc-avatar")).to_be_visible()
    expect(page.locator(f"{MESSAGE} time.rc-time")).to_have_count(3)
    assert page.locator(USER).locator("time").get_attribute("datetime") == "2023-11-14T22:13:20.000Z"

    # Copy code: a button on the code block copies its text.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = first.get_by_test_id("copy-code")
    expect(copy).to_have_count(1)
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").strip() == "print('hi')"
    expect(copy).to_have_text("Copy")

    # Changing the options: panel layout with role headers, right-to-left, a fixed-height resizable box.
    send(page, "panel")
    expect(page.locator(USER)).to_have_count(2)
    app = page.locator(APP)
    expect(app).to_have_attribute("data-layout", "panel")
    expect(app).to_have_attribute("dir", "rtl")
    scroller = page.locator(".rc-scroll")
    expect(scroller).to_have_css("height", "300px")
    expect(scroller).to_have_css("resize", "vertical")
    expect(page.locator(USER).first.locator(".rc-role")).to_have_text("You")
    # Code needs no KaTeX.
    assert not [u for u in requests if "katex" in u], requests


# --- autoscroll -----------------------------------------------------------------------------------------------

SCROLL = """
rc.title("Scroll")
for i in range(30):
    rc.message("user" if i % 2 else "assistant", f"Message {i}. " + "Some filler text to take up room. " * 12)


def lines():
    i = 0
    while not pathlib.Path(FLAG).exists() and i < 400:
        time.sleep(0.03)
        yield f"Line {i}\\n\\n"
        i += 1


if prompt := rc.chat_input("Ask"):
    rc.message("user", prompt)
    with rc.message("assistant"):
        rc.write_stream(lines())
"""

DIST = "s => s.scrollHeight - s.scrollTop - s.clientHeight"
AT_BOTTOM = "() => { const s = document.querySelector('.rc-scroll'); return s.scrollHeight - s.scrollTop - s.clientHeight <= 2; }"
LINES = """() => {
    const msgs = document.querySelector('[data-testid=transcript]').shadowRoot.querySelectorAll('[data-testid="message"][data-role="assistant"]');
    return msgs[msgs.length - 1].querySelectorAll('p').length;
}"""
AT_LEAST = """n => {
    const msgs = document.querySelector('[data-testid=transcript]').shadowRoot.querySelectorAll('[data-testid="message"][data-role="assistant"]');
    return msgs[msgs.length - 1].querySelectorAll('p').length >= n;
}"""


def test_autoscroll_follows_the_bottom_until_the_user_scrolls_up(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: pathlib.Path
) -> None:
    flag = tmp_path / "stop"
    page.set_viewport_size({"width": 900, "height": 600})
    served = serve(write_script(write_app, SCROLL, flag=str(flag)))
    open_app(page, served.url)
    scroller = page.locator(".rc-scroll")
    to_bottom = page.locator(TO_BOTTOM)
    expect(page.locator(MESSAGE)).to_have_count(30)
    assert scroller.evaluate("s => s.scrollHeight > 2 * s.clientHeight")
    page.wait_for_function(AT_BOTTOM)
    expect(to_bottom).to_be_hidden()

    def wait_lines(n: int) -> None:
        page.wait_for_function(AT_LEAST, arg=n)

    # At the bottom, streamed content keeps the view at the bottom.
    send(page, "go")
    for n in (5, 10, 15):
        wait_lines(n)
        assert scroller.evaluate(DIST) <= 2
        expect(to_bottom).to_be_hidden()

    # Scrolled up, new content leaves the view where it is, and the button offers the way down.
    scroller.evaluate("s => { s.scrollTop = s.scrollHeight / 3; }")
    expect(to_bottom).to_be_visible()
    top = scroller.evaluate("s => s.scrollTop")
    seen = page.evaluate(LINES)
    wait_lines(seen + 5)
    assert scroller.evaluate("s => s.scrollTop") == top
    assert scroller.evaluate(DIST) > 100
    expect(to_bottom).to_be_visible()

    # The button goes to the bottom, and the view follows new content again.
    to_bottom.click()
    page.wait_for_function(AT_BOTTOM)
    expect(to_bottom).to_be_hidden()
    wait_lines(page.evaluate(LINES) + 3)
    assert scroller.evaluate(DIST) <= 2

    flag.write_text("")
    expect(page.locator(APP)).to_have_attribute("data-run-state", "idle", timeout=10_000)
