"""What a script can show: the message model, media elements, and how content turns into nodes.

Every API call starts with ``begin()``: the current run, its interrupt check, and the media elements made
since the last call declared where they were made.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from reactchat import context
from reactchat.markdown import (
    DEFAULT,
    MarkdownOptions,
    MarkdownSource,
    markdown_source,
    markdown_source_props,
)
from reactchat.media import MediaEntry, image_bytes, is_url, stored_file_url

if TYPE_CHECKING:
    from reactchat.run import Run
    from reactchat.tree import Node

ROLES = frozenset({"user", "assistant", "system"})
THOUGHT_KEYS = ("title", "status", "log", "duration")


@dataclasses.dataclass(frozen=True)
class Rendering:
    """How this run renders text (set by ``rc.chat``): markdown options, and the tags that mark reasoning."""

    markdown: MarkdownOptions = DEFAULT
    reasoning_tags: tuple[tuple[str, str], ...] = ()


class Pending(list["Element"]):
    """This run's media elements made but not declared yet (see ``Element``)."""


def begin(content: Any = None) -> Run:
    """Every API call begins here: raise a pending interrupt, then declare the media made since the last
    call, except elements that ``content`` is about to take into a message."""
    run = context.current_run()
    cancel = run.cancel
    if cancel.kind is not None or cancel.abandoned:  # inline: this runs for every message of a history
        cancel.check()
    pending = run.find(Pending)
    if pending:
        if content is not None:
            claim(run, content)
        flush_pending(run)
    return run


def flush_pending(run: Run) -> None:
    """Declare the media elements made since the last reactchat call, where they were made."""
    pending = run.find(Pending)
    if pending:
        elements = list(pending)
        pending.clear()
        for element in elements:
            element.emit(run)


