"""Layout and looks in a real Chromium, at a desktop (1280x800) and a phone (390x844) size: what stays in view,
what may not overlap, how far apart things sit, and which typeface the text gets."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.ui import APP, ASSISTANT, CONTENT, EXAMPLES, USER, open_app, send

pytestmark = [pytest.mark.browser, pytest.mark.timeout(60)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
Box = dict[str, float]


@pytest.fixture
def sized(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Pages of a given viewport size and colour scheme, closed after the test."""
    contexts: list[Any] = []

    def open_page(viewport: dict[str, int], scheme: str = "light") -> Page:
        context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def open_settled(page: Page, url: str) -> None:
    """Open the app and wait for its fonts: text set in the fallback while Inter loads moves when it arrives."""
    open_app(page, url)
    page.wait_for_function("() => document.fonts.status === 'loaded'")


def box(locator: Locator) -> Box:
    b = locator.bounding_box()
    assert b is not None, f"{locator} is not rendered"
    return b


def overlap(a: Box, b: Box) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def in_view(page: Page, locator: Locator) -> None:
    """The element is wholly inside the window and nothing covers its middle."""
    b = box(locator)
    size = page.viewport_size
    assert size is not None
    assert b["y"] >= 0 and b["y"] + b["height"] <= size["height"], (b, size)
    assert b["x"] >= 0 and b["x"] + b["width"] <= size["width"], (b, size)
    hit = locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
        " return !!at && (el === at || el.contains(at)); }"
    )
    assert hit, f"{locator} is covered"


@pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE, {"width": 1280, "height": 420}], ids=["desktop", "phone", "short"]
)
def test_a_fixed_height_chat_never_hides_its_title_or_composer(
    sized: Callable[..., Page], serve: Callable[..., Any], viewport: dict[str, int]
) -> None:
    # yes_man: height=300 with a description, a placeholder and three example cards.
    served = serve(str(EXAMPLES / "yes_man.py"))
    page = sized(viewport)
    open_settled(page, served.url)
    title = page.locator("h1.rc-title")
    expect(title).to_have_text("Yes Man")
    in_view(page, title)
    in_view(page, page.get_by_test_id("chat-input"))
    for i, text in enumerate(("Am I cool?", "Is it raining?", "Why?", "Really?")):
        send(page, text)
        expect(page.locator(ASSISTANT)).to_have_count(i + 1)
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    in_view(page, title)
    in_view(page, page.get_by_test_id("chat-input"))


