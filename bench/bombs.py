"""Render bombs: texts any user can send that once cost seconds to hours of server CPU to render.

Shared by the tests (tests/test_markdown.py asserts each is bounded in work) and ``make bench`` (section 4b
prints each one's CPU and how long it stalls another session's renders). Each entry records what it cost
before the fixes, measured on the bench machine. Besides the findings, the corpus holds each costly
construct at the largest size still rendered as markdown: the most work a single render can do.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from reactchat.markdown import (
    MAX_SOURCE_CHARS,
    MarkdownOptions,
    MarkdownStream,
    markdown_options,
    render_work,
)
from reactchat.render_budget import RENDER_BUDGET, RenderWork
from reactchat.stream import open_html

T = TypeVar("T")
NEAR_CAP = MAX_SOURCE_CHARS - 1_000  # the longest texts that are still parsed as markdown
MESSAGE_CAP = 1 << 20  # reactchat.config.Config.max_message_bytes


def fill(unit: str, size: int) -> str:
    """``unit`` repeated to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


@dataclass(frozen=True)
class Bomb:
    name: str
    text: str
    before: str  # CPU it took before the fixes (est.: extrapolated from smaller sizes, too slow to wait for)
    options: MarkdownOptions = field(default_factory=markdown_options)
    streamed: bool = False  # fed to a stream in chunks, the tail's HTML trimmed each frame as Writer does


def at_budget(unit: str, head: str = "") -> str:
    """``head`` and ``unit`` repeated to the largest size that still renders as markdown: the most work one
    render of it can do (a sample's charge, scaled to the budget, then shrunk until it renders)."""
    sample = fill(unit, 4_000)
    size = int(len(sample) * RENDER_BUDGET / render_work(head + sample)[1].units)
    while render_work(head + fill(unit, size))[1].fallback:
        size = size * 49 // 50
    return head + fill(unit, size)


def _fence(lang: str, body: str) -> str:
    return f"```{lang}\n{body}\n```\n"


def corpus(small: bool = False) -> list[Bomb]:
    """The bombs. ``small``: only the sizes that reproduce each finding quickly (for the tests); otherwise
    also each bomb at the largest size that is still parsed, and one at the 1 MiB message cap."""
    raw = markdown_options(raw_html=True)
    bombs = [
        Bomb("unclosed $ (24 KB)", "$a " * 8_000, "9.2 s"),
        Bomb("unclosed $ (36 KB)", "$a " * 12_000, "18.9 s"),
        Bomb("unclosed \\( (120 KB)", "\\( " * 40_000, "2.4 s"),
        Bomb("unclosed \\[ (120 KB)", "\\[ " * 40_000, "2.4 s"),
        Bomb("task list, 10k items (80 KB)", "- [ ] a\n" * 10_000, "10.5 s"),
        Bomb("C fence, blank lines (16 KB)", _fence("c", " \n" * 8_000), "6.0 s"),
        Bomb("TypeScript fence, a.a.a (16 KB)", _fence("typescript", "a." * 8_000), "5.8 s"),
        Bomb("Python fence, blank lines (16 KB)", _fence("python", " \n" * 8_000), "5.0 s"),
        Bomb("streamed paragraph, 40k spaces", "x" + " " * 40_000 + "y", "3.9 s", streamed=True),
        Bomb("raw HTML <ul><li> x 10k (80 KB)", "<ul><li>" * 10_000, "1.0 s", raw),
        Bomb("raw HTML <div> x 40k (200 KB)", "<div>" * 40_000, "3.1 s", raw),
        Bomb(
            "[a] x 30k after [a]: 2 KB url",
            "[a]: http://" + "x" * 2_000 + "\n\n" + "[a]" * 30_000,
            "0.8 s, 62 MB",
        ),
        Bomb("nested quotes > x 5k", "> " * 5_000 + "deep", "0.0 s"),
    ]
    if small:
        return bombs
    table = "| a | b | c |\n|---|---|---|\n" + fill("| 1 | 2 | 3 |\n", 490_000)
    long_reference = "[a]: http://" + "x" * 20_000 + "\n\n" + fill("[a]", NEAR_CAP - 20_020)
    return [
        *bombs,
        Bomb("unclosed $ (499 KB)", fill("$a ", NEAR_CAP), "~1 h (est.)"),
        Bomb("unclosed \\( (499 KB)", fill("\\( ", NEAR_CAP), "~40 s (est.)"),
        Bomb("table (490 KB)", table, "2.9 s"),
        Bomb("[ x 400k (400 KB)", "[" * 400_000, "4.9 s"),
        Bomb("links [x](y) (499 KB)", fill("[x](y) ", NEAR_CAP), "2.0 s"),
        Bomb("task list (499 KB)", fill("- [ ] a\n", NEAR_CAP), "~7 min (est.)"),
        Bomb("nested lists - - - a (499 KB)", fill("- - - a\n", NEAR_CAP), "7.0 s"),
        Bomb("headings (499 KB)", fill("# a\n", NEAR_CAP), "7.6 s"),
        Bomb("emphasis *a (499 KB)", fill("*a ", NEAR_CAP), "2.0 s"),
        Bomb("C fence, blank lines (499 KB)", _fence("c", fill(" \n", NEAR_CAP - 10)), "~1.5 h (est.)"),
        Bomb("[a] x 160k after [a]: 20 KB url", long_reference, "47 s, 3 GB"),
        Bomb("raw HTML <ul><li> (499 KB)", fill("<ul><li>", NEAR_CAP), "~40 s (est.)", raw),
        Bomb("1 MiB of text", "x" * MESSAGE_CAP, "0.0 s"),
        # The most work a render can do: each construct at the largest size still rendered as markdown.
        *(
            Bomb(f"{name}, at the budget ({len(text) // 1000} KB)", text, before)
            for name, text, before in (
                ("list items", at_budget("- a\n"), "0.08 s"),
                ("nested lists", at_budget("- - - a\n"), "0.10 s"),
                ("task list", at_budget("- [ ] a\n"), "0.34 s"),
                ("headings", at_budget("# a\n"), "0.24 s"),
                ("table", at_budget("|1|2|3|\n", head="|a|b|c|\n|-|-|-|\n"), "0.10 s"),
                ("[", at_budget("["), "0.06 s"),
                ("images ![a", at_budget("![a "), "0.13 s"),
                ("emphasis *a _", at_budget("*a _"), "0.14 s"),
                ("math $a $b$", at_budget("$a $b$ "), "0.06 s"),
                ("mixed inline markup", at_budget("*a* **b** `c` [d](e) $f$ <g> "), "0.11 s"),
                ("lines", at_budget("a\n"), "0.07 s"),
                ("prose", at_budget("The quick brown fox jumps over the lazy dog. "), "0.01 s"),
            )
        ),
    ]


