"""The functions a script calls. Each is thin: check for an interrupt, then declare a node in the run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from reactchat import context
from reactchat.display import chat_props, interaction_props
from reactchat.elements import (
    ROLES,
    ChatMessage,
    Element,
    as_message,
    claim,
    emit_content,
    emit_markdown,
    media_element,
    option_props,
    resolve,
    thought_props,
)
from reactchat.events import ChatEvent
from reactchat.markdown import sanitize
from reactchat.media import wav_from_array
from reactchat.state import SessionState
from reactchat.stream import ReasoningWriter, Writer, consume_async, consume_sync
from reactchat.tree import Node
from reactchat.uploads import accepts


def _start(content: Any = None) -> context.Run:
    """Every API call begins here: raise a pending interrupt, declare media made since the last call
    (except elements that ``content`` is about to take into a message)."""
    run = context.current_run()
    run.checkpoint()
    if run.pending:
        if content is not None:
            claim(run, content)
        run.flush_pending()
    return run


class Container:
    """A declared element that can hold others: ``with rc.message("assistant"): ...`` nests into it."""

    def __init__(self, run: context.Run, node: Node) -> None:
        self._run = run
        self.node = node

    def __enter__(self) -> Container:
        self._run.reconciler.enter(self.node)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and self._run.pending:
            self._run.flush_pending()
        self._run.reconciler.exit(prune=exc_type is None)


def message(
    role: str | Mapping[str, Any] | ChatMessage, content: Any = None, *, key: str | None = None
) -> Container:
    """Declare a chat message.

    Args:
        role: ``"user"``, ``"assistant"`` or ``"system"``; or a message dict ``{"role", "content", ...}`` or
            a ``ChatMessage``. A message whose ``metadata`` has a ``"title"`` shows as a thought (tool use,
            reasoning), nested under the thought whose metadata ``"id"`` equals its ``"parent_id"``.
        content: Markdown text, a file dict ``{"path", "alt_text"?, "mime_type"?}``, a media element such as
            ``rc.image(...)``, or a list of these. Leave it out and use the message as a context manager to
            put several parts into it: ``with rc.message("assistant"): rc.write_stream(...)``.
        key: A stable identity among its siblings, when messages can be reordered or removed.

    Returns:
        The message, usable as a context manager.

    Raises:
        ValueError: for an unknown role. TypeError: for content of an unsupported type.
    """
    run = _start(role if content is None else content)
    metadata = created_at = options = feedback = None
    if isinstance(role, str):
        if role not in ROLES:
            as_message({"role": role})  # raises, naming the role
        body = content
    elif content is not None:
        raise TypeError("rc.message() takes either a message (dict or ChatMessage) or a role and content")
    elif type(role) is dict and role.get("role") in ROLES:
        # The common case, a history of plain dicts, without building a ChatMessage for each one.
        body, metadata, created_at = role.get("content"), role.get("metadata"), role.get("created_at")
        options, feedback = role.get("options"), role.get("feedback")
        role = role["role"]
    else:
        msg = as_message(role)
        role, body, metadata, created_at = msg.role, msg.content, msg.metadata, msg.created_at
        options, feedback = msg.options, msg.feedback
    assert isinstance(role, str)
    if metadata and metadata.get("title") is not None:
        return _thought_message(run, ChatMessage(role, body, metadata), key)
    props: dict[str, Any] = {"role": role}
    if created_at is not None:
        props["created_at"] = created_at
    if options:
        props["options"] = option_props(options)
    if feedback is not None:
        props["feedback"] = feedback
    rec = run.reconciler
    node = rec.emit("message", props, key, defaults=run.message_defaults)
    if body is not None:
        rec.enter(node)
        try:
            emit_content(run, body, reasoning=role == "assistant")
            if run.pending:
                run.flush_pending()
        except BaseException:
            rec.exit(prune=False)
            raise
        rec.exit()
    return Container(run, node)


def _thought_message(run: context.Run, msg: ChatMessage, key: str | None) -> Container:
    assert msg.metadata is not None
    rec = run.reconciler
    parent_id = msg.metadata.get("parent_id")
    parent = run.thoughts.get(parent_id) if parent_id is not None else None
    if parent is not None:
        rec.enter(parent)
    node = rec.emit("thought", thought_props(msg.metadata), key)
    if msg.metadata.get("id") is not None:
        run.thoughts[msg.metadata["id"]] = node
    if msg.content not in (None, ""):
        # Later messages may nest more thoughts in here (parent_id): prune when the run ends, not now.
        rec.enter(node)
        emit_content(run, msg.content)
        rec.exit(prune=False)
    if parent is not None:
        rec.exit(prune=False)
    return Container(run, node)


class Thought(Container):
    """A collapsible block for tool use or reasoning; see ``rc.thought``."""

    def __init__(self, run: context.Run, node: Node) -> None:
        super().__init__(run, node)
        self._started = time.monotonic()

    def __enter__(self) -> Thought:
        super().__enter__()
        return self

    def update(self, *, title: str | None = None, log: str | None = None, status: str | None = None) -> None:
        """Change the title, the log line or the status while the block runs."""
        patch = {k: v for k, v in (("title", title), ("log", log), ("status", status)) if v is not None}
        changed = {k: v for k, v in patch.items() if self.node.props.get(k) != v}
        if changed:
            self._run.reconciler.set(self.node, changed)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        failed = exc_type is not None and not issubclass(exc_type, context.Interrupt)
        duration = round(time.monotonic() - self._started, 1)
        self._run.reconciler.set(self.node, {"status": "error" if failed else "done", "duration": duration})


def thought(title: str, log: str | None = None, *, key: str | None = None) -> Thought:
    """A collapsible thought block (tool use, reasoning) in the current container.

    Use it with ``with``: what the block declares goes inside; it shows a spinner while the block runs,
    then collapses, showing how long it took; if the block raises, it shows as failed. Blocks nest.

        with rc.thought("Searching the web", log="query: weather Paris") as t:
            results = search(...)
            rc.markdown(summary(results))
            t.update(log=f"{len(results)} results")
    """
    run = _start()
    props: dict[str, Any] = {"title": str(title), "status": "pending"}
    if log is not None:
        props["log"] = str(log)
    node = run.reconciler.emit("thought", props, key, defaults={"duration": None})
    return Thought(run, node)


def markdown(text: str, *, key: str | None = None) -> None:
    """Declare a block of markdown (raw HTML is shown as text unless ``rc.chat`` allows it; the output is
    always sanitised). Math between ``$$``, ``\\[ \\]``, ``\\( \\)`` or ``$`` renders with KaTeX."""
    run = _start()
    if not isinstance(text, str):
        raise TypeError(f"rc.markdown() takes a str; got {type(text).__name__}")
    emit_markdown(run, text, key)


def title(text: str) -> None:
    """Declare the app's title, shown at the top and as the page title."""
    run = _start()
    run.reconciler.emit("title", {"text": str(text)})