def test_a_taller_box_than_the_window_shrinks_instead_of_pushing_the_composer_away(
    sized: Callable[..., Page], serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    path = write_app(
        """
        import reactchat as rc
        rc.chat(title="Tall", height=900)
        for i in range(20):
            rc.message("assistant", f"Message {i}")
        rc.chat_input("Say")
        """
    )
    page = sized({"width": 1280, "height": 600})
    open_settled(page, serve(path).url)
    in_view(page, page.locator("h1.rc-title"))
    in_view(page, page.get_by_test_id("chat-input"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_chat_actions_sit_in_the_bar_over_no_message(
    sized: Callable[..., Page], serve: Callable[..., Any], viewport: dict[str, int]
) -> None:
    served = serve(str(EXAMPLES / "feedback.py"))
    page = sized(viewport)
    open_settled(page, served.url)
    texts = ("A question long enough to reach across the whole width of a phone's screen, and on", "again",
             "and again", "once more")  # fmt: skip
    for i, text in enumerate(texts):
        send(page, text)
        expect(page.locator(ASSISTANT)).to_have_count(i + 1)
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    buttons = [page.get_by_test_id("copy-all"), page.get_by_test_id("clear")]
    contents = page.locator(CONTENT)
    for i in range(contents.count()):
        # Each message in turn at the top of the transcript, where a floating toolbar would cover it.
        contents.nth(i).evaluate("el => el.scrollIntoView({block: 'start'})")
        for button in buttons:
            expect(button).to_be_visible()
            in_view(page, button)
            assert not overlap(box(button), box(contents.nth(i))), f"{button} covers message {i}"
    # On a wide screen they stay by the column, not in the window's far corner.
    column = box(page.get_by_test_id("transcript"))
    right = max(box(b)["x"] + box(b)["width"] for b in buttons)
    assert abs(right - (column["x"] + column["width"])) <= 48, (right, column)


def test_a_question_sits_closer_to_its_answer_than_to_the_answer_before(
    sized: Callable[..., Page], serve: Callable[..., Any]
) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    page = sized(DESKTOP)
    open_settled(page, served.url)
    for i, text in enumerate(("first", "second", "third")):
        send(page, text)
        expect(page.locator(ASSISTANT)).to_have_count(i + 1)
        expect(page.locator(APP)).to_have_attribute("data-run-state", "idle")
    # Every box in one evaluation, so that nothing moves between two measurements.
    rects = """() => {
        const r = (el) => { const b = el.getBoundingClientRect(); return {x: b.x, y: b.y, width: b.width, height: b.height}; };
        const tr = document.querySelector('[data-testid=transcript]').shadowRoot;
        const q = tr.querySelectorAll('[data-role="user"] [data-testid="message-content"]');
        const a = tr.querySelectorAll('[data-role="assistant"] [data-testid="message-content"]');
        const copy = tr.querySelector('[data-role="user"] [data-testid="copy"]');
        return {q1: r(q[0]), a1: r(a[0]), q2: r(q[1]), copy: r(copy)};
    }"""
    b = page.evaluate(rects)
    within = b["a1"]["y"] - (b["q1"]["y"] + b["q1"]["height"])
    between = b["q2"]["y"] - (b["a1"]["y"] + b["a1"]["height"])
    assert within < between - 8, (within, between)
    # A question's actions show on hover beside it, over neither its text nor its answer.
    question = page.locator(USER).nth(0)
    question.locator(CONTENT).hover()
    expect(question.get_by_test_id("copy")).to_have_css("opacity", "1")
    b = page.evaluate(rects)
    assert not overlap(b["copy"], b["q1"]) and not overlap(b["copy"], b["a1"]), b


def test_a_message_without_actions_has_no_action_row(
    sized: Callable[..., Page], serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    path = write_app(
        """
        import reactchat as rc
        rc.chat(copy=False)
        rc.message("user", "Hi")
        rc.message("assistant", "Hello")
        rc.message("user", "Bye")
        """
    )
    page = sized(DESKTOP)
    open_settled(page, serve(path).url)
    expect(page.locator(".rc-actions")).to_have_count(0)
    q1, a1 = box(page.locator(USER).first), box(page.locator(ASSISTANT).first)
    assert a1["y"] - (q1["y"] + q1["height"]) <= 20


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_empty_chat_without_a_placeholder_shows_a_quiet_default(
    sized: Callable[..., Page], serve: Callable[..., Any], scheme: str
) -> None:
    served = serve(str(EXAMPLES / "echo.py"))
    page = sized(PHONE, scheme)
    open_settled(page, served.url)
    placeholder = page.get_by_test_id("placeholder")
    expect(placeholder).to_be_visible()
    expect(placeholder).to_have_text("Send a message to start the conversation.")
    send(page, "hi")
    expect(placeholder).to_have_count(0)


def test_example_cards_line_up_with_or_without_an_icon(
    sized: Callable[..., Page], serve: Callable[..., Any]
) -> None:
    # options.py: one card with an icon, one with a display text and no icon.
    served = serve(str(EXAMPLES / "options.py"))
    page = sized(DESKTOP)
    open_settled(page, served.url)
    cards = page.get_by_test_id("example")
    expect(cards).to_have_count(2)
    first, second = box(cards.nth(0)), box(cards.nth(1))
    assert abs(first["y"] - second["y"]) <= 1 and abs(first["height"] - second["height"]) <= 1
    texts = [box(cards.nth(i).locator(".rc-example-text")) for i in range(2)]
    assert abs(texts[0]["y"] - texts[1]["y"]) <= 2, texts


def test_the_gallery_keeps_each_image_whole_and_the_lightbox_enlarges(
    sized: Callable[..., Page], serve: Callable[..., Any]
) -> None:
    served = serve(str(EXAMPLES / "media.py"))
    page = sized(DESKTOP)
    open_settled(page, served.url)
    send(page, "gallery")  # a 48x48 and a 96x48 image, in two columns far wider than either
    images = page.locator(".rc-gallery img")
    expect(images).to_have_count(2)
    page.wait_for_function(
        # Laid out too (a loaded image is shown by its load handler, which may run a moment later).
        "() => [...document.querySelector('[data-testid=transcript]').shadowRoot.querySelectorAll('.rc-gallery img')]"
        ".every(i => i.complete && i.naturalWidth && i.clientHeight)"
    )
    for i in range(2):
        shown = images.nth(i).evaluate(
            "i => ({w: i.clientWidth, h: i.clientHeight, nw: i.naturalWidth, nh: i.naturalHeight,"
            " fit: getComputedStyle(i).objectFit})"
        )
        assert shown["w"] <= shown["nw"] and shown["h"] <= shown["nh"], shown  # never enlarged
        assert abs(shown["w"] / shown["h"] - shown["nw"] / shown["nh"]) < 0.05, shown  # never cropped
        assert shown["fit"] != "cover", shown
    images.nth(1).click()
    lightbox = page.get_by_test_id("lightbox")
    expect(lightbox).to_be_visible()
    picture = lightbox.locator("img").evaluate(
        "i => { const s = Math.min(i.clientWidth / i.naturalWidth, i.clientHeight / i.naturalHeight);"
        " return {w: i.naturalWidth * s, h: i.naturalHeight * s, nw: i.naturalWidth}; }"
    )
    assert picture["w"] >= 5 * picture["nw"], picture


def test_text_is_set_in_the_shipped_typeface_where_the_system_has_no_ui_font(
    sized: Callable[..., Page], serve: Callable[..., Any]
) -> None:
    # This machine has no UI font (Debian without a desktop): the stack used to end in DejaVu Sans here.
    served = serve(str(EXAMPLES / "echo.py"))
    page = sized(DESKTOP)
    open_settled(page, served.url)
    send(page, "hello")
    content = page.locator(ASSISTANT).locator(CONTENT)
    expect(content).to_have_text("You said: hello")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    cdp.send("DOM.getDocument", {"depth": -1})
    # The paragraph, inside the transcript's shadow root (DOM.querySelector stays in the light tree).
    selector = json.dumps(f"{ASSISTANT} {CONTENT} p")
    expression = f"document.querySelector('[data-testid=transcript]').shadowRoot.querySelector({selector})"
    obj = cdp.send("Runtime.evaluate", {"expression": expression})["result"]["objectId"]
    node = cdp.send("DOM.requestNode", {"objectId": obj})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert [f["familyName"] for f in fonts] == ["Inter"], fonts


def css_of(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate(f"el => getComputedStyle(el).{prop}"))


def test_a_theme_from_rc_chat_sets_accent_radius_font_mode_and_css(
    sized: Callable[..., Page], serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    path = write_app(
        """
        import reactchat as rc
        rc.chat(title="Themed", theme={"accent": "#e11d48", "radius": 2, "font": "Liberation Serif",
                                        "mode": "dark", "css": ".rc-title { text-transform: uppercase }"})
        rc.message("user", "Hi")
        rc.chat_input("Say")
        """
    )
    page = sized(DESKTOP, "light")  # the system says light; the theme says dark
    open_settled(page, serve(path).url)
    expect(page.get_by_test_id("send")).to_have_css("background-color", "rgb(225, 29, 72)")
    expect(page.locator("html")).to_have_attribute("data-mode", "dark")
    assert css_of(page, "body", "backgroundColor") == "rgb(15, 17, 21)"
    assert css_of(page, f"{USER} {CONTENT}", "borderTopLeftRadius") == "2px"
    assert css_of(page, "body", "fontFamily").startswith('"Liberation Serif"')
    assert css_of(page, "h1.rc-title", "textTransform") == "uppercase"


def test_a_theme_from_reactchat_toml_applies_before_the_app_runs(
    sized: Callable[..., Page], serve: Callable[..., Any], write_app: Callable[..., str], tmp_path: Any
) -> None:
    (tmp_path / "reactchat.toml").write_text('[theme]\naccent = "#16a34a"\nmode = "light"\n')
    path = write_app("import time\nimport reactchat as rc\ntime.sleep(3)\nrc.chat_input()\n")
    page = sized(DESKTOP, "dark")
    page.goto(serve(path).url)
    # The first run is still sleeping: no frame has come, and the page is themed already.
    expect(page.locator(APP)).not_to_have_attribute("data-run-state", "idle")
    assert css_of(page, "body", "backgroundColor") == "rgb(255, 255, 255)"
    assert (
        page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent')") == "#16a34a"
    )


def test_the_input_box_fits_a_placeholder_that_wraps_on_a_phone(
    sized: Callable[..., Page], serve: Callable[..., Any]
) -> None:
    served = serve(
        str(EXAMPLES / "feedback.py")
    )  # "Say something, then rate the answer": two lines on a phone
    page = sized(PHONE)
    open_settled(page, served.url)
    box_ = page.get_by_test_id("chat-input")
    expect(box_).to_have_attribute("placeholder", "Say something, then rate the answer")
    fits = "el => el.scrollHeight <= el.clientHeight + 1"
    assert box_.evaluate(fits), box_.evaluate("el => [el.scrollHeight, el.clientHeight]")
    assert box_.evaluate("el => el.clientHeight") > 40  # two lines, not one cut short


# The transcript lives in a shadow root (frontend/src/shadow.ts), styled by a copy of the page's stylesheets, its
# body carrying the chat's layout and direction; long enough, its older messages are sealed into chunks.
LONG = """
import reactchat as rc
rc.chat(title="Long", layout="panel", rtl=True, feedback=True,
        theme={"css": ".rc-message[data-role=user] .rc-content { outline: 3px solid rgb(1, 2, 3); }"})
for i in range(60):
    rc.message("user", f"Question {i}")
    rc.message("assistant", f"Answer {i}:\\n\\n```python\\nprint({i})\\n```")
rc.chat_input("Say")
"""

# The computed style of what a message shows, for the properties the layout, the direction and the theme set.
_LOOK_JS = """
el => {
  const part = (sel, pseudo) => {
    const s = getComputedStyle(el.querySelector(sel), pseudo);
    return [s.backgroundColor, s.color, s.paddingLeft, s.borderRadius, s.outlineStyle, s.outlineColor,
            s.direction, s.textAlign, s.fontSize, s.fontFamily, s.maskImage || s.webkitMaskImage];
  };
  const m = getComputedStyle(el);
  return { message: [m.backgroundColor, m.paddingLeft, m.flexDirection], content: part(".rc-content"),
           actions: part(".rc-actions"),
           icon: part(".rc-icon", "::after"), code: el.dataset.role === "assistant" ? part(".highlight .nb") : null };
}
"""


def test_the_transcript_keeps_the_page_light_and_its_messages_look_and_act_as_any(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    served = serve(write_app(LONG))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    open_settled(page, served.url)
    messages = page.locator('[data-testid="message"]')  # Playwright's locators look into shadow roots
    expect(messages).to_have_count(120)
    expect(page.locator(USER).first).to_contain_text("Question 0")  # and keep the order
    expect(page.locator(USER).last).to_contain_text("Question 59")
    counts = page.evaluate(
        """() => {
          const tr = document.querySelector('[data-testid=transcript]');
          const all = (r, sel) => [...r.querySelectorAll(sel)].concat(
            ...[...r.querySelectorAll("*")].filter((e) => e.shadowRoot).map((e) => all(e.shadowRoot, sel)));
          return { light: document.getElementsByTagName("*").length, all: all(document, "*").length,
                   lightMessages: document.querySelectorAll('[data-testid="message"]').length,
                   inside: tr.shadowRoot.querySelectorAll('[data-testid="message"]').length,
                   chunks: tr.shadowRoot.querySelectorAll(".rc-chunk").length, svg: all(document, "svg").length };
        }"""
    )
    assert counts["lightMessages"] == 0 and counts["inside"] == 120, counts
    assert counts["chunks"] >= 2, counts
    assert counts["light"] < counts["all"] / 5, (
        counts
    )  # what the browser's form handling walks per message typed
    assert counts["svg"] == 0, counts  # icons are masks: Chrome walks every <svg> of a page at each frame
    # Styled as the page: the panel layout and the direction (on the body), the app's own CSS, the code
    # highlighting fetched after the page loaded, the icons; a sealed message as a recent one.
    first, late = page.locator(USER).first, page.locator(USER).nth(58)
    looks = first.evaluate(_LOOK_JS)
    assert looks == late.evaluate(_LOOK_JS)
    assert page.locator(ASSISTANT).first.evaluate(_LOOK_JS) == page.locator(ASSISTANT).nth(58).evaluate(
        _LOOK_JS
    )
    assert looks["content"][4:7] == ["solid", "rgb(1, 2, 3)", "rtl"], looks
    assert looks["icon"][10].startswith("url(") and looks["icon"][0] != "rgba(0, 0, 0, 0)", looks
    assert page.locator(ASSISTANT).first.evaluate(_LOOK_JS)["code"][1] != looks["content"][1], "highlighted"
    assert looks["message"][0] != "rgba(0, 0, 0, 0)", looks  # the panel layout's question on a surface
    # An old message's controls work (find-in-page looks into shadow roots too, in Chromium by design; no
    # script can drive it, window.find reads the light tree only).
    first.scroll_into_view_if_needed()
    first.hover()
    copy = first.get_by_test_id("copy")
    copy.click()
    expect(copy).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "Question 0"
    like = page.locator(ASSISTANT).first.get_by_test_id("feedback").first
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")


# Long enough that the page builds its newest messages at once and the rest in idle slices (backlog.ts), sealing
# meanwhile: a chunk stands for those still to be built and takes them as they come (chunks.ts).
LONGER = """
N = 2000
import reactchat as rc
for i in range(N):
    rc.message("user", f"Question {i}")
    rc.message("assistant", f"Answer {i}: **bold**")
if prompt := rc.chat_input("Say"):
    rc.message("user", prompt)
    rc.message("assistant", f"You said {prompt}")
"""


def test_a_long_transcript_built_in_slices_is_whole_in_order_and_its_chunks_stay_narrow(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    open_app(page, serve(write_app(LONGER)).url)
    messages = page.locator('[data-testid="message"]')
    expect(messages).to_have_count(4000)
    shape = page.evaluate(
        """() => {
          const body = document.querySelector('[data-testid=transcript]').shadowRoot.firstElementChild;
          const chunks = [...body.querySelectorAll('.rc-chunk')];
          return { chunks: chunks.length, widest: Math.max(...chunks.map((c) => c.children.length)),
                   unsized: chunks.filter((c) => !/^auto [0-9.]+(px|rem)$/.test(c.style.containIntrinsicSize)).length,
                   top: body.children.length,
                   order: [...body.querySelectorAll('[data-testid="message"]')].map((m) => m.textContent.trim()) };
        }"""
    )
    # Tens of children per chunk (up to FAN - 1 chunks of each depth and a chunk's worth of messages), where a
    # chunk that took every message built after it was sealed held thousands (3,404 here).
    assert shape["chunks"] > 16 and shape["widest"] <= 100 and shape["top"] < 60, {**shape, "order": None}
    assert shape["unsized"] == 0, {**shape, "order": None}  # each stands off screen for its height
    expected = [t for i in range(2000) for t in (f"Question {i}", f"Answer {i}: bold")]
    assert len(shape["order"]) == 4000 and all(e in t for e, t in zip(expected, shape["order"], strict=True))
    # The oldest, built into a chunk while off screen, shows as any message when scrolled to.
    first = page.locator(ASSISTANT).first
    first.scroll_into_view_if_needed()
    expect(first.locator("strong")).to_have_text("bold")
    assert box(first)["height"] > 10
    send(page, "hi")
    expect(page.locator(ASSISTANT).last).to_contain_text("You said hi")
    expect(messages).to_have_count(4002)


# A transcript growing a hundred messages a frame (each built at once, none waiting): its older ones are sealed
# as it grows, FAN chunks of one depth into one a level deeper in the same step as the last of them.
GROWING = """
import time
import reactchat as rc
rc.chat_input("Say")
time.sleep(0.6)  # the run's first frame goes (at 0.5 s), holding none of them
for i in range(600):
    rc.message("user", f"Question {i}")
    rc.message("assistant", f"Answer {i}")
    if i % 50 == 49:
        time.sleep(0.06)  # a frame goes
"""


def px(size: str) -> int:
    """The height in ``contain-intrinsic-size: auto <n>px``."""
    found = re.fullmatch(r"auto (\d+)px", size)
    assert found, size
    return int(found[1])


def test_a_growing_transcript_seals_chunks_sized_as_what_they_hold(
    page: Page, serve: Callable[..., Any], write_app: Callable[..., str]
) -> None:
    open_app(page, serve(write_app(GROWING)).url)
    expect(page.locator('[data-testid="message"]')).to_have_count(1200)
    sizes = page.evaluate(
        """() => [...document.querySelector('[data-testid=transcript]').shadowRoot.querySelectorAll('.rc-chunk')]
                 .map((c) => [c.style.containIntrinsicSize,
                              [...c.children].filter((k) => k.matches('.rc-chunk')).map((k) => k.style.containIntrinsicSize)])"""
    )
    deeper = [(px(size), sum(map(px, inner))) for size, inner in sizes if inner]
    assert deeper, sizes  # FAN chunks in a row were sealed into one
    # Each sized by a layout of what it holds, as it was: a deeper chunk as its chunks and the space between
    # them (measured while the newest chunk in it was hidden for its first styling, it was not).
    for size, held in deeper:
        assert held < size < held + 16 * 40, deeper