@dataclass(frozen=True)
class Measured:
    cpu: float  # thread CPU seconds to render the bomb alone (the least of the runs)
    stall: float  # the longest another thread waited between two of its short renders meanwhile (s)
    fallback: str | None  # why the text was shown as plain text, if it was
    unhighlighted: int  # characters of code left unhighlighted because highlighting ran out of time
    html_bytes: int


def render(bomb: Bomb) -> tuple[list[str], RenderWork | None]:
    """Render ``bomb`` as the server does: ``markdown_props``'s render, or a stream fed in chunks whose
    open block is re-rendered and trimmed (``open_html``) every frame, as ``Writer`` does."""
    if not bomb.streamed:
        return render_work(bomb.text, bomb.options)
    stream = MarkdownStream(bomb.options)
    for i in range(0, len(bomb.text), 1000):
        stream.feed(bomb.text[i : i + 1000])
        _done, tail = stream.render()
        open_html(tail)
    return stream.finish(), None


def with_other_session(work: Callable[[], T]) -> tuple[T, float, float]:
    """Run ``work`` on this thread while another thread (another session) renders short messages in a
    loop, timestamping each. Returns what ``work`` returned, its thread CPU seconds, and the longest gap
    between two of the other thread's timestamps while it ran: how long it kept the other session waiting.
    """
    stop = threading.Event()
    stamps: list[float] = []

    def other_session() -> None:
        i = 0
        stamps.append(time.perf_counter())
        while not stop.is_set():
            render_work(f"hello *world* {i}")  # not cached: a real render each time
            stamps.append(time.perf_counter())
            i += 1

    thread = threading.Thread(target=other_session, name="other-session", daemon=True)
    thread.start()
    while len(stamps) < 5:  # the other session is running before the work starts
        time.sleep(0.001)
    first = len(stamps) - 1
    cpu = time.thread_time()
    result = work()
    cpu = time.thread_time() - cpu
    last = len(stamps)
    stop.set()
    thread.join()
    window = stamps[first : last + 1]  # from the last stamp before the work to the first one after it
    return result, cpu, max((b - a for a, b in itertools.pairwise(window)), default=0.0)


def busy(seconds: float) -> None:
    """Plain Python work for ``seconds`` of thread CPU: the baseline stall, what any Python work costs
    another thread on this machine (GIL switch interval, garbage collection, other processes)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        sum(range(1000))


def measure(bomb: Bomb, runs: int = 3) -> Measured:
    """Render ``bomb`` ``runs`` times alone for its CPU, then ``runs`` times next to another session for
    the stall; the least of each (what the render itself costs every time, not an unlucky moment of a
    shared machine: two busy threads on two cores also slow each other down)."""
    cpus = []
    for _ in range(runs):
        start = time.thread_time()
        blocks, work = render(bomb)
        cpus.append(time.thread_time() - start)
    stalls = [with_other_session(lambda: render(bomb))[2] for _ in range(runs)]
    return Measured(
        cpu=min(cpus),
        stall=min(stalls),
        fallback=work.fallback if work else None,
        unhighlighted=work.unhighlighted if work else 0,
        html_bytes=sum(len(b.encode()) for b in blocks),
    )
