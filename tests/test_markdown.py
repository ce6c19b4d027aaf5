from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

from reactchat.markdown import (
    MAX_SOURCE_CHARS,
    MarkdownStream,
    _tasklists,
    markdown_props,
    render_blocks,
    sanitize,
)

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


def test_code_is_highlighted_with_classes() -> None:
    html = render_blocks("```python\ndef f(): pass\n```")[0]
    assert html.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">def</span>' in html


def test_unknown_language_is_escaped_plain_code() -> None:
    html = render_blocks("```nosuchlang\n<b>x</b>\n```")[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_gfm_tables_and_strikethrough() -> None:
    html = "".join(render_blocks("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~x~~"))
    assert "<table>" in html and "<s>x</s>" in html and 'style="text-align:right"' in html


def test_sanitize_strips_event_handlers_and_scripts() -> None:
    assert sanitize('<p onclick="x()">hi<script>bad()</script></p>') == "<p>hi</p>"


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


def test_plain_tokens_in_highlighted_code_have_no_spans() -> None:
    html = render_blocks("```python\nif  x(y):\n    pass\n```")[0]
    assert 'class="w"' not in html and 'class="n"' not in html and 'class="p"' not in html
    assert '<span class="k">if</span>  x(y):\n    <span class="k">pass</span>' in html


def plugin_tokens(text: str) -> list[str]:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(tasklists_plugin)
    return [repr(t) for t in md.parse(text)]


def our_tokens(text: str) -> list[str]:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.core.ruler.after("inline", "github-tasklists", _tasklists)
    return [repr(t) for t in md.parse(text)]


TASK_PIECES = ["- [ ] a\n", "- [x] b\n", "- [X] c\n", "* [ ]\td\n", "1. [ ] e\n", "  - [ ] f\n", "    - [x] g\n",
               "> - [ ] h\n", "\n", "- i\n", "- [ ]\n", "[ ] j\n", "- [y] k\n", "  text\n"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TASK_PIECES), max_size=12))
def test_tasklists_rule_matches_the_plugin(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert our_tokens(text) == plugin_tokens(text)
