"""The chat's display options (``rc.chat``): what the browser applies and what changes how text renders."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reactchat.markdown import (
    DEFAULT,
    DEFAULT_LATEX,
    Delimiter,
    MarkdownOptions,
    markdown_options,
    markdown_props,
)
from reactchat.media import is_url

if TYPE_CHECKING:
    from reactchat.context import Run

LAYOUTS = ("bubble", "panel")
DEFAULT_REASONING_TAGS: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class ChatOptions:
    """What the rest of the run needs from ``rc.chat``: how to render text, and which tags mark reasoning."""

    markdown: MarkdownOptions = DEFAULT
    reasoning_tags: tuple[tuple[str, str], ...] = DEFAULT_REASONING_TAGS


DEFAULT_CHAT = ChatOptions()

CALLBACKS = ("option", "example", "feedback", "retry", "undo", "edit", "clear", "copy")


@dataclasses.dataclass(frozen=True)
class Interactions:
    """What ``rc.chat`` declared for interactions; kept by the session for the next event."""

    callbacks: dict[str, Callable[[Any], Any]] = dataclasses.field(default_factory=dict)
    examples: tuple[dict[str, Any], ...] = ()
    feedback_options: tuple[str, ...] = ()


def interaction_props(run: Run, options: dict[str, Any]) -> tuple[dict[str, Any], Interactions]:
    """The interaction part of ``rc.chat``: examples, feedback, message actions and callbacks.

    Raises:
        ValueError, TypeError: naming the option and the bad value.
    """
    props: dict[str, Any] = {}
    feedback = options.get("feedback", False)
    if feedback is True:
        feedback_options: tuple[str, ...] = ("Like", "Dislike")
    elif feedback is False or feedback is None:
        feedback_options = ()
    elif (
        isinstance(feedback, Sequence)
        and not isinstance(feedback, str)
        and all(isinstance(f, str) for f in feedback)
    ):
        feedback_options = tuple(feedback)
    else:
        raise TypeError(f"feedback must be True, False or a list of strings; got {feedback!r}")
    props["feedback_options"] = list(feedback_options)
    props["feedback_on_user"] = bool(options.get("feedback_on_user", False))
    edit = options.get("editable")
    if edit not in (None, "user", "all"):
        raise ValueError(f"editable must be None, 'user' or 'all'; got {edit!r}")
    actions = {"edit": edit}
    for name, default in (
        ("retry", False),
        ("undo", False),
        ("clear", False),
        ("copy", True),
        ("copy_all", True),
    ):
        value = options.get(name, default)
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False; got {value!r}")
        actions[name] = value
    props["actions"] = actions
    if options.get("watermark") is not None:
        props["watermark"] = str(options["watermark"])
    shown, examples = [], []
    for i, example in enumerate(options.get("examples") or ()):
        if isinstance(example, str):
            example = {"text": example}
        if not isinstance(example, Mapping) or not isinstance(example.get("text", ""), str):
            raise TypeError(
                f"examples[{i}] must be a str or {{'text', 'files'?, 'icon'?, 'display_text'?}}; "
                f"got {example!r}"
            )
        files = [os.fspath(f) for f in example.get("files") or ()]
        for f in files:
            if not os.path.isfile(f):
                raise FileNotFoundError(f"examples[{i}]: no such file {f!r}")
        item: dict[str, Any] = {"text": example.get("text", "")}
        if example.get("display_text"):
            item["display_text"] = str(example["display_text"])
        if files:
            item["files"] = [{"name": os.path.basename(f)} for f in files]
        icon = example.get("icon")
        if icon is not None:
            item["icon"] = _avatar(run, f"examples[{i}] icon", icon)
        shown.append(item)
        examples.append({"text": item["text"], "files": files})
    if shown:
        props["examples"] = shown
    callbacks = {}
    for name in CALLBACKS:
        callback = options.get(f"on_{name}")
        if callback is not None:
            if not callable(callback):
                raise TypeError(f"on_{name} must be a function; got {callback!r}")
            callbacks[name] = callback
    return props, Interactions(callbacks, tuple(examples), feedback_options)


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


def _avatar(run: Run, role: str, value: Any) -> dict[str, str] | None:
    from reactchat.elements import resolve

    if value is None:
        return None
    if isinstance(value, str) and not is_url(value) and not os.path.exists(value):
        if len(value) <= 8:
            return {"emoji": value}
        raise FileNotFoundError(f"avatar for {role!r}: no such file {value!r} (and too long to be an emoji)")
    return {"src": resolve(run, value).url}


def chat_props(run: Run, options: dict[str, Any]) -> tuple[dict[str, Any], ChatOptions]:
    """Validate ``rc.chat`` arguments into the ``chat`` node's props and the run's ChatOptions.

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
    chat = ChatOptions(markdown, tuple((o, c) for o, c in tags))

    props: dict[str, Any] = {"layout": layout}
    for name in ("height", "min_height", "max_height"):
        size = _size(name, options.get(name))
        if size is not None:
            props[name] = size
    for name, default in (
        ("resizable", False), ("show_timestamps", False), ("rtl", False),
        ("group_consecutive_messages", True), ("autoscroll", True), ("show_copy_code", True),
    ):  # fmt: skip
        value = options.get(name, default)
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False; got {value!r}")
        props[name] = value
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
        resolved = {role: _avatar(run, role, value) for role, value in avatars.items()}
        props["avatars"] = {role: value for role, value in resolved.items() if value is not None}
    return props, chat
