"""Markdown to sanitised HTML, block by block.

A document renders to a list of top-level blocks (a paragraph, a list, a fenced code block, ...), each one
HTML string. Rendering whole documents is cached by their text, so re-declaring a long history costs a dict
lookup per message. While streaming, ``MarkdownStream`` commits every block that a later block has already
closed and re-renders only the open tail, so an n-character answer costs O(n) rendering and bytes.

Raw HTML in the source is off; pygments highlights fenced code; nh3 sanitises every block that leaves here.
Any user can send any text, so every render is bounded in work (see "Work limits" below): text that would
cost too much is shown escaped in a ``<pre>``, and highlighting stops when its CPU time is used up.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import html
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from reactchat.ops import utf16_len

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_SOURCE_CHARS = 500_000
"""Longer text is shown as escaped preformatted text instead of being parsed (see also ``RENDER_BUDGET``)."""

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


# -- Work limits -------------------------------------------------------------------------------------------
#
# Any user can send any text up to the message cap, and every app renders the user's own prompt, so no text
# may make a render expensive. Before the expensive stages run, a render estimates what they will cost from
# cheap counts (characters, lines, table pipes, the characters at which inline rules run); past the budget
# the text is shown escaped in a <pre> instead. The estimate is deterministic, so the same text always
# renders the same way (the render cache and the streamed-vs-declared comparison rely on that). Highlighting
# is the exception: pygments lexers are quadratic on some inputs, so it is bounded by CPU time instead.

RENDER_BUDGET = 300_000
"""The most work one render may do, in units of about a microsecond of CPU on the bench machine (see the
weights below); text estimated to cost more is shown as escaped preformatted text."""

HIGHLIGHT_SECONDS = 0.15
"""Thread CPU seconds one render may spend in pygments; code after that is shown unhighlighted. Time, not
size: lexers for C, Python, TypeScript, HTML ... are quadratic on inputs such as runs of blank lines or
chains of ``a.`` (16 KB of either cost seconds), so no size limit is both safe and useful."""

MAX_HTML_DEPTH = 100
"""Raw HTML (for apps that allow it) nested deeper than this is not rendered: nh3 is quadratic in depth."""

MAX_LINK_GROWTH = 8
"""Links taken from reference definitions may add at most this many characters per source character (plus
64 KiB): ``[a]`` repeated after a long ``[a]: url`` otherwise turns 1 MiB into gigabytes of HTML."""

# Units (~us on the bench machine) per counted feature, all stages included: parsing, rendering, sanitising.
# Fitted with a linear program so that, for each of ~80 texts of 40 KB (every markdown construct repeated,
# plus ordinary prose, lists and code), the estimate is at least 1.3x the CPU its render took. The render
# bombs in bench/bombs.py and `make bench` check the result.
_W_CHAR = 0.2  # every source character: normalising, splitting into lines, escaping, sanitising
_W_LINE = 2.0  # every line, even one a block rule consumes without trying the others (quotes, code)
_W_PIPE = 15.0  # every "|": splitting table rows into cells
_W_BLOCK_RULE = 20.0  # every time the block parser tries its rules at a line (per level of nesting)
_W_BLOCK_TOKEN = 3.0  # every block token: rendering and sanitising it
_W_INLINE = 5.0  # every paragraph, heading or table cell whose text is parsed for inline markup
_W_MARK = 12.0  # every character of such text at which inline rules run (the parser's terminators)
_W_BRACKET = 40.0  # every "[", "<" or "!" on top: links, images and autolinks are the costliest rules
_W_HTML_TAG = 1.0  # every raw HTML tag, when raw HTML is allowed (its depth is measured)

# The characters at which markdown-it's inline rules run; text between them is consumed in one step.
_MARKS = "\n!#$%&*+-:<=>@[\\]^_`{}~"
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
# Tags that never nest (void elements) or that the HTML parser closes implicitly: they add no depth.
_FLAT_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
     "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot"}
)  # fmt: skip
_WORK = "reactchat.work"  # the env key under which a parse carries its RenderWork


@dataclasses.dataclass
class RenderWork:
    """What one render did: its estimated cost, and why it fell back to plain text, if it did.

    Tests and the bench read it to assert on work done rather than on time.
    """

    units: float = 0.0
    """Estimated cost so far, in the units of ``RENDER_BUDGET``."""
    fallback: str | None = None
    """Why the text was shown as escaped plain text (None: rendered as markdown)."""
    block_rules: int = 0
    """How often the block parser tried its rules (at line starts, at each level of nesting)."""
    math_scanned: int = 0
    """Source characters the math rule searched for closing delimiters."""
    highlighted: int = 0
    """Characters of code highlighted by pygments."""
    unhighlighted: int = 0
    """Characters of code shown without highlighting because the highlight time ran out."""
    deadline: float = 0.0  # thread CPU time at which highlighting stops

    def charge(self, units: float, reason: str) -> None:
        """Add ``units``; past the budget, stop the render (it falls back to plain text)."""
        self.units += units
        if self.units > RENDER_BUDGET:
            raise _OverBudget(reason)


class _OverBudget(Exception):
    """Raised from inside the parser to abandon a render that would cost too much."""


def _charge_source(text: str, work: RenderWork) -> None:
    # Before any parsing: what is proportional to the text's size, and splitting table rows into cells
    # (one call of the table rule does all of a table's rows, so _count_block_rule cannot see them).
    units = len(text) * _W_CHAR + text.count("\n") * _W_LINE + text.count("|") * _W_PIPE
    work.charge(units, f"{len(text):,} characters")


def _count_block_rule(state: Any, _start: int, _end: int, _silent: bool) -> bool:
    """First block rule: charges each line start the block parser tries rules at (also as a paragraph's
    terminator check, and inside lists and quotes), then lets the real rules run."""
    work: RenderWork | None = state.env.get(_WORK)
    if work is not None:
        work.block_rules += 1
        work.charge(_W_BLOCK_RULE, f"over {work.block_rules:,} block rule calls")
    return False


def _charge_blocks(state: Any) -> None:
    """Core rule between block and inline parsing: charge the inline parse before it runs."""
    work: RenderWork | None = state.env.get(_WORK)
    if work is None:
        return
    texts = [token.content for token in state.tokens if token.type == "inline"]
    inline = "\n".join(texts)
    marks = sum(inline.count(c) for c in _MARKS)
    brackets = inline.count("[") + inline.count("<") + inline.count("!")
    units = len(state.tokens) * _W_BLOCK_TOKEN + len(texts) * _W_INLINE + marks * _W_MARK
    work.charge(
        units + brackets * _W_BRACKET, f"{marks:,} markup characters in {len(texts):,} paragraphs or cells"
    )


def _check_output(state: Any) -> None:
    """Core rule after inline parsing: bound what reference links and raw HTML would make nh3 and the
    browser handle."""
    work: RenderWork | None = state.env.get(_WORK)
    if work is None:
        return
    references = bool(state.env.get("references"))
    raw_html = bool(state.md.options["html"])
    if not references and not raw_html:
        return
    link_chars, html_parts = 0, []
    for token in state.tokens:
        if token.type in ("html_block", "html_inline"):
            html_parts.append(token.content)
        for child in token.children or ():
            if child.type == "html_inline":
                html_parts.append(child.content)
            elif references and child.attrs:
                link_chars += sum(len(str(value)) for value in child.attrs.values())
    if link_chars > MAX_LINK_GROWTH * len(state.src) + 65_536:
        raise _OverBudget(f"links expand to {link_chars:,} characters")
    if html_parts:
        depth = _html_depth("".join(html_parts), work)
        if depth > MAX_HTML_DEPTH:
            raise _OverBudget(f"raw HTML nested {depth:,} deep")


def _html_depth(fragment: str, work: RenderWork) -> int:
    """An upper bound of how deeply ``fragment``'s tags nest (unclosed tags count as open to the end)."""
    depth = deepest = tags = 0
    for match in _HTML_TAG.finditer(fragment):
        tags += 1
        closing, name, self_closing = match.groups()
        if name.lower() in _FLAT_TAGS or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    work.charge(tags * _W_HTML_TAG, f"{tags:,} raw HTML tags")
    return deepest