def image(
    source: Any,
    *,
    alt: str | None = None,
    caption: str | None = None,
    width: int | None = None,
    height: int | None = None,
    key: str | None = None,
) -> Element:
    """An image: a file path, an http(s) URL, bytes, a PIL image, a numpy array (H x W [x 3|4]) or a
    matplotlib figure. Shown where it is made, or inside a message when passed as its content.

    Raises:
        FileNotFoundError: for a path that is not a file. TypeError: for an unsupported source.
    """
    run = _start()
    props = {"alt": alt, "caption": caption, "width": width, "height": height}
    return _pending(run, media_element("image", resolve(run, source), props, key))


def audio(
    source: Any, *, sample_rate: int | None = None, autoplay: bool = False, key: str | None = None
) -> Element:
    """Audio with player controls: a path, URL or bytes, or a numpy array of samples with ``sample_rate``."""
    run = _start()
    if sample_rate is not None:
        source = wav_from_array(source, sample_rate)
    props = {"autoplay": autoplay or None}
    return _pending(run, media_element("audio", resolve(run, source, mime=None), props, key))


def video(source: Any, *, autoplay: bool = False, key: str | None = None) -> Element:
    """A video with player controls: a path, an http(s) URL or bytes."""
    run = _start()
    return _pending(run, media_element("video", resolve(run, source), {"autoplay": autoplay or None}, key))


