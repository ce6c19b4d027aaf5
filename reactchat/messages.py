"""Messages, what goes in them: rc.message, history, thought, markdown, title and write_stream."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from reactchat.dialects import ACCEPTED
from reactchat.elements import (
    ROLES,
    ChatMessage,
    Rendering,
    as_message,
    begin,
    emit_content,
    emit_markdown,
    flush_pending,
    markdown_render,
    message_key,
    option_props,
    text_source,
    thought_props,
)
from reactchat.feed import consume_async, consume_sync
from reactchat.interrupts import Interrupt, StopRequested
from reactchat.parts_writer import PartsWriter, StreamedText
from reactchat.stream import Durable

if TYPE_CHECKING:
    from typing_extensions import Self

    from reactchat.cursor import Snap
    from reactchat.interrupts import Cancel
    from reactchat.run import Run
    from reactchat.tree import Node


class Thoughts(dict[Any, "Node"]):
    """This run's thought nodes by their metadata ``id``, for messages that nest under one (``parent_id``)."""


class StreamSinks(list[Callable[[str | None], None]]):
    """Where streamed text is stored as it is written (innermost last): a stored reply pushes its own."""


class StreamSources(list[Callable[[Any], Any]]):
    """What the next ``write_stream`` streams instead of what it is given (a cached example's recording)."""


class StreamRecords(list[Callable[[dict[str, Any], int, bool], None]]):
    """Where ``write_stream`` hands what it showed besides text (thoughts, tool calls, usage) as metadata,
    with its text's length: as a thought begins or ends (False), and when it ends (True); innermost last."""


class MessageDefaults(dict[str, Any]):
    """Props a new message gets: when this run first declared one, as ``created_at`` (re-declared: kept)."""

    def __init__(self) -> None:
        super().__init__(created_at=round(time.time(), 3), feedback=None)


class Container:
    """A declared element that can hold others: ``with rc.message("assistant"): ...`` nests into it."""

    def __init__(self, run: Run, node: Node) -> None:
        self._run, self.node = run, node

    def __enter__(self) -> Self:
        self._run.reconciler.enter(self.node)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            flush_pending(self._run)
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

    Returns the message, usable as a context manager. Raises ValueError for an unknown role, TypeError for
    content of an unsupported type.
    """
    run = begin(role if content is None else content)
    metadata = created_at = options = feedback = stored = status = memo = branch = given = None
    if content is None and type(role) is dict and role.get("role") in ROLES:
        # The common case, a history of plain dicts: without building a ChatMessage for each one, and an
        # unchanged one (as rendered last run) at the cost of comparing it. Every rc.message of a history
        # passes here on every turn, so it does as little as it can: the rendering options are interned
        # (compared by identity), and nothing else is looked up before the memo is.
        stored = role.get("id")
        if key is None and stored is not None:
            key = message_key(stored)
        rec = run.reconciler
        given, memo = role, rec.tree.intern(run.part(Rendering))
        reused = rec.reuse("message", key, given, memo)
        if reused is not None:
            return Container(run, reused)
        body, metadata, created_at = role.get("content"), role.get("metadata"), role.get("created_at")
        options, feedback, status = role.get("options"), role.get("feedback"), role.get("status")
        branch = role.get("branch")
        role = role["role"]
    elif isinstance(role, str):
        if role not in ROLES:
            as_message({"role": role})  # raises, naming the role
        body = content
    elif content is not None:
        raise TypeError("rc.message() takes either a message (dict or ChatMessage) or a role and content")
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
    if stored is not None:  # a stored message: known by its id, so feedback and actions reach it
        props["id"] = str(stored)
        key = key if key is not None else message_key(stored)
    if status not in (None, "done"):
        props["status"] = status
    if isinstance(branch, list) and len(branch) == 2 and all(type(n) is int for n in branch):
        props["branch"] = branch  # [which, of how many] versions: the page draws a pager
    thoughts = None
    if metadata:
        if metadata.get("usage"):
            props["usage"] = metadata["usage"]
        thoughts = metadata.get("thoughts") if isinstance(body, str) else None
    rec = run.reconciler
    source = None if thoughts else text_source(run, body, reasoning=role == "assistant")
    render = None if source is None else markdown_render(run)  # (one text: the message holds it)
    node = rec.emit("message", props, key, source=source, render=render, defaults=run.part(MessageDefaults))
    if body is not None and (source is None or node.children):  # (parts, or held so far: see emit)
        if feedback is None and node.source is not None and "feedback" in node.props and node.source != body:
            # Feedback belongs to the answer it was given to: a new answer in its place (a retry) has none.
            rec.set(node, {"feedback": None})  # (one holding its text: Reconciler.emit's defaults)
        node.source = body
        rec.enter(node)
        try:
            if thoughts:
                _emit_streamed(run, body, thoughts, role == "assistant")
            else:
                emit_content(run, body, reasoning=role == "assistant")
        except BaseException:
            rec.exit(prune=False)
            raise
        rec.exit()
    if memo is not None and body is not None and not rec.in_sequence():
        rec.remember(node, snapshot(given), memo)
    return Container(run, node)


def history(messages: Sequence[Mapping[str, Any] | ChatMessage]) -> None:
    """Show ``messages`` as ``for m in messages: rc.message(m)`` does, at a cost that does not grow with
    their number (``shown_once``): a chat kept in ``rc.session_state`` (a stored one: ``conv.show()``)."""
    shown_once(tuple(messages), message, snapshot)


def shown_once(items: tuple[Any, ...], show: Callable[[Any], object], snap: Snap = None) -> None:
    """``show`` each item (a message each), taking what last run showed for an equal start whole."""
    rec = (run := begin()).reconciler
    reused, start = rec.reuse_prefix(items, extra := rec.tree.intern(run.part(Rendering)))
    for item in items[reused:]:
        show(item)
    rec.remember_prefix(start, items, extra, snap)


def snapshot(item: Any) -> Any:
    """``item`` as it is now (the app may change it later): a copy (of its content too, a list)."""
    content = item.get("content") if type(item) is dict else None
    return {**item, "content": list(content)} if type(content) is list else copy.copy(item)


CHAT_KINDS = frozenset({"message", "thought"})
"""What a new answer replaces: messages and thoughts (widgets and the chat input below it stay)."""


def new_answer(run: Run) -> None:
    """An answer starts here: last run's chat below is stale and goes now, not when the run ends (a retried
    answer never shows beside the old one), and feedback on the message it streams into was the old one's."""
    rec = run.reconciler
    rec.drop_leftovers(CHAT_KINDS)
    container = rec.container
    if container.kind == "message" and "feedback" in container.props:
        rec.set(container, {"feedback": None})


