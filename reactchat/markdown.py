"""Markdown to sanitised HTML, block by block.

A document renders to a list of top-level blocks (a paragraph, a list, a fenced code block, ...), each one
HTML string. Rendering whole documents is cached by their text, so re-declaring a long history costs a dict
lookup per message. While streaming, ``MarkdownStream`` commits every block that a later block has already
closed and re-renders only the open tail, so an n-character answer costs O(n) rendering and bytes.

Raw HTML in the source is off; pygments highlights fenced code; nh3 sanitises every block that leaves here.
"""

from __future__ import annotations

import dataclasses
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


# Never allowed, whatever an app asks for: they run code, load resources or restyle the page.
FORBIDDEN_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "link", "meta",
     "base", "svg", "math", "template", "noscript", "textarea", "select", "button", "title", "head", "html",
     "body"}
)  # fmt: skip


def sanitize(fragment: str, extra_tags: frozenset[str] = frozenset()) -> str:
    """Clean an HTML fragment with the allow-list used for all rendered HTML (plus ``extra_tags``)."""
    return str(_cleaner(extra_tags).clean(fragment))


@functools.lru_cache(maxsize=16)
def _cleaner(extra_tags: frozenset[str]) -> Any:
    # A reusable Cleaner: ``nh3.clean`` converts the whole allow-list on every call, ~25 us, which was most
    # of the cost of a message made of many small blocks.
    import nh3

    return nh3.Cleaner(
        tags=_TAGS | extra_tags,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties={"text-align"},
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


Delimiter = tuple[str, str, bool]  # left, right, display
DEFAULT_LATEX: tuple[Delimiter, ...] = (
    ("$$", "$$", True),
    ("\\[", "\\]", True),
    ("\\(", "\\)", False),
    ("$", "$", False),
)


@dataclasses.dataclass(frozen=True)
class MarkdownOptions:
    """How message text renders. Instances are interned by ``markdown_options`` so equal options are the
    same object (cheap to compare on every re-declared message)."""

    render_markdown: bool = True
    line_breaks: bool = False
    raw_html: bool = False
    allow_tags: frozenset[str] = frozenset()
    latex: tuple[Delimiter, ...] = DEFAULT_LATEX


@functools.lru_cache(maxsize=64)
def markdown_options(
    render_markdown: bool = True,
    line_breaks: bool = False,
    raw_html: bool = False,
    allow_tags: frozenset[str] = frozenset(),
    latex: tuple[Delimiter, ...] = DEFAULT_LATEX,
) -> MarkdownOptions:
    """The (interned) options object.

    Raises:
        ValueError: for an allowed tag that is never safe, naming it.
    """
    bad = sorted(t for t in allow_tags if t.lower() in FORBIDDEN_TAGS or not t.replace("-", "").isalnum())
    if bad:
        raise ValueError(
            f"allow_tags cannot include {', '.join(map(repr, bad))}: they are never sanitised in"
        )
    return MarkdownOptions(
        render_markdown, line_breaks, raw_html, frozenset(t.lower() for t in allow_tags), latex
    )


DEFAULT = markdown_options()


def _math_rule(delimiters: tuple[Delimiter, ...]) -> Any:
    ordered = sorted(delimiters, key=lambda d: -len(d[0]))
    firsts = {d[0][0] for d in ordered}

    def close_single_dollar(src: str, start: int) -> int:
        # "$x$" is math, "$5 and $10" is money: the opening $ must be followed by a non-space non-digit,
        # the closing one preceded by a non-space and not followed by a digit.
        if start >= len(src) or src[start].isspace() or src[start].isdigit():
            return -1
        end = start
        while (end := src.find("$", end)) != -1:
            after = src[end + 1] if end + 1 < len(src) else ""
            if src[end - 1] != "\\" and not src[end - 1].isspace() and not after.isdigit():
                return end
            end += 1
        return -1

    def rule(state: Any, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if src[pos] not in firsts:
            return False
        for left, right, display in ordered:
            if not src.startswith(left, pos):
                continue
            start = pos + len(left)
            end = close_single_dollar(src, start) if left == right == "$" else src.find(right, start)
            if end == -1 or end == start:
                continue
            if not silent:
                token = state.push("math", "", 0)
                token.content = src[start:end]
                token.meta = {"display": display}
            state.pos = end + len(right)
            return True
        return False

    return rule


def _render_math(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    cls = "math-display" if token.meta.get("display") else "math-inline"
    return f'<span class="{cls}">{html.escape(token.content.strip())}</span>'


_TODO = re.compile(r"\[[ xX]][ \t\n\v\f\r]+")
_CHECKBOX = '<input class="task-list-item-checkbox" {}disabled="disabled" type="checkbox">'


def _tasklists(state: Any) -> None:
    """mdit_py_plugins' tasklists rule (default options: disabled checkboxes, no labels), in linear time.

    The plugin finds each task item's list by walking back through every token before it, so a list of n
    tasks cost O(n^2) (10,000 items: 10 s). Here the last token seen at each level is remembered instead;
    the output is the same token for token (a test compares the two).
    """
    from markdown_it.token import Token

    tokens = state.tokens
    last_at_level: dict[int, int] = {}
    for i in range(2, len(tokens) - 1):
        if i >= 3:
            last_at_level[tokens[i - 3].level] = i - 3
        token = tokens[i]
        if not (
            token.type == "inline"
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i - 2].type == "list_item_open"
            and _TODO.match(token.content)
        ):
            continue
        assert token.children is not None
        checkbox = Token("html_inline", "", 0)
        if token.content.startswith("[ ] "):
            checkbox.content = _CHECKBOX.format("")
        elif token.content.startswith(("[x] ", "[X] ")):
            checkbox.content = _CHECKBOX.format('checked="checked" ')
        token.children.insert(0, checkbox)
        token.children[1].content = token.children[1].content[3:]
        token.content = token.content[3:]
        tokens[i - 2].attrSet("class", "task-list-item")
        # The list holding the item: the last token before it one level up (the plugin's -1 if none).
        tokens[last_at_level.get(tokens[i - 2].level - 1, -1)].attrSet("class", "contains-task-list")


@functools.lru_cache(maxsize=16)
def _parser(options: MarkdownOptions = DEFAULT) -> MarkdownIt:
    from markdown_it import MarkdownIt

    config = {
        "html": options.raw_html or bool(options.allow_tags),
        "breaks": options.line_breaks,
        "highlight": _highlight,
        "maxNesting": MAX_NESTING,
    }
    if not options.render_markdown:
        # Plain text: paragraphs and line breaks only, everything else shown as typed.
        md = MarkdownIt("zero", {**config, "html": False, "breaks": True}).enable("newline")
        return md
    md = MarkdownIt("commonmark", config)
    md.enable(["table", "strikethrough"])
    md.core.ruler.after("inline", "github-tasklists", _tasklists)
    if options.latex:
        md.inline.ruler.before("escape", "math", _math_rule(options.latex))
        md.add_render_rule("math", _render_math)
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


def _render(group: list[Token], env: dict[str, Any], options: MarkdownOptions) -> str:
    md = _parser(options)
    return sanitize(md.renderer.render(group, md.options, env), options.allow_tags)


def _too_long(text: str) -> list[str]:
    return [f"<pre>{html.escape(text)}</pre>"]


def render_blocks(text: str, options: MarkdownOptions = DEFAULT) -> list[str]:
    """Render ``text`` to its list of sanitised top-level HTML blocks."""
    if len(text) > MAX_SOURCE_CHARS:
        return _too_long(text)
    env: dict[str, Any] = {}
    return [_render(group, env, options) for group in _groups(_parser(options).parse(text, env))]


def block_props(blocks: list[str]) -> dict[str, Any]:
    """A ``markdown`` node's props: the blocks' HTML joined, and where each block ends (UTF-16 units)."""
    cuts, end = [], 0
    for block in blocks:
        end += utf16_len(block)
        cuts.append(end)
    return {"html": "".join(blocks), "cuts": cuts}


@functools.lru_cache(maxsize=1024)
def markdown_props(text: str, options: MarkdownOptions = DEFAULT) -> dict[str, Any]:
    """The props of a ``markdown`` node showing ``text`` (cached: the same texts recur across sessions and
    reruns; never mutate the result). Nodes also remember their source, so a long history does not depend
    on this cache staying warm."""
    return block_props(render_blocks(text, options))


def markdown_source_props(source: tuple[str, MarkdownOptions]) -> dict[str, Any]:
    """``markdown_props`` of a node's ``(text, options)`` source."""
    return markdown_props(*source)


class MarkdownStream:
    """Incremental rendering of a growing markdown text.

    ``feed`` adds text; ``render`` returns the blocks newly committed since the last call and the HTML of the
    open tail block. ``finish`` commits everything. Only the source after the last committed block is ever
    re-parsed.
    """

    def __init__(self, options: MarkdownOptions = DEFAULT) -> None:
        self.blocks: list[str] = []
        self.options = options
        self.length = 0
        # Chunks are kept as a list: `text += chunk` on an attribute copies the whole text every chunk.
        self._chunks: list[str] = []
        self._open: list[str] = []  # source not yet committed, joined when rendered (once per frame)
        self._env: dict[str, Any] = {}

    @property
    def text(self) -> str:
        """Everything fed so far."""
        if len(self._chunks) > 1:
            self._chunks = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    def feed(self, chunk: str) -> None:
        self._chunks.append(chunk)
        self.length += len(chunk)
        self._open.append(chunk)

    def render(self) -> tuple[list[str], str]:
        """Commit the blocks a later block has closed; return them and the open tail's HTML."""
        source = "".join(self._open)
        self._open = [source]
        if self.length > MAX_SOURCE_CHARS:
            return [], html.escape(source)
        groups = _groups(_parser(self.options).parse(source, self._env))
        if not groups:
            return [], ""
        done = [_render(group, self._env, self.options) for group in groups[:-1]]
        if done:
            start = groups[-1][0].map
            assert start is not None  # block tokens always carry their source lines
            lines = source.splitlines(keepends=True)
            self._open = ["".join(lines[start[0] :])]
            self.blocks.extend(done)
        return done, _render(groups[-1], self._env, self.options)

    def finish(self) -> list[str]:
        """Commit the tail too; return the blocks committed by this call."""
        done, tail = self.render()
        if tail:
            done.append(tail)
            self.blocks.append(tail)
        self._open = []
        return done


def highlight_css() -> str:
    """The stylesheet for highlighted code, light and dark."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
