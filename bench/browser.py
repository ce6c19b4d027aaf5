"""Section 5: reactchat in a real browser (Debian's Chromium driven by Playwright, never a downloaded one).

Three measurements, each on a fresh page of one headless Chromium against ``reactchat run`` serving the app
as a process of its own (``serving``):

* the first page load: requests and the bytes the browser received (compressed, headers included, from
  CDP's ``Network.loadingFinished``), and that KaTeX and the highlighting stylesheet stay unrequested;
* short echo turns with 0, 1,000 and 10,000 prior messages, on three pages in rounds: a MutationObserver
  installed in the page before each Enter reports when the reply appears and how many DOM nodes the turn
  added, removed or changed, and CDP's ``Performance.getMetrics`` the main-thread work for the turn;
* a 2,000-token reply streamed at 2 ms per token: the frames the page received (Playwright's
  ``framereceived``) and the main-thread work per frame, early in the stream and late in it.

Playwright's sync API runs in a thread of its own: while it is alive it marks an asyncio loop as running on
its thread, which would break any later ``asyncio.run`` of the bench on the main thread.
"""

from __future__ import annotations

import concurrent.futures
import os
import pathlib
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import msgpack

from bench.apps import Apps
from bench.corpus import stream_tokens
from bench.report import Section, kb, median, ms, p90
from reactchat.ops import RUN, SNAP
from tests.browser.ui import CHROMIUM, CHROMIUM_ARGS
from tests.nginx import Worker, free_ports

if TYPE_CHECKING:
    from playwright.sync_api import Browser, CDPSession, Page, WebSocket

SELECTORS = {
    "app": '[data-testid="app"]',
    "transcript": '[data-testid="transcript"]',
    "message": '[data-testid="message"]',
    "input": 'textarea[data-testid="chat-input"]',
}
FINAL_STATES = ("done", "error", "stopped")

LOAD_TARGET = 60 * 1024  # DESIGN: "one HTML, one JS and one CSS file, compressed, about 60 KB in all"
TURN_HISTORY = 1000
LONG_HISTORY = 10_000  # issue #16: "costs the same per turn as a short one"
HISTORIES = (0, TURN_HISTORY, LONG_HISTORY)
LOAD_TIMEOUT_MS = 180_000
# Chromium holds a page's other tasks after a discrete input (a key) until the frame after it is drawn
# (DeferRendererTasksAfterInput): a reply that arrives within a frame of the Enter then waits for the
# display's next frame, and a turn's latency read the frame clock's phase, 6 or 16 ms at random, rather than
# the app's work. Its medians swung 7.8-14.7 ms between runs of the same build; without the hold they hold.
BENCH_ARGS = [*CHROMIUM_ARGS, "--disable-features=DeferRendererTasksAfterInput"]
# A turn varies by a few ms with the machine's scheduling: medians of more turns hold still (of 24, the
# N=10,000 / N=0 ratio of main-thread CPU moved 0.96-1.19 between runs of one build).
TURNS = 48
WARMUP_TURNS = 3
TURN_WORK_TARGET = 0.005  # "a few ms of browser work"
# Issue #16, "flat at any length": a turn at N=1000 costs what it costs at N=0, in latency and in CPU.
FLAT_RATIO = 1.15
LATENCY_TARGET = 0.020  # Enter -> reply in DOM at N=1000
TURN_CPU_TARGET = 0.030  # main-thread tasks per echo turn at N=1000
TIMES = "\u00d7"  # the multiplication sign, as the issue writes its targets
STREAM_TOKENS = 2000
STREAM_DELAY = 0.002
STREAM_SAMPLE = 0.1  # seconds between two main-thread samples during the stream
STREAM_GROWTH_TARGET = 2.0  # work per frame, last third / first third: proportional to the change
SECTION_TIMEOUT = 300.0

# Renderer main-thread time from Performance.getMetrics (seconds, cumulative).
WORK_METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")


class Unavailable(Exception):
    """Chromium or Playwright is missing: the section cannot run."""


def unavailable() -> str | None:
    """Why the browser section cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return (
            f"{CHROMIUM} is missing: this section drives Debian's Chromium"
            " (`apt-get install chromium`; Playwright never downloads one)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not installed ({exc}); `pip install -e '.[test]'` brings it"
    return None


# -- in-page instrumentation --------------------------------------------------------------------------------

# A statement defining deepAll(root, sel): the elements under root matching sel, in order, those in the
# transcript's shadow root (frontend/src/shadow.ts) in their place.
DEEP_ALL = """
  const deepAll = (root, sel) => {
    const out = [];
    for (const el of root.querySelectorAll(sel + ", .rc-transcript")) {
      if (el.matches(sel)) out.push(el);
      if (el.shadowRoot) out.push(...deepAll(el.shadowRoot, sel));
    }
    return out;
  };