def _emit_streamed(run: Run, text: str, thoughts: list[dict[str, Any]], reasoning: bool) -> None:
    """A streamed reply's text with the thoughts it showed (``metadata["thoughts"]``) where they stood."""
    rec = run.reconciler
    pos = 0
    for record in thoughts:
        if not isinstance(record, Mapping) or record.get("title") is None:
            continue  # not one write_stream kept: nothing to show it as
        at = min(max(int(record.get("at") or 0), pos), len(text))
        if at > pos:
            emit_content(run, text[pos:at], reasoning=reasoning)
        node = rec.emit("thought", thought_props(record))
        rec.enter(node)
        emit_content(run, str(record.get("content") or ""))
        rec.exit()
        pos = at
    if pos < len(text):
        emit_content(run, text[pos:], reasoning=reasoning)


def _thought_message(run: Run, msg: ChatMessage, key: str | None) -> Container:
    assert msg.metadata is not None
    rec = run.reconciler
    parent_id = msg.metadata.get("parent_id")
    parent = run.part(Thoughts).get(parent_id) if parent_id is not None else None
    if parent is not None:
        rec.enter(parent)
    node = rec.emit("thought", thought_props(msg.metadata), key)
    if msg.metadata.get("status") == "pending" and rec.changed == node.id:
        new_answer(run)  # a step starts (not a pending step of a history shown again unchanged)
    if msg.metadata.get("id") is not None:
        run.part(Thoughts)[msg.metadata["id"]] = node
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

    def __init__(self, run: Run, node: Node) -> None:
        super().__init__(run, node)
        self._started = time.monotonic()

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
        failed = exc_type is not None and not issubclass(exc_type, Interrupt)
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
    run = begin()
    new_answer(run)
    props: dict[str, Any] = {"title": str(title), "status": "pending"}
    if log is not None:
        props["log"] = str(log)
    node = run.reconciler.emit("thought", props, key, defaults={"duration": None})
    return Thought(run, node)