def _plain(text: str) -> list[str]:
    """The fallback: the text as typed, escaped, in one preformatted block."""
    return [f"<pre>{html.escape(text)}</pre>"]


# Tokens both highlight themes show as plain text (whitespace, names, punctuation) need no span; dropping
# them roughly halves the HTML of typical code.
_PLAIN_SPAN = re.compile(r'<span class="(?:w|n|p)">([^<]*)</span>')


class _OutOfTime(Exception):
    """Raised into pygments when a render's highlighting time is used up."""


def _timed(tokens: Iterator[Any], deadline: float) -> Iterator[Any]:
    # Checked every few tokens (a token is one regex match, well under a millisecond even when the lexer
    # is quadratic), so highlighting stops within a token or so of the deadline.
    for i, token in enumerate(tokens):
        if not i & 7 and time.thread_time() > deadline:
            raise _OutOfTime
        yield token


def _highlight(code: str, lang: str, _attrs: str, work: RenderWork | None = None) -> str:
    lang = lang.strip().split()[0] if lang.strip() else ""
    body: str | None = None
    if lang:
        from pygments import format as pygments_format
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            tokens = lexer.get_tokens(code)  # what pygments.highlight does, with a deadline in between
            try:
                if work is not None:
                    if time.thread_time() > work.deadline:
                        raise _OutOfTime
                    tokens = _timed(tokens, work.deadline)
                body = _PLAIN_SPAN.sub(r"\1", pygments_format(tokens, HtmlFormatter(nowrap=True)))
                if work is not None:
                    work.highlighted += len(code)
            except _OutOfTime:
                assert work is not None
                work.unhighlighted += len(code)
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


