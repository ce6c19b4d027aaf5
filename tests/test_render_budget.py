from __future__ import annotations

import html

import pytest

from reactchat.markdown import MarkdownStream, markdown_options, render_blocks, render_work
from reactchat.render_budget import MAX_HTML_DEPTH, RENDER_BUDGET, OverBudget, RenderWork


def test_charging_past_the_budget_stops_the_render() -> None:
    work = RenderWork()
    work.charge(RENDER_BUDGET, "all of it")
    assert work.units == RENDER_BUDGET
    with pytest.raises(OverBudget, match="one more"):
        work.charge(1, "one more")


def test_text_over_the_budget_is_shown_escaped() -> None:
    text = "# <b>a</b>\n" * 20_000
    blocks, work = render_work(text)
    assert blocks == [f"<pre>{html.escape(text)}</pre>"]
    assert work.fallback and "block rule" in work.fallback


def test_a_stream_over_the_budget_shows_its_tail_escaped() -> None:
    stream = MarkdownStream()
    stream.feed("# <b>a</b>\n" * 20_000)
    done, tail = stream.render()
    assert done == [] and tail == f"<pre>{html.escape(stream.text)}</pre>"


def test_reference_links_cannot_multiply_the_output() -> None:
    few = "[a]: http://" + "x" * 100 + "\n\n" + "[a] " * 10
    assert "<a href" in "".join(render_blocks(few))
    many = "[a]: http://" + "x" * 20_000 + "\n\n" + "[a]" * 1_000  # 23 KB of text, 20 MB of links
    blocks, work = render_work(many)
    assert work.fallback and "links" in work.fallback and len(blocks[0]) < 2 * len(many)


def test_deeply_nested_raw_html_is_not_sanitised() -> None:
    options = markdown_options(raw_html=True)
    assert render_work("<div>" * MAX_HTML_DEPTH, options)[1].fallback is None
    blocks, work = render_work("<div>" * (MAX_HTML_DEPTH + 1), options)
    assert work.fallback and "nested" in work.fallback and blocks[0].startswith("<pre>&lt;div&gt;")
    # Tags the parser closes by itself, and void ones, do not nest.
    assert render_work("<p>a<br>" * 1_000, options)[1].fallback is None