"""

# Installed before each turn: a keydown listener (capture) stamps the Enter, a MutationObserver on the whole
# app counts what the turn did to the DOM, and the promise window.__rcTurn settles once the reply is in the
# transcript, the run is idle again and 100 ms more have passed (to catch anything that trails the run).
_TURN_JS = (
    """
([sel, reply, timeoutMs]) => {"""
    + DEEP_ALL
    + """
  const root = document.querySelector(sel.app);
  const tr = document.querySelector(sel.transcript);
  // The messages shown before this turn: all of them once per page, then each turn's own (an O(N) set per
  // turn would make garbage that the page collects during the next turn's window, at 10,000 messages).
  if (!window.__rcSeen) window.__rcSeen = new WeakSet(deepAll(tr.shadowRoot ?? tr, sel.message));
  const before = window.__rcSeen;
  const st = {
    t0: null, user: null, reply: null, paint: null, idle: null,
    records: 0, added: 0, addedTop: 0, removed: 0, attrs: 0, texts: 0, outside: 0,
  };
  const old = new Set();
  const fresh = new Set();
  const deep = (n) => {
    let k = 1;
    const w = document.createTreeWalker(n);
    while (w.nextNode()) k++;
    return k;
  };
  const msgOf = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    return el ? el.closest(sel.message) : null;
  };
  const onKey = (e) => {
    if (e.key === "Enter" && st.t0 === null) st.t0 = e.timeStamp;
  };
  document.addEventListener("keydown", onKey, true);
  let settle = null;
  let resolve, reject;
  window.__rcTurn = new Promise((a, b) => { resolve = a; reject = b; });
  const handle = (recs, now) => {
    for (const r of recs) {
      st.records++;
      const touched = [];
      if (r.type === "childList") {
        for (const n of r.addedNodes) { st.addedTop++; st.added += deep(n); touched.push(n); }
        for (const n of r.removedNodes) st.removed += deep(n);
      } else if (r.type === "attributes") st.attrs++;
      else st.texts++;
      const inside = r.target === tr || tr.contains(r.target) || r.target.getRootNode() === tr.shadowRoot;
      if (!inside) { st.outside++; continue; }
      touched.push(r.target);
      for (const n of touched) {
        const m = msgOf(n);
        if (!m) continue;
        if (before.has(m)) { old.add(m); continue; }
        fresh.add(m);
        const text = m.textContent || "";
        if (st.user === null && m.dataset.role === "user" && text.includes(reply.user)) st.user = now;
        if (st.reply === null && m.dataset.role === "assistant" && text.includes(reply.assistant)) {
          st.reply = now;
          requestAnimationFrame(() => setTimeout(() => { st.paint = performance.now(); }, 0));
        }
      }
    }
    if (st.reply !== null && settle === null && root.dataset.runState === "idle") {
      st.idle = now;
      settle = setTimeout(finish, 100);
    }
  };
  const obs = new MutationObserver((recs) => handle(recs, performance.now()));
  const timer = setTimeout(() => {
    obs.disconnect();
    document.removeEventListener("keydown", onKey, true);
    reject(new Error("turn timed out: " + JSON.stringify(st)));
  }, timeoutMs);
  function finish() {
    handle(obs.takeRecords(), performance.now());
    obs.disconnect();
    clearTimeout(timer);
    document.removeEventListener("keydown", onKey, true);
    for (const m of fresh) before.add(m);
    resolve({ ...st, oldTouched: old.size, freshMessages: fresh.size });
  }
  obs.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
  const all = { childList: true, subtree: true, attributes: true, characterData: true };
  if (tr.shadowRoot) obs.observe(tr.shadowRoot, all);
}
"""
)

# During the stream: count what the page's DOM does, without timing anything (CDP samples do that).
_STREAM_JS = """
(sel) => {
  const root = document.querySelector(sel.app);
  const st = { added: 0, removed: 0, attrs: 0, texts: 0, records: 0 };
  const deep = (n) => {
    let k = 1;
    const w = document.createTreeWalker(n);
    while (w.nextNode()) k++;
    return k;
  };
  const obs = new MutationObserver((recs) => {
    for (const r of recs) {
      st.records++;
      if (r.type === "childList") {
        for (const n of r.addedNodes) st.added += deep(n);
        for (const n of r.removedNodes) st.removed += deep(n);
      } else if (r.type === "attributes") st.attrs++;
      else st.texts++;
    }
  });
  const tr = document.querySelector(sel.transcript);
  obs.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
  const all = { childList: true, subtree: true, attributes: true, characterData: true };
  if (tr.shadowRoot) obs.observe(tr.shadowRoot, all);
  window.__rcStream = () => {
    obs.disconnect();
    const msgs = (tr.shadowRoot ?? tr).querySelectorAll(sel.message);
    const last = msgs[msgs.length - 1];
    return { ...st, finalNodes: last ? deep(last) : 0, finalText: last ? last.textContent.length : 0 };
  };
}
"""


# -- plumbing -----------------------------------------------------------------------------------------------


class WsFrame(NamedTuple):
    at: float  # perf_counter when Playwright delivered it (Python side)
    size: int
    ops: tuple[int, ...]  # op codes, in order


@dataclass
class WsLog:
    """The WebSocket frames a page received, and when frames carrying the run's final state came."""

    frames: list[WsFrame] = field(default_factory=list)
    final_at: list[float] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("websocket", self._socket)

    def _socket(self, ws: WebSocket) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        at = time.perf_counter()
        data = payload.encode() if isinstance(payload, str) else payload
        try:
            _version, _seq, ops = msgpack.unpackb(data, raw=False)
        except Exception:
            ops = []
        codes = tuple(op[0] for op in ops if isinstance(op, list) and op and isinstance(op[0], int))
        self.frames.append(WsFrame(at, len(data), codes))
        if any(isinstance(op, list) and op and op[0] == RUN and op[1] in FINAL_STATES for op in ops):
            self.final_at.append(at)

    def finished(self, start: float) -> list[float]:
        """When frames carrying the run's final state arrived, since ``start``."""
        return [at for at in self.final_at if at >= start]

    def since(self, start: float) -> list[WsFrame]:
        return [f for f in self.frames if f.at >= start]