def _closes_single_dollar(src: str, end: int) -> bool:
    # "$x$" is math, "$5 and $10" is money: the closing $ must be preceded by a non-space and not followed
    # by a digit (the opening one followed by a non-space non-digit, checked in the rule).
    after = src[end + 1] if end + 1 < len(src) else ""
    return src[end - 1] != "\\" and not src[end - 1].isspace() and not after.isdigit()


def _closers(state: Any, right: str, single_dollar: bool) -> list[int]:
    """Every position where ``right`` could close math in the inline source, ascending.

    Found once per source and delimiter: the rule runs at every opening delimiter, and searching onwards
    from each one made a text of unclosed ``$`` (or ``\\(``) quadratic.
    """
    src = state.src
    cache = state.__dict__.get("_reactchat_math")
    if cache is None or cache[0] is not src:
        cache = state._reactchat_math = (src, {})
    found: list[int] | None = cache[1].get((right, single_dollar))
    if found is None:
        found = []
        end = src.find(right, 1)  # an opening delimiter comes first, so no closer is at 0
        while end != -1:
            if not single_dollar or _closes_single_dollar(src, end):
                found.append(end)
            end = src.find(right, end + 1)
        cache[1][(right, single_dollar)] = found
        work: RenderWork | None = state.env.get(_WORK)
        if work is not None:
            work.math_scanned += len(src)
    return found


