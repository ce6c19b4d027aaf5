"""The text of the page a headless test holds (``ChatTest``): each message's content as the script gave it
(markdown source), or as the browser shows it (rendered, visible text)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from reactchat.ops import WireNode

_TAG = re.compile(r"<[^>]+>")

Source = Callable[[int], "str | None"]
"""The markdown source of the markdown node with an id, when known (None while it streams)."""


def html_text(fragment: str) -> str:
    """The visible text of an HTML fragment (tags dropped, entities decoded, outer whitespace trimmed)."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def node_text(node: WireNode, source: Source | None = None) -> str:
    """The content of a node's parts, joined by blank lines, leaving out thoughts: with ``source``, the
    markdown each part was given as (its visible text while it streams); without, the visible text."""
    parts: list[str] = []
    if node[1] == "message" and "html" in node[2]:  # (a message holding its text: no markdown node)
        given = source(node[0]) if source is not None else None
        parts.append(given if given is not None else html_text(node[2]["html"]))
    for child in node[3]:
        if child[1] == "markdown":
            given = source(child[0]) if source is not None else None
            parts.append(given if given is not None else html_text(child[2].get("html", "")))
        elif child[1] != "thought":
            parts.append(node_text(child, source))
    return "\n\n".join(p for p in parts if p)


def markdown_source(node: Any) -> str | None:
    """The markdown a server-side markdown node was declared or streamed with (None while it streams)."""
    source = getattr(node, "source", None)
    if isinstance(source, str):  # with the default options (markdown.markdown_source)
        return source
    return source[0] if isinstance(source, tuple) and source and isinstance(source[0], str) else None