def work(cdp: CDPSession) -> dict[str, float]:
    """The renderer's cumulative main-thread times (seconds)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return {m["name"]: float(m["value"]) for m in metrics if m["name"] in WORK_METRICS}


def delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before.get(k, 0.0) for k in after}


def layout(d: dict[str, float]) -> float:
    return d.get("LayoutDuration", 0.0) + d.get("RecalcStyleDuration", 0.0)


def split(d: dict[str, float]) -> str:
    """``task / script / layout+style`` in ms."""
    task, script = d.get("TaskDuration", 0.0), d.get("ScriptDuration", 0.0)
    return f"{task * 1e3:.0f} / {script * 1e3:.0f} / {layout(d) * 1e3:.0f} ms"


@dataclass(frozen=True)
class Server:
    """Where ``serving`` serves an app."""

    url: str


@contextmanager
def serving(path: str) -> Iterator[Server]:
    """``reactchat run`` serving ``path`` (store in memory) as a process of its own, as a user runs it. Served
    from a thread of this process, the server shared the interpreter with Playwright's client: a turn's round
    trip read 6-16 ms there, where the server alone answers in about 3."""
    port = free_ports(1)
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        worker = Worker(path, port, "memory", pathlib.Path(folder)).wait()
        try:
            yield Server(f"http://127.0.0.1:{port}")
        finally:
            worker.stop()


@contextmanager
def new_page(browser: Browser) -> Iterator[tuple[Page, CDPSession]]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        yield page, cdp
    finally:
        context.close()


def wait_idle(page: Page, messages: int, timeout_ms: float = 60_000) -> None:
    """Wait for the first run to finish with at least ``messages`` messages in the transcript."""
    page.wait_for_function(
        """([sel, n]) => {"""
        + DEEP_ALL
        + """
            const app = document.querySelector(sel.app);
            return app && app.dataset.runState === "idle"
                && deepAll(document, sel.message).length >= n
                && document.querySelector(sel.input) && !document.querySelector(sel.input).disabled;
        }""",
        arg=[SELECTORS, messages],
        timeout=timeout_ms,
        polling=20,
    )


# -- the three measurements ---------------------------------------------------------------------------------


def first_load(browser: Browser, apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    with serving(apps.echo(0)) as served, new_page(browser) as (page, cdp):
        requests: dict[str, dict[str, Any]] = {}

        def entry(event: dict[str, Any]) -> dict[str, Any]:
            return requests.setdefault(event["requestId"], {})

        def sent(e: dict[str, Any]) -> None:
            entry(e).update(url=e["request"]["url"], type=e.get("type", "Other"))

        def sent_extra(e: dict[str, Any]) -> None:
            headers = {k.lower(): v for k, v in e.get("headers", {}).items()}
            entry(e)["accept_encoding"] = headers.get("accept-encoding")

        def received(e: dict[str, Any]) -> None:
            headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
            entry(e).update(status=e["response"]["status"], encoding=headers.get("content-encoding", ""))

        def finished(e: dict[str, Any]) -> None:
            entry(e)["received"] = int(e["encodedDataLength"])

        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.requestWillBeSentExtraInfo", sent_extra)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        started = time.perf_counter()
        page.goto(served.url)
        wait_idle(page, 0)
        ready = time.perf_counter() - started
        page.wait_for_timeout(300)  # anything loaded lazily after the first run
        # The decoded sizes, for comparison (text bodies: no base64).
        bodies = {
            rid: len(cdp.send("Network.getResponseBody", {"requestId": rid}).get("body", "").encode())
            for rid, r in requests.items()
            if r.get("type") in ("Document", "Script", "Stylesheet") and "received" in r
        }
        cdp.send("Network.disable")

    every = [r | {"id": rid} for rid, r in requests.items() if "url" in r]
    # The shipped typeface loads only where the system has none of the UI fonts the stack names first (as
    # on this machine, a Linux without a desktop); it is counted apart, as it costs nothing elsewhere.
    fonts = [r for r in every if r.get("type") == "Font"]
    loaded = [r for r in every if r.get("type") != "Font"]
    total = sum(r.get("received", 0) for r in loaded)
    kinds = [r["type"] for r in loaded]
    lazy = [r["url"] for r in loaded if "katex" in r["url"].lower() or "highlight.css" in r["url"]]
    accept = next((r["accept_encoding"] for r in loaded if r.get("accept_encoding")), None)
    data["first_load"] = {
        "requests": [
            {
                "url": r["url"].split("?")[0].replace(served.url, ""),
                "type": r["type"],
                "status": r.get("status"),
                "encoding": r.get("encoding"),
                "received": r.get("received"),
                "decoded_body": bodies.get(r["id"]),
            }
            for r in every
        ],
        "received_total": total,
        "font_bytes": sum(r.get("received", 0) for r in fonts),
        "accept_encoding": accept,
        "lazy_requested": lazy,
        "goto_to_idle_ms": round(ready * 1e3, 2),
    }
    expected = sorted(["Document", "Script", "Stylesheet"])
    sec.check(
        "first load: requests (HTML, JS, CSS)",
        f"{len(loaded)} ({', '.join(kinds)})",
        "3: one of each",
        sorted(kinds) == expected,
    )
    sec.check(
        "first load: bytes received, compressed", kb(total), f"<= {kb(LOAD_TARGET)}", total <= LOAD_TARGET
    )
    for r in loaded:
        name = r["url"].split("?")[0].replace(served.url, "") or "/"
        raw = bodies.get(r["id"])
        sec.info(
            f"  {name} ({r.get('encoding') or 'identity'})",
            f"{kb(r.get('received', 0))}" + (f" of {kb(raw)}" if raw is not None else ""),
        )
    sec.check(
        "first load: KaTeX / highlight.css requested", ", ".join(lazy) or "neither", "neither", not lazy
    )
    plain = [r["url"].split("?")[0] for r in loaded if r["type"] != "Document" and not r.get("encoding")]
    sec.check("first load: JS and CSS compressed", ", ".join(plain) or "yes", "yes", not plain)
    shown_fonts = [f"{r['url'].split('?')[0].rsplit('/', 1)[-1]} {kb(r.get('received', 0))}" for r in fonts]
    sec.info("first load: fonts (only where the system has no UI font)", ", ".join(shown_fonts) or "none")
    sec.info("first load: goto -> first run idle", ms(ready))
    sec.note(f"bytes = CDP encodedDataLength (body as sent plus response headers); Accept-Encoding: {accept}")


@dataclass
class TurnResult:
    reply: float  # Enter -> the assistant's reply in the DOM (s)
    user: float  # Enter -> the user's message in the DOM (s)
    paint: float  # Enter -> the frame after the reply (s)
    idle: float  # Enter -> run idle in the DOM (s)
    added: int  # nodes added, counting every node of an added subtree
    added_top: int
    removed: int
    attrs: int
    texts: int
    old_touched: int  # messages from before the turn that a mutation touched
    fresh: int  # messages the turn created or changed
    outside: int  # mutation records outside the transcript (composer, run state)
    work: dict[str, float]  # main-thread seconds by CDP metric
    frames: int
    bytes: int


def focus_input(page: Page) -> None:
    """Focus the composer's box. Not page.focus: Playwright's selector engine walks the whole DOM (shadow
    roots too), 400,000 nodes at 10,000 messages, and its garbage is collected in the next measured window."""
    page.evaluate("(s) => document.querySelector(s).focus()", SELECTORS["input"])


def one_turn(page: Page, cdp: CDPSession, ws: WsLog, text: str) -> TurnResult:
    reply = {"user": text, "assistant": f"You said: {text}"}
    page.evaluate(_TURN_JS, [SELECTORS, reply, 15_000])
    focus_input(page)
    page.keyboard.insert_text(text)
    before = work(cdp)
    sent = time.perf_counter()
    page.keyboard.press("Enter")
    st = page.evaluate("window.__rcTurn")
    after = work(cdp)
    frames = [f for f in ws.since(sent)]
    t0 = st["t0"]

    def rel(key: str) -> float:
        value = st[key]
        return (value - t0) / 1e3 if value is not None and t0 is not None else float("nan")

    return TurnResult(
        reply=rel("reply"),
        user=rel("user"),
        paint=rel("paint"),
        idle=rel("idle"),
        added=st["added"],
        added_top=st["addedTop"],
        removed=st["removed"],
        attrs=st["attrs"],
        texts=st["texts"],
        old_touched=st["oldTouched"],
        fresh=st["freshMessages"],
        outside=st["outside"],
        work=delta(after, before),
        frames=len(frames),
        bytes=sum(f.size for f in frames),
    )


@dataclass
class Open:
    """One page open on an echo app of ``n`` prior messages, with what its load took."""

    n: int
    page: Page
    cdp: CDPSession
    ws: WsLog
    loaded: float
    load_work: dict[str, float]
    load_frames: list[WsFrame]
    shown: int
    out: list[TurnResult] = field(default_factory=list)


def load(browser: Browser, apps: Apps, n: int, stack: ExitStack) -> Open:
    """Open a page on the echo app seeded with ``n`` messages and wait until all of them are built."""
    served = stack.enter_context(serving(apps.echo(n)))
    page, cdp = stack.enter_context(new_page(browser))
    ws = WsLog()
    ws.attach(page)
    before = work(cdp)
    started = time.perf_counter()
    page.goto(served.url)
    wait_idle(page, n, LOAD_TIMEOUT_MS)
    loaded = time.perf_counter() - started
    load_work = delta(work(cdp), before)
    shown = page.locator(SELECTORS["message"]).count()
    return Open(n, page, cdp, ws, loaded, load_work, list(ws.frames), shown)


def turns(browser: Browser, apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    with ExitStack() as stack:
        pages = [load(browser, apps, n, stack) for n in HISTORIES]
        # Round robin: each round is one turn on every page, so what the machine does meanwhile (another
        # process, a CPU's clock) weighs on every history alike, and the ratios compare like with like.
        for i in range(WARMUP_TURNS + TURNS):
            for o in pages:
                o.page.wait_for_timeout(60)  # the user reads and types; the sender's pacing window passes
                text = f"Browser turn {i} of {o.n} prior messages, please echo."
                o.out.append(one_turn(o.page, o.cdp, o.ws, text))
        keys = {o.n: typing(o) for o in pages}
    for o in pages:
        report_turns(o, sec, data)
    flatness(sec, data)
    for n, per_key in keys.items():
        data[f"n{n}"]["keystroke_ms"] = round(per_key * 1e3, 3)
        sec.info(f"N={n}: typing in the composer: main thread per keystroke, median", ms(per_key))


TYPED = "hello world"
TYPING_ROUNDS = 5


def typing(o: Open) -> float:
    """Main-thread seconds per keystroke typing TYPED into the composer (30 ms apart), median of rounds."""
    focus_input(o.page)
    per_key = []
    for _ in range(TYPING_ROUNDS):
        before = work(o.cdp)
        o.page.keyboard.type(TYPED, delay=30)
        o.page.wait_for_timeout(100)
        per_key.append((work(o.cdp)["TaskDuration"] - before["TaskDuration"]) / len(TYPED))
        o.page.keyboard.press("Control+A")
        o.page.keyboard.press("Delete")
    return median(per_key)


def report_turns(o: Open, sec: Section, data: dict[str, Any]) -> None:
    n, measured, shown = o.n, o.out[WARMUP_TURNS:], o.shown
    load_frames, load_work = o.load_frames, o.load_work
    d: dict[str, Any] = {
        "messages_shown": shown,
        "load_ms": round(o.loaded * 1e3, 1),
        "load_frames": len(load_frames),
        "load_bytes": sum(f.size for f in load_frames),
        "load_largest_frame": max((f.size for f in load_frames), default=0),
        "load_snap_bytes": sum(f.size for f in load_frames if SNAP in f.ops),
        "load_work_ms": {k: round(v * 1e3, 2) for k, v in load_work.items()},
        "turns": len(measured),
    }
    for key in ("reply", "user", "paint", "idle"):
        values = [getattr(t, key) for t in measured]
        d[f"{key}_median_ms"] = round(median(values) * 1e3, 2)
        d[f"{key}_p90_ms"] = round(p90(values) * 1e3, 2)
    for key in ("added", "added_top", "removed", "attrs", "texts", "old_touched", "fresh", "outside"):
        values = [getattr(t, key) for t in measured]
        d[f"{key}_median"] = median(values)
        d[f"{key}_max"] = max(values)
    for metric in WORK_METRICS:
        d[f"{metric}_median_ms"] = round(median([t.work.get(metric, 0.0) for t in measured]) * 1e3, 3)
    for key in ("added", "removed", "attrs", "frames"):
        d[f"{key}_per_turn"] = [getattr(t, key) for t in measured]
    d["frames_median"] = median([t.frames for t in measured])
    d["bytes_median"] = median([t.bytes for t in measured])
    data[f"n{n}"] = d

    if n:
        sec.info(f"N={n}: load: frames / bytes received", f"{len(load_frames)} / {kb(d['load_bytes'])}")
        sec.info(
            f"N={n}: load: the SNAP / largest frame",
            f"{kb(d['load_snap_bytes'])} / {kb(d['load_largest_frame'])}",
        )
        sec.info(f"N={n}: load: goto -> {shown:,} messages shown, idle", ms(o.loaded))
        sec.info(
            f"N={n}: load: main thread task / script / layout+style",
            split(load_work),
        )
    sec.info(f"N={n}: Enter -> user message in DOM, median", ms(median([t.user for t in measured])))
    sec.info(
        f"N={n}: Enter -> reply in DOM, median / p90",
        f"{d['reply_median_ms']:.2f} / {d['reply_p90_ms']:.2f} ms",
    )
    sec.info(f"N={n}: Enter -> next frame after the reply, median", ms(median([t.paint for t in measured])))
    own = median([t.work.get("ScriptDuration", 0.0) + layout(t.work) for t in measured])
    d["script_layout_style_median_ms"] = round(own * 1e3, 3)
    sec.info(
        f"N={n}: main thread per turn: script / layout+style",
        f"{median([t.work.get('ScriptDuration', 0.0) for t in measured]) * 1e3:.2f}"
        f" / {median([layout(t.work) for t in measured]) * 1e3:.2f} ms",
    )
    sec.check(
        f"N={n}: script+layout+style per turn, median",
        ms(own),
        f"< {TURN_WORK_TARGET * 1e3:.0f} ms (a few ms)",
        own < TURN_WORK_TARGET,
    )
    sec.info(
        f"N={n}: main thread per turn, all tasks, median",
        ms(median([t.work.get("TaskDuration", 0.0) for t in measured])),
    )
    sec.info(
        f"N={n}: DOM per turn: nodes added / removed",
        f"{d['added_median']:.0f} / {d['removed_median']:.0f} (max {d['added_max']} / {d['removed_max']})",
    )
    sec.info(
        f"N={n}: DOM per turn: attribute / text changes",
        f"{d['attrs_median']:.0f} / {d['texts_median']:.0f}",
    )
    sec.info(
        f"N={n}: DOM per turn: earlier messages touched (moved)",
        f"{d['old_touched_median']:.0f} (max {d['old_touched_max']})",
    )
    sec.info(
        f"N={n}: frames / bytes per turn, as received",
        f"{d['frames_median']:.0f} / {d['bytes_median']:.0f} B",
    )


def flatness(sec: Section, data: dict[str, Any]) -> None:
    """The checks of "flat at any length": N=1,000 and N=10,000 against N=0, from the same rounds."""
    zero, full = data["n0"], data[f"n{TURN_HISTORY}"]
    differ = [
        f"{k} {full[f'{k}_median']:g} vs {zero[f'{k}_median']:g}"
        for k in ("added", "removed", "attrs", "texts", "old_touched")
        if full[f"{k}_median"] != zero[f"{k}_median"]
    ]
    data["dom_differs"] = differ
    sec.check(
        f"DOM mutations per turn (medians), N={TURN_HISTORY} vs N=0",
        "; ".join(differ) or "equal",
        "equal",
        not differ,
    )
    lo, hi = zero["reply_median_ms"], full["reply_median_ms"]
    ratio = hi / lo if lo > 0 else float("nan")
    data["latency_ratio"] = round(ratio, 3)
    sec.check(
        f"echo latency (Enter → reply in DOM), N={TURN_HISTORY} vs N=0",
        f"{hi:.2f} vs {lo:.2f} ms ({ratio:.2f}{TIMES})",
        f"≤ {FLAT_RATIO:.2f}{TIMES} and ≤ {LATENCY_TARGET * 1e3:.0f} ms",
        ratio <= FLAT_RATIO and hi <= LATENCY_TARGET * 1e3,
    )
    lo = zero["TaskDuration_median_ms"]
    for n, key in ((TURN_HISTORY, "turn_cpu_ratio"), (LONG_HISTORY, "turn_cpu_ratio_long")):
        hi = data[f"n{n}"]["TaskDuration_median_ms"]
        ratio = hi / lo if lo > 0 else float("nan")
        data[key] = round(ratio, 3)
        sec.check(
            f"browser CPU per echo turn (main-thread tasks), N=0 → N={n:,}",
            f"{lo:.2f} → {hi:.2f} ms ({ratio:.2f}{TIMES})",
            f"flat (≤ {FLAT_RATIO:.2f}{TIMES}) and ≤ {TURN_CPU_TARGET * 1e3:.0f} ms",
            ratio <= FLAT_RATIO and hi <= TURN_CPU_TARGET * 1e3,
        )
    sec.note(
        f"N=0, N={TURN_HISTORY:,} and N={LONG_HISTORY:,}: three pages open at once, their turns taken in"
        " rounds (one turn on each page per round), so what else the machine does weighs on each alike;"
        f" typing: '{TYPED}' typed 30 ms a key, main-thread tasks to 100 ms after the last key, per key"
    )
    sec.note(
        f"N={TURN_HISTORY} load: the SNAP is the tree the first run declared (made when its frame goes)."
        " Earlier messages touched: the reply's MOV of the chat_input anchor past the last turn's two"
        " messages re-inserts those two (reconcile moves them, not the anchor)"
    )
    sec.note(
        "Enter -> reply: from the keydown's timeStamp to the MutationObserver callback that sees the reply"
        " (server round trip, the sender's frame pacing and the page's own work); main thread = CDP"
        " Performance.getMetrics from before the Enter to the run's idle + 100 ms (an idle page's tasks"
        " take about 1 ms in such a window); all tasks adds input, paint and compositing. Chromium runs with"
        " DeferRendererTasksAfterInput off (BENCH_ARGS): with it, the reply's frame waits for the display's"
        " next frame after the Enter, and the latency is that frame's phase"
    )


def streaming(browser: Browser, apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    text_bytes = len("".join(stream_tokens(STREAM_TOKENS)).encode())
    with serving(apps.stream(STREAM_DELAY, STREAM_TOKENS)) as served, new_page(browser) as (page, cdp):
        ws = WsLog()
        ws.attach(page)
        page.goto(served.url)
        wait_idle(page, 0)
        page.evaluate(_STREAM_JS, SELECTORS)
        page.focus(SELECTORS["input"])
        page.keyboard.insert_text("Tell me everything.")
        samples: list[tuple[float, int, dict[str, float]]] = []
        start = time.perf_counter()
        samples.append((start, 0, work(cdp)))
        page.keyboard.press("Enter")
        deadline = start + 60
        while not ws.finished(start):
            if time.perf_counter() > deadline:
                raise TimeoutError("the streamed reply did not finish in 60 s")
            page.wait_for_timeout(STREAM_SAMPLE * 1e3)
            now = time.perf_counter()
            samples.append((now, len(ws.since(start)), work(cdp)))
        page.wait_for_timeout(200)  # the last frame's rendering
        end = time.perf_counter()
        samples.append((end, len(ws.since(start)), work(cdp)))
        dom = page.evaluate("window.__rcStream()")
        frames = ws.since(start)

    total = delta(samples[-1][2], samples[0][2])
    count = len(frames)
    received = sum(f.size for f in frames)
    duration = ws.finished(start)[0] - start
    per_frame = {k: v / max(1, count) for k, v in total.items()}

    # Work per frame in the first and the last third of the stream (by frames received).
    def window(lo: int, hi: int) -> float:
        inside = [s for s in samples if lo <= s[1] <= hi]
        if len(inside) < 2 or inside[-1][1] == inside[0][1]:
            return float("nan")
        first, last = inside[0], inside[-1]
        return (last[2]["TaskDuration"] - first[2]["TaskDuration"]) / (last[1] - first[1])

    early, late = window(0, count // 3), window(2 * count // 3, count)
    growth = late / early if early == early and late == late and early > 0 else float("nan")
    data["stream"] = {
        "delay_s": STREAM_DELAY,
        "tokens": STREAM_TOKENS,
        "text_bytes": text_bytes,
        "frames": count,
        "bytes": received,
        "seconds": round(duration, 3),
        "work_ms": {k: round(v * 1e3, 2) for k, v in total.items()},
        "work_per_frame_ms": {k: round(v * 1e3, 4) for k, v in per_frame.items()},
        "task_per_frame_early_ms": round(early * 1e3, 4),
        "task_per_frame_late_ms": round(late * 1e3, 4),
        "late_vs_early": round(growth, 3),
        "busy_fraction": round(total.get("TaskDuration", 0.0) / max(1e-9, end - start), 4),
        "dom": dom,
        "samples": len(samples),
    }
    sec.info(f"stream {STREAM_DELAY * 1e3:g} ms/token: duration", f"{duration:.2f} s")
    sec.info(
        "stream: frames / bytes received by the page",
        f"{count} / {kb(received)} ({received / text_bytes:.2f}x text)",
    )
    sec.info(
        "stream: main thread in all: task / script / layout+style",
        split(total),
    )
    sec.info(
        "stream: per frame: script + layout+style",
        f"{(per_frame.get('ScriptDuration', 0) + layout(per_frame)) * 1e3:.3f} ms",
    )
    sec.info("stream: per frame: all main-thread tasks", f"{per_frame.get('TaskDuration', 0) * 1e3:.3f} ms")
    sec.info("stream: main thread busy", f"{data['stream']['busy_fraction'] * 100:.1f} % of the wall time")
    sec.info("stream: per frame, first / last third of frames", f"{early * 1e3:.3f} / {late * 1e3:.3f} ms")
    sec.check(
        "stream: work per frame, last third / first third",
        f"{growth:.2f}x",
        f"< {STREAM_GROWTH_TARGET:.0f}x (by change, not length)",
        growth < STREAM_GROWTH_TARGET,
    )
    sec.info(
        "stream: DOM nodes added / removed in all",
        f"{dom['added']:,} / {dom['removed']:,} (final message: {dom['finalNodes']:,} nodes)",
    )
    sec.note(
        "stream: each frame re-parses the open (unfinished) block, so the nodes added track the open block's"
        " size times the frames, not the message's length"
    )
    sec.note(
        "stream: main thread = CDP Performance.getMetrics (thread ticks), sampled every"
        f" {STREAM_SAMPLE * 1e3:.0f} ms from the Enter to 200 ms after the final frame"
    )


# -- entry --------------------------------------------------------------------------------------------------


def _run(apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    from bench.slow_stream import slow_stream  # here: it builds on this module's helpers

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BENCH_ARGS, headless=True)
        try:
            data["chromium"] = browser.version
            parts: list[tuple[str, Callable[[Browser, Apps, Section, dict[str, Any]], None]]] = [
                ("first_load", first_load),
                ("turns", turns),
                ("stream", streaming),
                ("slow_stream", slow_stream),
            ]
            for name, part in parts:
                started = time.perf_counter()
                part(browser, apps, sec, data)
                data[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
        finally:
            browser.close()


def run(apps: Apps, sec: Section, data: dict[str, Any]) -> None:
    """Measure section 5 into ``sec`` and ``data``; Unavailable when Chromium or Playwright is missing."""
    reason = unavailable()
    if reason:
        raise Unavailable(reason)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="bench-browser") as pool:
        pool.submit(_run, apps, sec, data).result(timeout=SECTION_TIMEOUT)