def file(source: Any, *, name: str | None = None, mime: str | None = None, key: str | None = None) -> Element:
    """A download link showing the file's name and size: a path, an http(s) URL or bytes (give ``name``)."""
    run = _start()
    return _pending(run, media_element("file", resolve(run, source, mime=mime, name=name), {}, key))


def html(content: str, *, key: str | None = None) -> Element:
    """HTML, sanitised: scripts, event handlers, styles sheets and unsafe URLs are removed."""
    run = _start()
    if not isinstance(content, str):
        raise TypeError(f"rc.html() takes a str; got {type(content).__name__}")
    return _pending(run, Element("html", {"html": sanitize(content, run.chat.markdown.allow_tags)}, key))


def gallery(items: Iterable[Any], *, columns: int | None = None, key: str | None = None) -> Element:
    """A grid of images. Each item is an image source, a ``(source, caption)`` pair, or a dict
    ``{"image": source, "caption"?, "alt"?}``."""
    run = _start()
    shown: list[dict[str, Any]] = []
    entries = []
    for item in items:
        caption = alt = None
        if isinstance(item, tuple) and len(item) == 2:
            item, caption = item
        elif isinstance(item, Mapping):
            item, caption, alt = item.get("image", item.get("path")), item.get("caption"), item.get("alt")
        source = resolve(run, item)
        if source.entry is not None:
            entries.append(source.entry)
        shown.append({k: v for k, v in (("src", source.url), ("caption", caption), ("alt", alt)) if v})
    props: dict[str, Any] = {"items": shown}
    if columns is not None:
        props["columns"] = int(columns)
    return _pending(run, Element("gallery", props, key, tuple(entries)))


def plot(
    figure: Any, *, alt: str | None = None, caption: str | None = None, key: str | None = None
) -> Element:
    """A matplotlib figure, rendered to PNG on the server (matplotlib is not a dependency of reactchat)."""
    if not hasattr(figure, "savefig"):
        raise TypeError(f"rc.plot() takes a matplotlib figure; got {type(figure).__name__}")
    return image(figure, alt=alt, caption=caption, key=key)


def _pending(run: context.Run, element: Element) -> Element:
    run.pending.append(element)
    return element


