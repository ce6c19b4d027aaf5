"""Code highlighting with pygments, bounded by CPU time per render, and the stylesheet it needs."""

from __future__ import annotations

import functools
import html
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reactchat.render_budget import RenderWork

HIGHLIGHT_SECONDS = 0.15
"""Thread CPU seconds one render may spend in pygments; code after that is shown unhighlighted. Time, not
size: lexers for C, Python, TypeScript, HTML ... are quadratic on inputs such as runs of blank lines or
chains of ``a.`` (16 KB of either cost seconds), so no size limit is both safe and useful."""

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


# Pygments loads its lexer and formatter modules on first use, through lazy module attributes that are not
# safe to race: two threads loading them at once (two tabs' first runs, or one and the server's warm-up)
# could fail one with "cannot import name 'HtmlFormatter'". Finding a lexer or the formatter is rare (each
# is kept): one thread at a time.
_LOADING = threading.Lock()


@functools.lru_cache(maxsize=256)
def _lexer(lang: str) -> Any:
    """The lexer for ``lang``, or None: one instance per name (lexers keep no state between calls, and
    finding one by name costs more than many a small block's highlighting)."""
    with _LOADING:
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        try:
            return get_lexer_by_name(lang)
        except ClassNotFound:
            return None


@functools.lru_cache(maxsize=1)
def _formatter() -> Any:
    """One formatter for every block: making one builds its style table (~0.4 ms), and formatting only
    reads it."""
    with _LOADING:
        from pygments.formatters.html import HtmlFormatter

        return HtmlFormatter(nowrap=True)


def highlight(code: str, lang: str, _attrs: str, work: RenderWork | None = None) -> str:
    """A fenced code block's HTML (markdown-it's ``highlight`` option), highlighted until ``work``'s
    deadline."""
    lang = lang.strip().split()[0] if lang.strip() else ""
    body: str | None = None
    if lang:
        from pygments import format as pygments_format

        loading = time.thread_time()
        lexer = _lexer(lang[:64])
        if work is not None:  # importing a lexer's module (once per process) is not the code's cost
            work.deadline += time.thread_time() - loading
        if lexer is not None:
            tokens = lexer.get_tokens(code)  # what pygments.highlight does, with a deadline in between
            try:
                if work is not None:
                    if time.thread_time() > work.deadline:
                        raise _OutOfTime
                    tokens = _timed(tokens, work.deadline)
                body = _PLAIN_SPAN.sub(r"\1", pygments_format(tokens, _formatter()))
                if work is not None:
                    work.highlighted += len(code)
            except _OutOfTime:
                assert work is not None
                work.unhighlighted += len(code)
    if body is None:
        body = html.escape(code)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f'<pre class="highlight"><code{cls}>{body}</code></pre>\n'


def highlighter(work: RenderWork) -> Callable[[str, str, str], str]:
    """``highlight`` for one render: its blocks share ``HIGHLIGHT_SECONDS`` from now, recorded in ``work``."""
    work.deadline = time.thread_time() + HIGHLIGHT_SECONDS
    return functools.partial(highlight, work=work)


def highlight_css() -> str:
    """The stylesheet for highlighted code, light and dark: dark where the system is, unless the app's theme
    fixes the mode (``data-mode`` on the root element), and wherever the theme says dark."""
    with _LOADING:  # (pygments loads the styles' modules on first use)
        from pygments.formatters.html import HtmlFormatter

        light = HtmlFormatter(style="default").get_style_defs(".highlight")
        system = HtmlFormatter(style="monokai").get_style_defs(':root:not([data-mode="light"]) .highlight')
        fixed = HtmlFormatter(style="monokai").get_style_defs(':root[data-mode="dark"] .highlight')
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{system}\n}}\n{fixed}\n"
