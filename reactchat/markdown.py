"""Markdown to sanitised HTML, block by block: the options, the parser, and incremental rendering.

A document renders to a list of top-level blocks (a paragraph, a list, a fenced code block, ...), each one
HTML string. Rendering whole documents is cached by their text, so re-declaring a long history costs a dict
lookup per message. While streaming, ``MarkdownStream`` commits every block that a later block has already
closed and re-renders only the open tail, so an n-character answer costs O(n) rendering and bytes.

Raw HTML in the source is off; pygments highlights fenced code (``reactchat.highlight``); nh3 sanitises every
block that leaves here (``reactchat.sanitizer``). Any user can send any text, so every render is bounded in
work (``reactchat.render_budget``): text that would cost too much is shown escaped in a ``<pre>``, and
highlighting stops when its CPU time is used up.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import html
import re
import threading
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from reactchat.highlight import highlight, highlighter
from reactchat.markdown_rules import DEFAULT_LATEX, Delimiter, math_rule, render_math, tasklists
from reactchat.ops import utf16_len
from reactchat.render_budget import WORK_KEY, OverBudget, RenderWork, add_budget_rules, charge_source
from reactchat.sanitizer import FORBIDDEN_TAGS, sanitize
from reactchat.tree import Rendered

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_SOURCE_CHARS = 500_000
"""Longer text is shown as escaped preformatted text instead of being parsed (see also ``RENDER_BUDGET``)."""

MAX_NESTING = 20
"""Deeper markdown nesting (quotes in lists in quotes ...) stops being parsed as structure."""


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


@functools.lru_cache(maxsize=16)
def _parser(options: MarkdownOptions = DEFAULT) -> MarkdownIt:
    from markdown_it import MarkdownIt

    config = {
        "html": options.raw_html or bool(options.allow_tags),
        "breaks": options.line_breaks,
        "highlight": highlight,
        "maxNesting": MAX_NESTING,
    }
    if not options.render_markdown:
        # Plain text: paragraphs and line breaks only, everything else shown as typed.
        md = MarkdownIt("zero", {**config, "html": False, "breaks": True}).enable("newline")
    else:
        md = MarkdownIt("commonmark", config)
        md.enable(["table", "strikethrough"])
        md.core.ruler.after("inline", "github-tasklists", tasklists)
        if options.latex:
            md.inline.ruler.before("escape", "math", math_rule(options.latex))
            md.add_render_rule("math", render_math)
    add_budget_rules(md)
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


def _plain(text: str) -> list[str]:
    """The fallback: the text as typed, escaped, in one preformatted block."""
    return [f"<pre>{html.escape(text)}</pre>"]


def _parse(text: str, env: dict[str, Any], options: MarkdownOptions, work: RenderWork) -> list[Token] | None:
    """``text``'s tokens, or None (with ``work.fallback`` saying why) when rendering them would cost more
    than ``RENDER_BUDGET``."""
    if len(text) > MAX_SOURCE_CHARS:
        work.fallback = f"longer than {MAX_SOURCE_CHARS:,} characters"
        return None
    env[WORK_KEY] = work
    try:
        charge_source(text, work)
        return _parser(options).parse(text, env)
    except OverBudget as exc:
        work.fallback = str(exc)
        return None
    finally:
        del env[WORK_KEY]


class _Renderer:
    """Renders the blocks of one parse, sharing its highlight time budget."""

    def __init__(self, env: dict[str, Any], options: MarkdownOptions, work: RenderWork) -> None:
        from markdown_it.utils import OptionsDict

        self.md = _parser(options)
        self.env = env
        self.allow_tags = options.allow_tags
        timed_highlight = highlighter(work)  # starts the render's highlight time
        self.options = OptionsDict(cast(Any, dict(self.md.options)))  # a copy: highlight differs per render
        self.options["highlight"] = timed_highlight

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
    """A ``markdown`` node's props: the blocks' HTML joined, and where each block ends (UTF-16 units). One
    block, the most common text, goes without ``cuts``: the page takes it to end where the HTML does."""
    if len(blocks) == 1:
        return Rendered(html=blocks[0])
    cuts, end = [], 0
    for block in blocks:
        end += utf16_len(block)
        cuts.append(end)
    return Rendered(html="".join(blocks), cuts=cuts)


CACHE_SIZE = 1024
"""Renders ``markdown_props`` keeps in memory, the most recently used."""

_cache: collections.OrderedDict[tuple[str, MarkdownOptions], dict[str, Any]] = collections.OrderedDict()
_cache_lock = threading.Lock()


def cached_props(text: str, options: MarkdownOptions = DEFAULT) -> dict[str, Any] | None:
    """``markdown_props(text, options)`` if it is in memory, else None (nothing is rendered)."""
    with _cache_lock:
        found = _cache.get((text, options))
        if found is not None:
            _cache.move_to_end((text, options))
        return found


def remember(text: str, options: MarkdownOptions, props: dict[str, Any]) -> None:
    """Keep ``props`` in memory as ``markdown_props(text, options)`` (read back from a store of renders)."""
    with _cache_lock:
        _cache[(text, options)] = props
        _cache.move_to_end((text, options))
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def forget() -> None:
    """Empty the in-memory cache, as a new process has it (for tests and the bench)."""
    with _cache_lock:
        _cache.clear()


def markdown_props(text: str, options: MarkdownOptions = DEFAULT) -> dict[str, Any]:
    """The props of a ``markdown`` node showing ``text`` (cached: the same texts recur across sessions and
    reruns; never mutate the result). Nodes also remember their source, so a long history does not depend
    on this cache staying warm."""
    found = cached_props(text, options)
    if found is None:
        found = block_props(render_blocks(text, options))
        remember(text, options, found)
    return found


_WARM_UP = "# Warm\n\n*up* a [link](https://example.com) and $x^2$\n\n```python\nprint(1)\n```\n"


def warm_up() -> None:
    """Import and compile what a first render needs (the parser, its rules, the highlighter and its Python
    lexer), as a server does in the background (``renders.warm_up``): the first conversation opened then costs
    what it shows, not 100+ ms of one-time imports. Caches nothing."""
    render_blocks(_WARM_UP, DEFAULT)


MarkdownSource: TypeAlias = "str | tuple[str, MarkdownOptions]"
"""What a markdown node was declared from: its text, or its text and options when they are not ``DEFAULT``."""


def markdown_source(text: str, options: MarkdownOptions) -> MarkdownSource:
    """A node's source for ``text`` rendered with ``options``: the text alone with the default options (a
    pair held per message of a long history is memory for nothing), else both."""
    return text if options is DEFAULT else (text, options)


def source_parts(source: MarkdownSource) -> tuple[str, MarkdownOptions]:
    """The text and options of a ``markdown_source``."""
    return (source, DEFAULT) if isinstance(source, str) else source


def markdown_source_props(source: MarkdownSource) -> dict[str, Any]:
    """``markdown_props`` of a node's source."""
    return markdown_props(*source_parts(source))


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


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def fenced(text: str, lang: str = "") -> str:
    """``text`` as a fenced code block whose fence is longer than any run of backticks inside it, so nothing
    in the text can close it."""
    fence = "`" * max(3, max(map(len, re.findall("`+", text)), default=0) + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def closing_marks(text: str) -> str:
    """What to append to markdown cut short (a stopped answer) so it renders closed: an open code fence's
    end, or the inline marks (``**``, ``*``, ``~~``, a backtick) its last paragraph left open, innermost
    first. Text that closes everything needs nothing."""
    fences = _FENCE.findall(text)
    opened: str | None = None
    for fence in fences:
        if opened is None:
            opened = fence
        elif fence[0] == opened[0] and len(fence) >= len(opened):
            opened = None
    if opened is not None:
        return ("" if text.endswith("\n") else "\n") + opened
    paragraph = _CODE_SPAN.sub("", text.rsplit("\n\n", 1)[-1])
    if paragraph.count("`") % 2:
        return "`"
    marks: list[tuple[int, str]] = []
    rest = paragraph
    for mark in ("**", "~~", "__"):
        if rest.count(mark) % 2:
            marks.append((rest.rfind(mark), mark))
        rest = rest.replace(mark, "\0" * len(mark))
    single = [m.start() for m in re.finditer(r"(?<![\s*])\*|\*(?=\S)", rest) if not _bullet(rest, m.start())]
    if len(single) % 2:
        marks.append((single[-1], "*"))
    return "".join(mark for _, mark in sorted(marks, reverse=True))


def _bullet(text: str, at: int) -> bool:
    """Whether the ``*`` at ``at`` starts a list item (a line's first mark, followed by a space)."""
    start = text.rfind("\n", 0, at) + 1
    return text[start:at].strip() == "" and text[at + 1 : at + 2] == " "