def chat(
    *,
    layout: str = "bubble",
    height: int | str | None = None,
    min_height: int | str | None = None,
    max_height: int | str | None = None,
    resizable: bool = False,
    placeholder: str | None = None,
    avatar_images: Any = None,
    show_timestamps: bool = False,
    render_markdown: bool = True,
    line_breaks: bool = False,
    sanitize_html: bool = True,
    allow_tags: Iterable[str] | None = None,
    latex_delimiters: list[dict[str, Any]] | None = None,
    rtl: bool = False,
    group_consecutive_messages: bool = True,
    autoscroll: bool = True,
    show_copy_code: bool = True,
    reasoning_tags: Iterable[tuple[str, str]] | None = None,
    title: str | None = None,
    description: str | None = None,
    examples: Iterable[Any] | None = None,
    feedback: bool | Iterable[str] = False,
    feedback_on_user: bool = False,
    retry: bool = False,
    undo: bool = False,
    editable: str | None = None,
    clear: bool = False,
    copy: bool = True,
    copy_all: bool = True,
    watermark: str | None = None,
    on_option: Callable[[ChatEvent], Any] | None = None,
    on_example: Callable[[ChatEvent], Any] | None = None,
    on_feedback: Callable[[ChatEvent], Any] | None = None,
    on_retry: Callable[[ChatEvent], Any] | None = None,
    on_undo: Callable[[ChatEvent], Any] | None = None,
    on_edit: Callable[[ChatEvent], Any] | None = None,
    on_clear: Callable[[ChatEvent], Any] | None = None,
    on_copy: Callable[[ChatEvent], Any] | None = None,
) -> None:
    """Configure how the chat looks and how messages render. Call it before the messages it should affect
    (usually at the top of the script).

    Args:
        layout: ``"bubble"`` (messages as bubbles) or ``"panel"`` (full-width rows).
        height, min_height, max_height: The transcript's size: pixels, or a CSS length like ``"70vh"``.
        resizable: Let the user drag the transcript's height.
        placeholder: Markdown shown while the chat has no messages.
        avatar_images: ``{"user": ..., "assistant": ...}`` or ``(user, assistant)``: an image path, URL or
            an emoji.
        show_timestamps: Show when each message was created.
        render_markdown: False shows message text exactly as typed.
        line_breaks: Single newlines in markdown become line breaks.
        sanitize_html: False renders raw HTML in markdown (still through the sanitiser's allow-list).
        allow_tags: Extra (custom) tags kept in messages, e.g. ``["thinking"]``.
        latex_delimiters: ``[{"left", "right", "display"}]``; default ``$$..$$``, ``\\[..\\]``,
            ``\\(..\\)`` and ``$..$`` (a single ``$`` only where it cannot be money: "$5 and $10" stays
            text). ``[]`` turns math off.
        rtl: Right-to-left text.
        group_consecutive_messages: Show consecutive messages of one role as a group.
        autoscroll: Follow new content while the user is at the bottom (a button offers the way back down
            when they scrolled up).
        show_copy_code: A copy button on every code block.
        reasoning_tags: Pairs like ``("<think>", "</think>")``: text between them in assistant messages
            (streamed or not) shows as a "Thinking" thought.
        title: The page's title, shown at the top.
        description: Markdown shown under the title.
        examples: Shown in the empty chat; a click submits one as if typed. Each a str or
            ``{"text", "files"?, "icon"?, "display_text"?}``.
        feedback: True for Like / Dislike thumbs under assistant messages, or a list of feedback strings
            (the first two as thumbs, the rest in a menu). The choice is kept on the message.
        feedback_on_user: Feedback on user messages too.
        retry, undo, clear: Show those actions (retry on the last answer, undo on the last message, clear
            for the whole chat); they reach the script as ``rc.chat_event()`` (and the callbacks below).
        editable: ``"user"`` or ``"all"``: which messages can be edited in place.
        copy, copy_all: A copy button per message, and one for the whole chat.
        watermark: Text appended to what copy-all copies.
        on_option, on_example, on_feedback, on_retry, on_undo, on_edit, on_clear, on_copy: Called with the
            ``ChatEvent`` before the script reruns for it.

    Raises:
        ValueError, TypeError: naming the option and the bad value.
    """
    run = _start()
    options = {k: v for k, v in locals().items() if k not in ("run", "title")}
    props, run.chat = chat_props(run, options)
    more, run.interactions = interaction_props(run, options)
    run.reconciler.emit("chat", {**props, **more})
    if title is not None:
        run.reconciler.emit("title", {"text": str(title)})


def write_stream(stream: Iterable[Any] | AsyncIterable[Any], *, key: str | None = None) -> Any:
    """Stream text into the current container (usually an assistant message) as it arrives.

    Accepts a sync or async iterable of strings, or of OpenAI-style chunks
    (``chunk.choices[0].delta.content``). The text renders as markdown while it streams.

    If the user presses Stop, the iterable is closed (a generator's ``finally`` runs) and this returns the
    text so far, so the script can keep the partial answer; the run then ends at the next reactchat call.

    Returns:
        The full text. In a script that uses top-level ``await``, this returns an awaitable of the text:
        write ``text = await rc.write_stream(...)``.
    """
    run = _start()
    if not isinstance(stream, (Iterable, AsyncIterable)) or isinstance(stream, (str, bytes)):
        raise TypeError(f"write_stream needs an iterable of text chunks; got {type(stream).__name__}")
    writer: Writer | ReasoningWriter
    if run.chat.reasoning_tags:
        writer = ReasoningWriter(run, run.chat.reasoning_tags, run.frame_interval)
    else:
        node = run.reconciler.emit("markdown", {"html": "", "cuts": []}, key)
        node.source = None
        writer = Writer(run, node, run.frame_interval)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return _write_stream_awaitable(writer, stream, run)
    try:
        if isinstance(stream, AsyncIterable):
            run.event_loop().run_until_complete(consume_async(writer, stream, run))
        else:
            consume_sync(writer, stream, run)
    finally:
        text = writer.finish()
    return text


async def _write_stream_awaitable(
    writer: Writer | ReasoningWriter, stream: Iterable[Any] | AsyncIterable[Any], run: context.Run
) -> str:
    try:
        await consume_async(writer, stream, run)
    finally:
        text = writer.finish()
    return text


