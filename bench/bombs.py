"""Render bombs: texts any user can send that once cost seconds to minutes of server CPU to render.

Shared by the tests (tests/test_markdown.py asserts each is bounded in work) and ``make bench`` (the
"render bombs" section prints each one's CPU and how long it stalls another session's renders). Each entry
records what it cost before the fix that bounded it, measured on the bench machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reactchat.markdown import MAX_SOURCE_CHARS, MarkdownOptions, markdown_options

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
    ]
