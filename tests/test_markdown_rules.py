from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

from reactchat import render_budget
from reactchat.markdown import render_blocks, render_work
from reactchat.markdown_rules import tasklists
from tests.test_markdown import CPU_LIMIT


@pytest.mark.parametrize("unit", ["$a ", "\\( ", "\\[ ", "$$a "])
def test_unclosed_math_is_searched_once_per_source(unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # With the budget out of the way: the fix is the algorithm, not the fallback. Each opening delimiter
    # used to search every later one ("$a " * 8000: 8 s).
    monkeypatch.setattr(render_budget, "RENDER_BUDGET", float("inf"))
    text = unit * 8_000
    blocks, work = render_work(text)
    assert work.fallback is None and blocks[0].startswith("<p>")
    assert 0 < work.math_scanned <= 2 * len(text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("$x$ and $y$", '<p><span class="math-inline">x</span> and <span class="math-inline">y</span></p>\n'),
        ("$5 and $10", "<p>$5 and $10</p>\n"),
        ("$a $b$", '<p><span class="math-inline">a $b</span></p>\n'),
        ("$a \\$ b$ c", '<p><span class="math-inline">a \\$ b</span> c</p>\n'),
        ("$a$1 $b$", '<p><span class="math-inline">a$1 $b</span></p>\n'),
        ("$$x$$ \\(y\\) \\[z\\]", '<p><span class="math-display">x</span> <span class="math-inline">y</span>'
         ' <span class="math-display">z</span></p>\n'),
        ("$$", "<p>$$</p>\n"),
        ("\\(\\)", "<p>()</p>\n"),
        ("$x", "<p>$x</p>\n"),
    ],
)  # fmt: skip
def test_math_delimiters_close_as_before(text: str, html: str) -> None:
    assert render_blocks(text) == [html]


def plugin_tokens(text: str) -> list[str]:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(tasklists_plugin)
    return [repr(t) for t in md.parse(text)]


def our_tokens(text: str) -> list[str]:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.core.ruler.after("inline", "github-tasklists", tasklists)
    return [repr(t) for t in md.parse(text)]


TASK_PIECES = ["- [ ] a\n", "- [x] b\n", "- [X] c\n", "* [ ]\td\n", "1. [ ] e\n", "  - [ ] f\n", "    - [x] g\n",
               "> - [ ] h\n", "\n", "- i\n", "- [ ]\n", "[ ] j\n", "- [y] k\n", "  text\n"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TASK_PIECES), max_size=12))
def test_tasklists_rule_matches_the_plugin(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert our_tokens(text) == plugin_tokens(text)


def test_long_task_lists_render_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # The plugin walked back to the list's start for every item: 10,000 items took 10 s.
    monkeypatch.setattr(render_budget, "RENDER_BUDGET", float("inf"))
    start = time.thread_time()
    blocks, work = render_work("- [ ] a\n" * 10_000)
    cpu = time.thread_time() - start
    assert work.fallback is None and blocks[0].count('type="checkbox"') == 10_000
    assert cpu < 2 * CPU_LIMIT, f"a 10,000-item task list took {cpu:.2f} s of CPU"