@dataclasses.dataclass
class ChatMessage:
    """One chat message, as a plain record (the same fields as an OpenAI-style message dict).

    Attributes:
        role: ``"user"``, ``"assistant"`` or ``"system"``.
        content: Markdown text, a file dict ``{"path", "alt_text"?, "mime_type"?}``, a media element
            (``rc.image(...)`` ...), or a list of these.
        metadata: Makes the message a thought (tool use, reasoning) when it has a ``"title"``; also
            ``"id"``, ``"parent_id"`` (nest under the thought with that id), ``"log"``, ``"duration"``
            (seconds) and ``"status"`` (``"pending"`` or ``"done"``).
        options: Preset replies shown under the message: ``[{"value", "label"?}]``.
        created_at: Unix time; set when the message is first shown if left out.
        feedback: The feedback shown as chosen (otherwise the user's choice is kept on the message).
    """

    role: str = "assistant"
    content: Any = ""
    metadata: dict[str, Any] | None = None
    options: list[Any] | None = None
    created_at: float | None = None
    feedback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        for name in ("metadata", "options", "created_at", "feedback"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


def message_key(stored: Any) -> str:
    """The key of a message with the id ``stored``: the id itself when it is a string (a stored message's
    id, held anyway: no string of its own per message), else ``m:`` and the id."""
    return stored if type(stored) is str else f"m:{stored}"


def as_message(value: Any) -> ChatMessage:
    """A ChatMessage from a ChatMessage or a message dict.

    Raises:
        ValueError: for a dict without a role, or an unknown role. TypeError: for anything else.
    """
    if isinstance(value, ChatMessage):
        message = value
    elif isinstance(value, Mapping):
        if "role" not in value:
            raise ValueError(f"a message dict needs a 'role' key, got keys {sorted(value)}")
        message = ChatMessage(
            role=value["role"],
            content=value.get("content"),
            metadata=value.get("metadata"),
            options=value.get("options"),
            created_at=value.get("created_at"),
            feedback=value.get("feedback"),
        )
    else:
        raise TypeError(f"expected a role, a message dict or a ChatMessage; got {type(value).__name__}")
    if message.role not in ROLES:
        raise ValueError(f"message role must be one of assistant, system, user; got {message.role!r}")
    return message


@dataclasses.dataclass(eq=False)
class Element:
    """A media element: shown where it was created, or inside a message when passed as its content.

    Created by ``rc.image``, ``rc.audio`` and the like. It is declared at the script's next reactchat call
    (or the end of its container), unless a message takes it as content first.
    """

    kind: str
    props: dict[str, Any]
    key: str | None = None
    media: tuple[MediaEntry, ...] = ()
    # Where this run declared it (run id, node), so a message taking it later moves it instead of copying.
    shown: tuple[int, Node] | None = dataclasses.field(default=None, repr=False)

    def emit(self, run: Run) -> Node:
        for entry in self.media:
            run.scope.media.keep(entry)
        if self.shown is not None and self.shown[0] == run.id:
            run.reconciler.retract(self.shown[1])
        node = run.reconciler.emit(self.kind, dict(self.props), self.key)
        self.shown = (run.id, node)
        return node


def option_props(options: Any) -> list[dict[str, Any]]:
    """Preset replies as ``[{"value", "label"?}]``; a plain string is its own value.

    Raises:
        TypeError: naming the bad option.
    """
    out = []
    for option in options:
        if isinstance(option, str):
            out.append({"value": option})
        elif isinstance(option, Mapping) and isinstance(option.get("value"), str):
            item = {"value": option["value"]}
            if option.get("label") is not None:
                item["label"] = str(option["label"])
            out.append(item)
        else:
            raise TypeError(f"an option must be a str or {{'value': str, 'label'?: str}}; got {option!r}")
    return out


# -- sources -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Source:
    url: str
    mime: str | None
    name: str | None
    size: int | None
    entry: MediaEntry | None


def resolve(run: Run, source: Any, *, mime: str | None = None, name: str | None = None) -> Source:
    """Turn a path, URL, bytes, PIL image, numpy array or matplotlib figure into a servable URL.

    Raises:
        FileNotFoundError: for a path that is not a file. TypeError: for an unsupported source.
    """
    if is_url(source):
        path = urlsplit(source).path
        guessed_name = name or os.path.basename(path) or None
        return Source(source, mime or mimetypes.guess_type(path)[0], guessed_name, None, None)
    named = name is not None or isinstance(source, (str, os.PathLike))
    if isinstance(source, (str, os.PathLike)):
        entry = run.scope.media.add_path(os.fspath(source), mime, name)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        entry = run.scope.media.add_bytes(bytes(source), mime, name)
    else:
        converted = image_bytes(source)
        if converted is None:
            raise TypeError(
                f"cannot show a {type(source).__name__}: expected a file path, an http(s) URL, bytes, a PIL"
                " image, a numpy array or a matplotlib figure"
            )
        entry = run.scope.media.add_bytes(converted[0], converted[1], name)
    # Bytes and images have no name worth showing unless the app gave one.
    return Source(run.scope.media.url(entry), entry.mime, entry.name if named else None, entry.size, entry)


def media_element(kind: str, source: Source, props: dict[str, Any], key: str | None) -> Element:
    props = {"src": source.url, **{k: v for k, v in props.items() if v is not None}}
    if kind in ("audio", "video", "file") and source.mime:
        props.setdefault("mime", source.mime)
    if kind in ("audio", "video", "file") and source.name:
        props.setdefault("name", source.name)
    if kind == "file" and source.size is not None:
        props.setdefault("size", source.size)
    return Element(kind, props, key, (source.entry,) if source.entry else ())


def kind_for(mime: str | None) -> str:
    major = (mime or "").split("/", 1)[0]
    return major if major in ("image", "audio", "video") else "file"


def file_element(run: Run, value: Mapping[str, Any]) -> Element:
    """The element for a file dict, chosen by its type: ``{"path", "alt_text"?, "mime_type"?}``, or a file
    kept in the store ``{"file_id", "name", "mime_type", "size", "alt_text"?}`` (as ``conv.history`` has
    them)."""
    if "file_id" in value:
        size = value.get("size")
        source = Source(stored_file_url(str(value["file_id"])), value.get("mime_type"), value.get("name"),
                        size if isinstance(size, int) else None, None)  # fmt: skip
    else:
        source = resolve(run, value["path"], mime=value.get("mime_type"))
    kind = kind_for(source.mime)
    props = {"alt": value.get("alt_text")} if kind == "image" else {}
    return media_element(kind, source, props, None)


def claim(run: Run, content: Any) -> None:
    """Take the pending elements inside ``content`` (a message, its content, or lists of them) out of the
    queue of elements to declare where they were made: the message shows them instead."""
    if isinstance(content, Element):
        pending = run.part(Pending)
        if content in pending:
            pending.remove(content)
    elif isinstance(content, ChatMessage):
        claim(run, content.content)
    elif isinstance(content, Mapping):
        claim(run, content.get("content"))
    elif isinstance(content, (list, tuple)):
        for part in content:
            claim(run, part)


# -- content -------------------------------------------------------------------------------------------------


def text_source(run: Run, content: Any, *, reasoning: bool = False) -> MarkdownSource | None:
    """The markdown source of ``content`` if it is one text, shown whole (``reasoning``: in an assistant's
    message, where no reasoning tags are set); else None. A message holding such a text shows it itself, in
    one node: a markdown node for each message's text is memory per message for nothing."""
    if type(content) is not str:
        return None
    rendering = run.part(Rendering)
    return None if reasoning and rendering.reasoning_tags else markdown_source(content, rendering.markdown)


def emit_content(run: Run, content: Any, *, reasoning: bool = False) -> None:
    """Declare a message's content in the current container; ``reasoning`` splits text at reasoning tags."""
    if content is None:
        return
    source = text_source(run, content, reasoning=reasoning)
    if source is not None:  # the common case, inline
        run.reconciler.emit("markdown", None, None, source=source, render=markdown_render(run))
    else:
        _emit(run, content, run.part(Rendering), reasoning)


def _emit(run: Run, content: Any, rendering: Rendering, reasoning: bool) -> None:
    if isinstance(content, str):
        tags = rendering.reasoning_tags if reasoning else ()
        if not tags:
            emit_markdown(run, content, options=rendering.markdown)
            return
        for thought, text in split_reasoning(content, tags):
            if thought:
                emit_reasoning(run, text, rendering.markdown)
            else:
                emit_markdown(run, text, options=rendering.markdown)
    elif isinstance(content, Element):
        content.emit(run)
    elif isinstance(content, Mapping) and ("file_id" in content or "path" in content):
        file_element(run, content).emit(run)
    elif isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        for part in content:
            if part is not None:
                _emit(run, part, rendering, reasoning)
    elif image_bytes(content) is not None or isinstance(content, (bytes, bytearray)):
        media_element("image", resolve(run, content), {}, None).emit(run)
    else:
        raise TypeError(
            f"message content must be text, a file dict, a media element or a list of them; got"
            f" {type(content).__name__}"
        )


def emit_markdown(
    run: Run, text: str, key: str | None = None, *, options: MarkdownOptions | None = None
) -> Node:
    """Declare a markdown node, rendered (once per distinct source) with ``options`` or the run's."""
    if options is None:
        options = run.part(Rendering).markdown
    return run.reconciler.emit(
        "markdown", None, key, source=markdown_source(text, options), render=markdown_render(run)
    )


def markdown_render(run: Run | None) -> Callable[[MarkdownSource], dict[str, Any]]:
    """How ``run`` renders a markdown node's source: through the renders kept with the stored conversation
    it shows (``reactchat.renders``), if any, else ``markdown_props``."""
    transcript = run.scope.transcript if run is not None else None
    renders = transcript.renders if transcript is not None else None
    return renders.props if renders is not None else markdown_source_props


def emit_reasoning(run: Run, text: str, options: MarkdownOptions) -> None:
    rec = run.reconciler
    node = rec.emit("thought", {"title": "Thinking", "status": "done"}, defaults={"duration": None})
    rec.enter(node)
    emit_markdown(run, text, options=options)
    rec.exit()


def split_reasoning(text: str, tags: Sequence[tuple[str, str]]) -> list[tuple[bool, str]]:
    """Split ``text`` into (is_thought, text) segments at reasoning tags; an unclosed tag runs to the end."""
    segments: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(text):
        found = min(
            ((i, o, c) for o, c in tags if (i := text.find(o, pos)) != -1), default=None, key=lambda f: f[0]
        )
        if found is None:
            segments.append((False, text[pos:]))
            break
        start, opening, closing = found
        if start > pos:
            segments.append((False, text[pos:start]))
        inner = start + len(opening)
        end = text.find(closing, inner)
        segments.append((True, text[inner : end if end != -1 else len(text)]))
        pos = len(text) if end == -1 else end + len(closing)
    return segments


def thought_props(metadata: Mapping[str, Any]) -> dict[str, Any]:
    props = {k: metadata[k] for k in THOUGHT_KEYS if metadata.get(k) is not None}
    props["title"] = str(props["title"])
    return props
