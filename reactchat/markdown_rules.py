"""Our own markdown-it rules: math between delimiters, found in linear time, and GitHub task lists."""

from __future__ import annotations

import bisect
import html
import re
from typing import TYPE_CHECKING, Any

from reactchat.render_budget import WORK_KEY

if TYPE_CHECKING:
    from markdown_it.token import Token

    from reactchat.render_budget import RenderWork

Delimiter = tuple[str, str, bool]
"""How math is marked in the text: (left, right, display)."""

DEFAULT_LATEX: tuple[Delimiter, ...] = (
    ("$$", "$$", True),
    ("\\[", "\\]", True),
    ("\\(", "\\)", False),
    ("$", "$", False),
)
"""The delimiters math is found between unless an app chooses others."""


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
        work: RenderWork | None = state.env.get(WORK_KEY)
        if work is not None:
            work.math_scanned += len(src)
    return found


def math_rule(delimiters: tuple[Delimiter, ...]) -> Any:
    """The inline rule that makes ``math`` tokens of the text between any of ``delimiters``."""
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


def render_math(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """The render rule of ``math`` tokens: the escaped TeX in a span the frontend typesets."""
    token = tokens[idx]
    cls = "math-display" if token.meta.get("display") else "math-inline"
    return f'<span class="{cls}">{html.escape(token.content.strip())}</span>'


_TODO = re.compile(r"\[[ xX]][ \t\n\v\f\r]+")
_CHECKBOX = '<input class="task-list-item-checkbox" {}disabled="disabled" type="checkbox">'


def tasklists(state: Any) -> None:
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