def markdown(text: str, *, key: str | None = None) -> None:
    """Declare a block of markdown (raw HTML is shown as text unless ``rc.chat`` allows it; the output is
    always sanitised). Math between ``$$``, ``\\[ \\]``, ``\\( \\)`` or ``$`` renders with KaTeX."""
    run = begin()
    if not isinstance(text, str):
        raise TypeError(f"rc.markdown() takes a str; got {type(text).__name__}")
    emit_markdown(run, text, key)


def title(text: str) -> None:
    """Declare the app's title, shown at the top and as the page title."""
    run = begin()
    run.reconciler.emit("title", {"text": str(text)})


def write_stream(stream: Iterable[Any] | AsyncIterable[Any], *, key: str | None = None) -> Any:
    """Stream text into the current container (usually an assistant message) as it arrives.

    Accepts a sync or async iterable of strings, or what a model library streams, unchanged: OpenAI Chat
    Completions chunks and Responses API events, Anthropic Messages stream events, LangChain message chunks,
    LangGraph stream parts (``stream_mode="messages"`` or ``"updates"``), PydanticAI agent run events, OpenAI
    Agents SDK run events. The text renders as markdown while it streams; reasoning shows as a collapsible
    thought ("Thought for 3.2 s"), each tool call as a thought titled with the tool's name (its arguments,
    then its output, in the body); token usage goes into the message's ``usage`` (shown with
    ``rc.chat(show_usage=True)``).

    If the user presses Stop, the iterable is closed (a generator's ``finally`` runs) and this returns the
    text so far, so the script can keep the partial answer; the run then ends at the next reactchat call.

    Returns:
        The full text (a str), with ``.metadata``: the stream's ``thoughts``, ``tool_calls`` (OpenAI's shape,
        what to run before asking the model again) and ``usage``; put both in your history,
        ``{"role": "assistant", "content": text, "metadata": text.metadata}``, for ``rc.message`` to show it
        again as it streamed. In a script that uses top-level ``await``, this returns an awaitable of the
        text: write ``text = await rc.write_stream(...)``.
    """
    run = begin()
    if not isinstance(stream, (Iterable, AsyncIterable)) or isinstance(stream, (str, bytes)):
        raise TypeError(
            f"write_stream needs an iterable of text chunks; got {type(stream).__name__}. It accepts"
            f" iterables of {ACCEPTED}"
        )
    new_answer(run)
    sources = run.find(StreamSources)
    if sources:
        stream = sources.pop(0)(stream)
    rendering = run.part(Rendering)
    sinks, records = run.find(StreamSinks), run.find(StreamRecords)
    durable = Durable(sinks[-1]) if sinks else None  # inside a stored reply: store before showing
    record = records[-1] if records else None
    interval = run.scope.frame_interval
    writer = PartsWriter(
        run.reconciler, rendering.markdown, rendering.reasoning_tags, interval, durable, key, record
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return _write_stream_awaitable(writer, stream, run.cancel, record)
    try:
        if isinstance(stream, AsyncIterable):
            run.scope.event_loop().run_until_complete(consume_async(writer, stream, run.cancel))
        else:
            consume_sync(writer, stream, run.cancel)
        _close_stopped(run.cancel, writer)
    except Exception:
        writer.failed = True  # the thoughts still open show as failed
        raise
    finally:
        text = _finish(writer, record)
    return text


def _close_stopped(cancel: Cancel, writer: PartsWriter) -> None:
    """Close what Stop left open in the answer's markdown (a ``**``, a fence): returned and stored so."""
    if cancel.kind is not None and issubclass(cancel.kind, StopRequested):
        writer.close_open_marks()


async def _write_stream_awaitable(
    writer: PartsWriter,
    stream: Iterable[Any] | AsyncIterable[Any],
    cancel: Cancel,
    record: Callable[[dict[str, Any], int, bool], None] | None,
) -> StreamedText:
    try:
        await consume_async(writer, stream, cancel)
        _close_stopped(cancel, writer)
    except Exception:
        writer.failed = True
        raise
    finally:
        text = _finish(writer, record)
    return text


def _finish(writer: PartsWriter, record: Callable[[dict[str, Any], int, bool], None] | None) -> StreamedText:
    text = writer.finish()
    metadata = writer.metadata()
    if record is not None and metadata:
        record(metadata, len(text), True)
    return StreamedText(text, metadata)