def chat_input(
    placeholder: str | None = None,
    *,
    key: str | None = None,
    value: str | None = None,
    multimodal: bool = False,
    file_types: Iterable[str] | None = None,
    file_count: str = "multiple",
    max_file_size: int | None = None,
) -> Any:
    """Declare the chat input box.

    Args:
        placeholder: Shown while the box is empty.
        value: Text to put in the box (applied when it changes; the user's typing is not overwritten on
            every run).
        multimodal: Let the user attach files (button, drag and drop, paste); the return value is then
            ``{"text": str, "files": [path, ...]}``.
        file_types: What may be attached: ``"image"``, ``"audio"``, ``"video"``, ``"text"``, extensions like
            ``".pdf"``, or MIME types like ``"text/csv"``. Refused in the browser and again on the server.
        file_count: ``"single"`` or ``"multiple"``.
        max_file_size: Bytes per file (at most the server's limit).

    Returns:
        What the user submitted, on the run that submission (or an example's click) triggered; otherwise
        None. Undo puts the undone message's text back in the box.
    """
    run = _start()
    if file_count not in ("single", "multiple"):
        raise ValueError(f"file_count must be 'single' or 'multiple'; got {file_count!r}")
    types = list(file_types) if file_types is not None else None
    props: dict[str, Any] = {"placeholder": placeholder}
    if multimodal:
        props.update(multimodal=True, file_count=file_count)
        if types:
            props["file_types"] = types
        if max_file_size is not None:
            props["max_file_size"] = int(max_file_size)
    shown = run.prefill if run.prefill is not None else value
    node = run.reconciler.emit("chat_input", props, key, defaults={"value": None, "value_seq": None})
    # A value from the script applies when it changes; undo's text applies every time, even if the same.
    if run.prefill is not None or (shown is not None and shown != node.props.get("value")):
        run.reconciler.set(node, {"value": shown, "value_seq": node.props.get("value_seq", 0) + 1})
    event = run.event
    if event is None:
        return None
    if event.action == "example" and run.example is not None:
        text, files = run.example["text"], list(run.example["files"])
        return {"text": text, "files": files} if multimodal else text
    if event.node_id != node.id or event.action != "submit":
        return None
    return _submitted(run, event.value, multimodal, types)


def _submitted(run: context.Run, value: Any, multimodal: bool, types: list[str] | None) -> Any:
    if isinstance(value, str):
        return {"text": value, "files": []} if multimodal else value
    if not isinstance(value, Mapping) or not isinstance(value.get("text", ""), str):
        return None
    text = value.get("text", "")
    if not multimodal:
        return text
    paths = []
    for upload_id in value.get("files") or ():
        upload = (
            run.uploads.get(upload_id) if run.uploads is not None and isinstance(upload_id, str) else None
        )
        if upload is not None and accepts(types, upload.name, upload.mime):
            paths.append(upload.path)
    return {"text": text, "files": paths}


def chat_event() -> ChatEvent | None:
    """The chat interaction that triggered this run, if any: an option, example, feedback, retry, undo,
    edit, clear or copy (see ``ChatEvent``). Submissions arrive through ``rc.chat_input()`` instead."""
    return context.current_run().chat_event


def rerun() -> None:
    """End this run now and run the script again from the top."""
    context.current_run().checkpoint()
    raise context.RerunRequested()


def stop() -> None:
    """End this run here, like reaching the end of the script."""
    context.current_run().checkpoint()
    raise context.ScriptStopped()


class _SessionStateProxy:
    """``rc.session_state``: the current session's state, reached from anywhere in the script."""

    def _target(self) -> SessionState:
        return context.current_run().state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._target()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._target()

    def __iter__(self) -> Any:
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def get(self, key: str, default: Any = None) -> Any:
        return self._target().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._target().setdefault(key, default)

    def __repr__(self) -> str:
        return repr(self._target())


session_state: Any = _SessionStateProxy()
"""Per-session state, surviving reruns and reconnects: ``rc.session_state.history``."""

__all__ = [
    "chat_input",
    "markdown",
    "message",
    "rerun",
    "session_state",
    "stop",
    "title",
    "write_stream",
]
