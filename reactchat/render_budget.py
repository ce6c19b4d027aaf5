"""The work limits of a markdown render: ``RenderWork``, the cost weights, the budget and output checks.

Any user can send any text up to the message cap, and every app renders the user's own prompt, so no text
may make a render expensive. Before the expensive stages run, a render estimates what they will cost from
cheap counts (characters, lines, table pipes, the characters at which inline rules run); past the budget
the text is shown escaped in a <pre> instead. The estimate is deterministic, so the same text always
renders the same way (the render cache and the streamed-vs-declared comparison rely on that). Highlighting
is the exception: pygments lexers are quadratic on some inputs, so it is bounded by CPU time instead (see
``reactchat.highlight``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

RENDER_BUDGET = 300_000
"""The most work one render may do, in units of about a microsecond of CPU on the bench machine (see the
weights below); text estimated to cost more is shown as escaped preformatted text."""

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
WORK_KEY = "reactchat.work"
"""The env key under which a parse carries its ``RenderWork``."""


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
            raise OverBudget(reason)


class OverBudget(Exception):
    """Raised from inside the parser to abandon a render that would cost too much."""


def charge_source(text: str, work: RenderWork) -> None:
    """Before any parsing, charge what is proportional to the text's size, and splitting table rows into
    cells (one call of the table rule does all of a table's rows, so the block rule count cannot see them)."""
    units = len(text) * _W_CHAR + text.count("\n") * _W_LINE + text.count("|") * _W_PIPE
    work.charge(units, f"{len(text):,} characters")


def add_budget_rules(md: MarkdownIt) -> None:
    """Add the rules that charge the work of a parse carrying a ``RenderWork`` in ``env[WORK_KEY]``."""
    terminates = ["paragraph", "reference", "blockquote", "list"]  # also run where these check for an end
    md.block.ruler.before(
        md.block.ruler.get_all_rules()[0], "reactchat-budget", _count_block_rule, {"alt": terminates}
    )
    md.core.ruler.after("block", "reactchat-budget", _charge_blocks)
    md.core.ruler.push("reactchat-output", _check_output)


def _count_block_rule(state: Any, _start: int, _end: int, _silent: bool) -> bool:
    """First block rule: charges each line start the block parser tries rules at (also as a paragraph's
    terminator check, and inside lists and quotes), then lets the real rules run."""
    work: RenderWork | None = state.env.get(WORK_KEY)
    if work is not None:
        work.block_rules += 1
        work.charge(_W_BLOCK_RULE, f"over {work.block_rules:,} block rule calls")
    return False


def _charge_blocks(state: Any) -> None:
    """Core rule between block and inline parsing: charge the inline parse before it runs."""
    work: RenderWork | None = state.env.get(WORK_KEY)
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
    work: RenderWork | None = state.env.get(WORK_KEY)
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
        raise OverBudget(f"links expand to {link_chars:,} characters")
    if html_parts:
        depth = _html_depth("".join(html_parts), work)
        if depth > MAX_HTML_DEPTH:
            raise OverBudget(f"raw HTML nested {depth:,} deep")


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