def _math_rule(delimiters: tuple[Delimiter, ...]) -> Any:
    ordered = sorted(delimiters, key=lambda d: -len(d[0]))
    firsts = {d[0][0] for d in ordered}

    def rule(state: Any, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if src[pos] not in firsts:
            return False
        for left, right, display in ordered:
            if not src.startswith(left, pos):
                continue
            start = pos + len(left)
            single_dollar = left == right == "$"
            if single_dollar and (start >= len(src) or src[start].isspace() or src[start].isdigit()):
                continue
            closers = _closers(state, right, single_dollar)
            at = bisect.bisect_left(closers, start)  # the first closer at or after start
            end = closers[at] if at < len(closers) else -1
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
    else:
        md = MarkdownIt("commonmark", config)
        md.enable(["table", "strikethrough"])
        md.core.ruler.after("inline", "github-tasklists", _tasklists)
        if options.latex:
            md.inline.ruler.before("escape", "math", _math_rule(options.latex))
            md.add_render_rule("math", _render_math)
    terminates = ["paragraph", "reference", "blockquote", "list"]  # also run where these check for an end
    md.block.ruler.before(
        md.block.ruler.get_all_rules()[0], "reactchat-budget", _count_block_rule, {"alt": terminates}
    )
    md.core.ruler.after("block", "reactchat-budget", _charge_blocks)
    md.core.ruler.push("reactchat-output", _check_output)
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


def _parse(text: str, env: dict[str, Any], options: MarkdownOptions, work: RenderWork) -> list[Token] | None:
    """``text``'s tokens, or None (with ``work.fallback`` saying why) when rendering them would cost more
    than ``RENDER_BUDGET``."""
    if len(text) > MAX_SOURCE_CHARS:
        work.fallback = f"longer than {MAX_SOURCE_CHARS:,} characters"
        return None
    env[_WORK] = work
    try:
        _charge_source(text, work)
        return _parser(options).parse(text, env)
    except _OverBudget as exc:
        work.fallback = str(exc)
        return None
    finally:
        del env[_WORK]


class _Renderer:
    """Renders the blocks of one parse, sharing its highlight time budget."""

    def __init__(self, env: dict[str, Any], options: MarkdownOptions, work: RenderWork) -> None:
        from markdown_it.utils import OptionsDict

        self.md = _parser(options)
        self.env = env
        self.allow_tags = options.allow_tags
        work.deadline = time.thread_time() + HIGHLIGHT_SECONDS
        self.options = OptionsDict(cast(Any, dict(self.md.options)))  # a copy: highlight differs per render
        self.options["highlight"] = functools.partial(_highlight, work=work)

    def __call__(self, group: list[Token]) -> str:
        return sanitize(self.md.renderer.render(group, self.options, self.env), self.allow_tags)


def render_work(text: str, options: MarkdownOptions = DEFAULT) -> tuple[list[str], RenderWork]:
    """``render_blocks`` and what the render did (for tests and the bench)."""
    env: dict[str, Any] = {}
    work = RenderWork()
    tokens = _parse(text, env, options, work)
    if tokens is None:
        return _plain(text), work
    render = _Renderer(env, options, work)
    return [render(group) for group in _groups(tokens)], work


def render_blocks(text: str, options: MarkdownOptions = DEFAULT) -> list[str]:
    """Render ``text`` to its list of sanitised top-level HTML blocks.

    Text that would cost more than ``RENDER_BUDGET`` to render (or is longer than ``MAX_SOURCE_CHARS``) is
    one block of escaped preformatted text instead.
    """
    return render_work(text, options)[0]


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
        work = RenderWork()
        tokens = None if self.length > MAX_SOURCE_CHARS else _parse(source, self._env, self.options, work)
        if tokens is None:
            return [], _plain(source)[0]
        groups = _groups(tokens)
        if not groups:
            return [], ""
        render = _Renderer(self._env, self.options, work)
        done = [render(group) for group in groups[:-1]]
        if done:
            start = groups[-1][0].map
            assert start is not None  # block tokens always carry their source lines
            lines = source.splitlines(keepends=True)
            self._open = ["".join(lines[start[0] :])]
            self.blocks.extend(done)
        return done, render(groups[-1])

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
