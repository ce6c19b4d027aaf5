"""How the chat looks (the display half of ``rc.chat``): the ``chat`` node's props, and how this run renders
text."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reactchat.elements import Rendering, resolve
from reactchat.markdown import markdown_options, markdown_props
from reactchat.markdown_rules import DEFAULT_LATEX, Delimiter
from reactchat.media import is_url
from reactchat.theme import Theme

if TYPE_CHECKING:
    from reactchat.run import Run

LAYOUTS = ("bubble", "panel")


def _size(name: str, value: Any) -> str | int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise TypeError(f"{name} must be a number of pixels or a CSS length like '60vh'; got {value!r}")


def _delimiters(value: Any) -> tuple[Delimiter, ...]:
    if value is None:
        return DEFAULT_LATEX
    out = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("left"), str) or not item.get("left"):
            raise ValueError(f"each latex delimiter must be {{'left', 'right', 'display'}}; got {item!r}")
        out.append((item["left"], str(item.get("right", item["left"])), bool(item.get("display", False))))
    return tuple(out)


def avatar(run: Run, role: str, value: Any) -> dict[str, str] | None:
    """An avatar or icon: ``{"emoji"}`` for a short text that is not a file, else ``{"src"}``.

    Raises:
        FileNotFoundError: for a long text that names no file.
    """
    if value is None:
        return None
    if isinstance(value, str) and not is_url(value) and not os.path.exists(value):
        if len(value) <= 8:
            return {"emoji": value}
        raise FileNotFoundError(f"avatar for {role!r}: no such file {value!r} (and too long to be an emoji)")
    return {"src": resolve(run, value).url}


def chat_props(run: Run, options: dict[str, Any]) -> tuple[dict[str, Any], Rendering]:
    """Validate ``rc.chat`` arguments into the ``chat`` node's props and how the run renders text.

    Raises:
        ValueError, TypeError: naming the argument and the bad value.
    """
    layout = options.get("layout", "bubble")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be 'bubble' or 'panel'; got {layout!r}")
    sanitize_html = options.get("sanitize_html", True)
    allow_tags = options.get("allow_tags") or ()
    if isinstance(allow_tags, str) or not isinstance(allow_tags, Sequence):
        raise TypeError(f"allow_tags must be a list of tag names; got {allow_tags!r}")
    markdown = markdown_options(
        render_markdown=bool(options.get("render_markdown", True)),
        line_breaks=bool(options.get("line_breaks", False)),
        raw_html=not sanitize_html,
        allow_tags=frozenset(allow_tags),
        latex=_delimiters(options.get("latex_delimiters")),
    )
    tags = options.get("reasoning_tags") or ()
    if any(
        not (isinstance(t, (tuple, list)) and len(t) == 2 and all(isinstance(x, str) and x for x in t))
        for t in tags
    ):
        raise ValueError(f"reasoning_tags must be pairs of opening and closing tags; got {tags!r}")
    rendering = Rendering(markdown, tuple((o, c) for o, c in tags))

    props: dict[str, Any] = {"layout": layout}
    for name in ("height", "min_height", "max_height"):
        size = _size(name, options.get(name))
        if size is not None:
            props[name] = size
    for name, default in (
        ("resizable", False), ("show_timestamps", False), ("show_usage", False), ("rtl", False),
        ("group_consecutive_messages", True), ("autoscroll", True), ("show_copy_code", True),
        ("allow_file_downloads", True),
    ):  # fmt: skip
        value = options.get(name, default)
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False; got {value!r}")
        props[name] = value
    for name in ("submit_btn", "stop_btn"):
        label = options.get(name)
        if label is not None:
            if not isinstance(label, str) or not label.strip():
                raise TypeError(f"{name} must be a non-empty label; got {label!r}")
            props[name] = label
    for name in ("placeholder", "description"):
        text = options.get(name)
        if text is not None:
            props[name] = markdown_props(str(text), markdown)["html"]
    avatars = options.get("avatar_images")
    if avatars is not None:
        if not isinstance(avatars, Mapping):
            if not isinstance(avatars, Sequence) or len(avatars) != 2:
                raise TypeError(
                    f"avatar_images must be {{role: image}} or (user, assistant); got {avatars!r}"
                )
            avatars = {"user": avatars[0], "assistant": avatars[1]}
        resolved = {role: avatar(run, role, value) for role, value in avatars.items()}
        props["avatars"] = {role: value for role, value in resolved.items() if value is not None}
    theme = options.get("theme")
    if theme is not None:
        props["theme"] = Theme.parse(theme).props()
    return props, rendering
