from __future__ import annotations

import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bombs import Bomb, corpus
from reactchat import render_budget
from reactchat.markdown import (
    DEFAULT,
    MAX_SOURCE_CHARS,
    MarkdownStream,
    closing_marks,
    markdown_options,
    markdown_props,
    markdown_source,
    markdown_source_props,
    render_blocks,
    render_work,
    source_parts,
)
from reactchat.render_budget import RENDER_BUDGET, RenderWork
from reactchat.stream import open_html
from tests.conftest import ROOT

PIECES = [
    "# Title\n", "Some *emphasis* and **bold** text. ", "`code`", "\n\n", "\n", "- item one\n", "- item two\n",
    "1. first\n", "> quoted line\n", "```python\nprint('hi')\n```\n", "```\nunclosed", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "~~struck~~ ", "---\n", "Heading\n===\n", "    indented code\n", "word ", "😀 ", "[link](https://example.com) ",
    "- [ ] task\n", "<b>raw</b> ", "&amp; ",
]  # fmt: skip


def stream(text: str, cuts: list[int]) -> list[str]:
    md = MarkdownStream()
    start = 0
    for cut in sorted(set(cuts)):
        if 0 < cut < len(text):
            md.feed(text[start:cut])
            start = cut
            md.render()
    md.feed(text[start:])
    md.finish()
    return md.blocks


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.lists(st.integers(0, 400), max_size=20))
def test_streamed_blocks_equal_the_canonical_render(pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces)
    assert stream(text, cuts) == render_blocks(text)


def test_committed_blocks_are_final_while_streaming() -> None:
    text = "para one\n\n- a\n- b\n\nlast para"
    md = MarkdownStream()
    committed: list[str] = []
    for ch in text:
        md.feed(ch)
        done, _tail = md.render()
        committed += done
    assert committed == render_blocks(text)[:-1]


def test_raw_html_is_escaped_not_rendered() -> None:
    html = "".join(render_blocks("<script>alert(1)</script> <img src=x onerror=alert(1)>"))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_not_links() -> None:
    html = "".join(render_blocks("[x](javascript:alert(1)) ![y](javascript:alert(2))"))
    assert "href" not in html and "<img" not in html  # left as plain text


def test_links_open_safely() -> None:
    html = render_blocks("[x](https://example.com)")[0]
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer"' in html


def test_gfm_tables_and_strikethrough() -> None:
    html = "".join(render_blocks("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~x~~"))
    assert "<table>" in html and "<s>x</s>" in html and 'style="text-align:right"' in html


def test_oversized_text_is_shown_escaped_without_parsing() -> None:
    text = "*" * (MAX_SOURCE_CHARS + 1)
    assert render_blocks(text) == [f"<pre>{text}</pre>"]


def test_deep_nesting_is_capped() -> None:
    html = "".join(render_blocks("> " * 5000 + "deep"))
    assert html.count("<blockquote>") <= 25


def test_props_are_cached_by_text_and_mark_block_ends_in_utf16_units() -> None:
    props = markdown_props("😀 one\n\ntwo")
    assert props is markdown_props("😀 one\n\ntwo")
    assert props["html"] == "<p>😀 one</p>\n<p>two</p>\n"
    assert props["cuts"] == [len("<p>😀 one</p>\n") + 1, len(props["html"]) + 1]


# -- Render bombs: texts any user can send must not make a render expensive ---------------------------------

CPU_LIMIT = 2.0  # seconds: 4x the goal of 0.5 s, so a loaded machine does not fail the test; each bomb
# cost far more than this before it was fixed


def render_cpu(bomb: Bomb) -> tuple[float, RenderWork | None, list[str]]:
    """Render a bomb as the server would; returns thread CPU seconds, the work record and the HTML."""
    start = time.thread_time()
    if bomb.streamed:
        stream = MarkdownStream(bomb.options)
        for i in range(0, len(bomb.text), 1000):
            stream.feed(bomb.text[i : i + 1000])
            _done, tail = stream.render()
            open_html(tail)  # what Writer does with the open block every frame
        blocks, work = stream.finish(), None
    else:
        blocks, work = render_work(bomb.text, bomb.options)
    return time.thread_time() - start, work, blocks


@pytest.mark.parametrize("bomb", corpus(small=True), ids=lambda b: b.name)
def test_render_bombs_cost_bounded_work(bomb: Bomb) -> None:
    cpu, work, blocks = render_cpu(bomb)
    assert cpu < CPU_LIMIT, f"{bomb.name}: {cpu:.2f} s of CPU to render (was {bomb.before})"
    if work is not None:
        # The estimate stops a render once it passes the budget, so no render does much more.
        assert work.fallback is not None or work.units <= RENDER_BUDGET
        assert work.block_rules <= RENDER_BUDGET / render_budget._W_BLOCK_RULE + 1
        assert work.math_scanned <= 2 * len(bomb.text), "math closers are searched for once per source"
    html_chars = sum(map(len, blocks))
    assert html_chars <= 10 * len(bomb.text) + 100_000, f"{bomb.name}: {html_chars:,} characters of HTML"


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("Here is **important", "**"),
        ("Here is **bold** done", ""),
        ("a *b", "*"),
        ("* item *emph", "*"),
        ("```py\nx = 1", "\n```"),
        ("```py\nx = 1\n```\nafter", ""),
        ("use `code", "`"),
        ("x ~~gone **bold", "**~~"),
        ("2 * 3 = 6", ""),
        ("**old\n\nnew paragraph", ""),
        ("ok `a*b` fine", ""),
    ],
)
def test_closing_marks_close_what_a_cut_left_open(text: str, marks: str) -> None:
    assert closing_marks(text) == marks


def test_fenced_code_is_not_closed_by_backticks_inside_it() -> None:
    from reactchat.markdown import fenced

    assert fenced("x = 1", "python") == "```python\nx = 1\n```"
    inner = "a ```` run"
    block = fenced(inner)
    assert block.startswith("`````\n") and block.endswith("\n`````")
    assert render_blocks(block)[0].count("<pre") == 1 and "```` run" in render_blocks(block)[0]


def test_warm_up_loads_the_parser_and_the_highlighter_and_caches_no_text() -> None:
    # In a fresh interpreter: this one has imported them all already.
    check = (
        "import sys\n"
        "from reactchat.markdown import warm_up, cached_props\n"
        "assert 'markdown_it' not in sys.modules and 'pygments.lexers.python' not in sys.modules\n"
        "warm_up()\n"
        "assert 'markdown_it' in sys.modules and 'pygments.lexers.python' in sys.modules\n"
        "assert cached_props('*up* a [link](https://example.com) and $x^2$') is None\n"
    )
    subprocess.run([sys.executable, "-c", check], check=True, cwd=ROOT)


def test_a_source_is_the_text_alone_with_the_default_options_and_the_pair_with_others() -> None:
    breaks = markdown_options(line_breaks=True)
    assert markdown_source("a\nb", DEFAULT) == "a\nb" and source_parts("a\nb") == ("a\nb", DEFAULT)
    assert markdown_source("a\nb", breaks) == ("a\nb", breaks) and source_parts(("a\nb", breaks)) == (
        "a\nb",
        breaks,
    )
    assert markdown_source_props(markdown_source("a\nb", breaks)) == markdown_props("a\nb", breaks)
    assert markdown_source_props("a\nb") == markdown_props("a\nb") != markdown_props("a\nb", breaks)

    class Text(str):  # what write_stream returns
        pass

    assert source_parts(Text("*x*")) == ("*x*", DEFAULT)
