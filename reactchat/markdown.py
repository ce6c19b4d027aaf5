"""Markdown to sanitised HTML, block by block.

A document renders to a list of top-level blocks (a paragraph, a list, a fenced code block, ...), each one
HTML string. Rendering whole documents is cached by their text, so re-declaring a long history costs a dict
lookup per message. While streaming, ``MarkdownStream`` commits every block that a later block has already
closed and re-renders only the open tail, so an n-character answer costs O(n) rendering and bytes.

Raw HTML in the source is off; pygments highlights fenced code; nh3 sanitises every block that leaves here.
"""

from __future__ import annotations

import functools
import html
import re
from typing import TYPE_CHECKING, Any

from reactchat.ops import utf16_len

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_SOURCE_CHARS = 500_000
"""Longer text is shown as escaped preformatted text instead of being parsed."""

MAX_NESTING = 20
"""Deeper markdown nesting (quotes in lists in quotes ...) stops being parsed as structure."""

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "input": {"type", "checked", "disabled"},
}
_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "input", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


def sanitize(fragment: str) -> str:
    """Clean an HTML fragment with the allow-list used for all rendered markdown."""
    import nh3

    return str(
        nh3.clean(
            fragment,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
            set_tag_attribute_values={"a": {"target": "_blank"}},
            filter_style_properties={"text-align"},
        )
    )


# Tokens both highlight themes show as plain text (whitespace, names, punctuation) need no span; dropping
# them roughly halves the HTML of typical code.
_PLAIN_SPAN = re.compile(r'<span class="(?:w|n|p)">([^<]*)</span>')


def _highlight(code: str, lang: str, _attrs: str) -> str:
    lang = lang.strip().split()[0] if lang.strip() else ""
    body: str | None = None
    if lang:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            body = _PLAIN_SPAN.sub(r"\1", highlight(code, lexer, HtmlFormatter(nowrap=True)))
    if body is None:
        body = html.escape(code)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f'<pre class="highlight"><code{cls}>{body}</code></pre>\n'


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    return md


def _groups(tokens: list[Token]) -> list[list[Token]]:
    """Split a token stream into its top-level blocks."""
    groups: list[list[Token]] = []
    for token in tokens:
        if token.level == 0 and token.nesting != -1:
            groups.append([token])
        else:
            groups[-1].append(token)
    return groups


def _render(group: list[Token], env: dict[str, Any]) -> str:
    md = _parser()
    return sanitize(md.renderer.render(group, md.options, env))


def _too_long(text: str) -> list[str]:
    return [f"<pre>{html.escape(text)}</pre>"]


def render_blocks(text: str) -> list[str]:
    """Render ``text`` to its list of sanitised top-level HTML blocks."""
    if len(text) > MAX_SOURCE_CHARS:
        return _too_long(text)
    env: dict[str, Any] = {}
    return [_render(group, env) for group in _groups(_parser().parse(text, env))]


def block_props(blocks: list[str]) -> dict[str, Any]:
    """A ``markdown`` node's props: the blocks' HTML joined, and where each block ends (UTF-16 units)."""
    cuts, end = [], 0
    for block in blocks:
        end += utf16_len(block)
        cuts.append(end)
    return {"html": "".join(blocks), "cuts": cuts}


@functools.lru_cache(maxsize=1024)
def markdown_props(text: str) -> dict[str, Any]:
    """The props of a ``markdown`` node showing ``text`` (cached: the same texts recur across sessions and
    reruns; never mutate the result). Nodes also remember their source, so a long history does not depend
    on this cache staying warm."""
    return block_props(render_blocks(text))


class MarkdownStream:
    """Incremental rendering of a growing markdown text.

    ``feed`` adds text; ``render`` returns the blocks newly committed since the last call and the HTML of the
    open tail block. ``finish`` commits everything. Only the source after the last committed block is ever
    re-parsed.
    """

    def __init__(self) -> None:
        self.text = ""
        self.blocks: list[str] = []
        self._open = ""  # source not yet committed
        self._env: dict[str, Any] = {}

    def feed(self, chunk: str) -> None:
        self.text += chunk
        self._open += chunk

    def render(self) -> tuple[list[str], str]:
        """Commit the blocks a later block has closed; return them and the open tail's HTML."""
        if len(self.text) > MAX_SOURCE_CHARS:
            return [], html.escape(self._open)
        groups = _groups(_parser().parse(self._open, self._env))
        if not groups:
            return [], ""
        done = [_render(group, self._env) for group in groups[:-1]]
        if done:
            start = groups[-1][0].map
            assert start is not None  # block tokens always carry their source lines
            lines = self._open.splitlines(keepends=True)
            self._open = "".join(lines[start[0] :])
            self.blocks.extend(done)
        return done, _render(groups[-1], self._env)

    def finish(self) -> list[str]:
        """Commit the tail too; return the blocks committed by this call."""
        done, tail = self.render()
        if tail:
            done.append(tail)
            self.blocks.append(tail)
        self._open = ""
        return done


def highlight_css() -> str:
    """The stylesheet for highlighted code, light and dark."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
