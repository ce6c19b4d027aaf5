"""Section 5, part 4: a reply streamed at a model's pace (500 tokens at 20 ms per token, 50 tokens/s).

A fast stream is bounded by the frame interval; a slow one is bounded by the tokens: every token used to
cost a frame of its own, its fixed overhead on the wire and one render in the browser. This part measures
what such a stream costs the page: the renderer's main-thread time (CDP ``Performance.getMetrics`` from the
Enter to 200 ms after the final frame) and every WebSocket frame the page received, against the text's own
bytes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from bench.apps import Apps
from bench.browser import SELECTORS, WsLog, delta, layout, new_page, serving, split, wait_idle, work
from bench.corpus import stream_tokens
from bench.report import Section, kb

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TOKENS = 500
DELAY = 0.020  # 50 tokens per second
CPU_TARGET = 1.0  # seconds of main-thread work for the whole stream (issue #16)
BYTES_TARGET = 4096  # bytes received for the whole stream (issue #16)
TIMEOUT = 60.0


def slow_stream(browser: Browser, apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    """Stream ``TOKENS`` tokens at ``DELAY`` s/token into a page and print what the page paid for them."""
    text_bytes = len("".join(stream_tokens(TOKENS)).encode())
    with serving(apps.stream(DELAY, TOKENS)) as served, new_page(browser) as (page, cdp):
        ws = WsLog()
        ws.attach(page)
        page.goto(served.url)
        wait_idle(page, 0)
        page.focus(SELECTORS["input"])
        page.keyboard.insert_text("Tell me, slowly.")
        before = work(cdp)
        start = time.perf_counter()
        page.keyboard.press("Enter")
        deadline = start + TIMEOUT
        while not ws.finished(start):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the streamed reply did not finish in {TIMEOUT:.0f} s")
            page.wait_for_timeout(100)
        page.wait_for_timeout(200)  # the last frame's rendering
        total = delta(work(cdp), before)
        frames = ws.since(start)
        # The reply's shown text, in characters: nothing may go missing on the way.
        shown = page.evaluate(
            "(sel) => { const tr = document.querySelector(sel.transcript);"
            " return [...(tr.shadowRoot ?? tr).querySelectorAll(sel.message)].pop().textContent.length; }",
            SELECTORS,
        )

    task = total.get("TaskDuration", 0.0)
    received = sum(f.size for f in frames)
    duration = ws.finished(start)[0] - start
    count = len(frames)
    data["slow_stream"] = {
        "tokens": TOKENS,
        "delay_s": DELAY,
        "text_bytes": text_bytes,
        "frames": count,
        "bytes": received,
        "seconds": round(duration, 3),
        "work_ms": {k: round(v * 1e3, 2) for k, v in total.items()},
        "shown_chars": shown,
    }
    rate = f"{1 / DELAY:.0f} tokens/s"
    sec.check(
        f"{TOKENS}-token stream at {rate}: browser main-thread CPU",
        f"{task:.2f} s",
        f"<= {CPU_TARGET:.1f} s",
        task <= CPU_TARGET,
    )
    sec.check(
        f"{TOKENS}-token stream at {rate}: bytes on the wire",
        f"{kb(received)} (text {kb(text_bytes)})",
        f"<= {kb(BYTES_TARGET)}",
        received <= BYTES_TARGET,
    )
    sec.info(
        f"{TOKENS}-token stream: frames / duration",
        f"{count} / {duration:.2f} s ({count / max(duration, 1e-9):.1f} frames/s)",
    )
    sec.info(f"{TOKENS}-token stream: the reply's text shown (characters)", f"{shown:,}")
    sec.info(f"{TOKENS}-token stream: main thread task / script / layout+style", split(total))
    sec.info(
        f"{TOKENS}-token stream: per frame: task / layout+style",
        f"{task / max(1, count) * 1e3:.2f} / {layout(total) / max(1, count) * 1e3:.2f} ms",
    )
    sec.note(
        f"{TOKENS}-token stream: {DELAY * 1e3:g} ms per token from a generator; bytes = every WebSocket"
        " frame's payload the page received from the Enter to the run's end (Playwright framereceived);"
        " CPU = CDP TaskDuration (thread ticks) from the Enter to 200 ms after the final frame"
    )
