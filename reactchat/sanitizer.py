"""The HTML allow-list every rendered fragment is cleaned with (nh3), and the tags never allowed.

Cleaning is what makes HTML from any source safe to show: scripts, event handlers, styles and
``javascript:`` links never reach the page, and links open in a new tab without the opener.
"""

from __future__ import annotations

import functools
from typing import Any

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "input": {"type", "checked", "disabled"},
}
TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "input", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
"""The tags rendered HTML may hold (an app may allow more, never one of ``FORBIDDEN_TAGS``)."""


FORBIDDEN_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "link", "meta",
     "base", "svg", "math", "template", "noscript", "textarea", "select", "button", "title", "head", "html",
     "body"}
)  # fmt: skip
"""Never allowed, whatever an app asks for: they run code, load resources or restyle the page."""


def sanitize(fragment: str, extra_tags: frozenset[str] = frozenset()) -> str:
    """Clean an HTML fragment with the allow-list used for all rendered HTML (plus ``extra_tags``)."""
    return str(_cleaner(extra_tags).clean(fragment))


@functools.lru_cache(maxsize=16)
def _cleaner(extra_tags: frozenset[str]) -> Any:
    # A reusable Cleaner: ``nh3.clean`` converts the whole allow-list on every call, ~25 us, which was most
    # of the cost of a message made of many small blocks.
    import nh3

    return nh3.Cleaner(
        tags=TAGS | extra_tags,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties={"text-align"},
    )
