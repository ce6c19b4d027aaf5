"""Shows what a model library streams: answer text as markdown, reasoning as a "Thinking" thought, each tool
call as a thought titled with the tool's name (its input, then its output, in the body), usage in the
message's metadata. Plain strings take the first branch of ``feed`` and nothing else.

The chunks' library is recognised from the first chunk that is not a str (``dialects.recognise``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reactchat.dialects import recognise
from reactchat.markdown import closing_marks, fenced
from reactchat.parts import Done, Reasoning, Step, Text, ToolCall, ToolResult, Usage
from reactchat.stream import ReasoningWriter, Replace, Writer

if TYPE_CHECKING:
    from reactchat.markdown import MarkdownOptions
    from reactchat.parts import Dialect, Part
    from reactchat.reconcile import Reconciler
    from reactchat.stream import Durable
    from reactchat.tree import Node


class StreamedText(str):
    """What ``write_stream`` returns: the text, with ``metadata``: what the stream showed besides text
    (``thoughts``, ``tool_calls`` in OpenAI's shape, ``usage``, those it had). Keep both in a history entry,
    ``{"role": "assistant", "content": text, "metadata": text.metadata}``, and ``rc.message`` shows it again
    as it streamed."""

    metadata: dict[str, Any]

    def __new__(cls, text: str, metadata: dict[str, Any]) -> StreamedText:
        self = super().__new__(cls, text)
        self.metadata = metadata
        return self


class _Open:
    """A thought that is streaming: its node, the writer of its body, when it started, what it holds."""

    __slots__ = ("arguments", "body", "call", "node", "pieces", "record", "started")

    def __init__(self, node: Node, body: Writer, record: dict[str, Any]) -> None:
        self.node, self.body, self.record = node, body, record
        self.call: dict[str, Any] = {}  # a tool call's OpenAI-style function: its name and arguments
        # The body's text and a tool call's arguments, joined when the thought ends (adding to a str in a
        # dict copies it: quadratic in a long reasoning).
        self.pieces: list[str] = []
        self.arguments: list[str] = []
        self.started = time.monotonic()

    def add(self, text: str) -> None:
        self.body.feed_text(text)
        self.pieces.append(text)


class PartsWriter:
    """``write_stream``'s writer: strings and any recognised library's chunks, into the current container."""

    def __init__(
        self,
        rec: Reconciler,
        options: MarkdownOptions,
        tags: tuple[tuple[str, str], ...],
        interval: float,
        durable: Durable | None = None,
        key: str | None = None,
        record: Callable[[dict[str, Any], int, bool], None] | None = None,
    ) -> None:
        self._rec, self._options, self._tags = rec, options, tags
        self._record = record  # a stored reply's: told when a thought begins or ends, to store it at once
        self._interval, self._durable, self._key = interval, durable, key
        self._owner = rec.container  # the message the stream is written into: usage goes in its metadata
        self._text: Writer | ReasoningWriter | None = None
        self._texts: list[str] = []  # the finished text writers' text
        self._dialect: Dialect | None = None
        self._reasoning: _Open | None = None
        self._tools: dict[Any, _Open] = {}
        # The graph steps the stream is inside, outermost first: (title, its thought once one was needed, when
        # it started). The thoughts of a step (its tools, its reasoning) show nested in it; text does not.
        self._steps: list[tuple[str, Node | None, float]] = []
        self.failed = False
        self.thoughts: list[dict[str, Any]] = []
        """Each thought as message metadata ({"title", "status", "duration", "content", "at"}), ``at``
        being where in the text it stood: how a stored reply shows them again."""
        self.usage: dict[str, Any] = {}
        self.tool_calls: list[dict[str, Any]] = []
        """The tool calls the model asked for, OpenAI-style: ``{"id", "type", "function"}``."""

    @property
    def text(self) -> str:
        return "".join(self._texts) + (self._text.text if self._text is not None else "")

    def feed(self, chunk: Any) -> None:
        if isinstance(chunk, str):
            (self._text or self._writer()).feed(chunk)
            return
        if chunk is None:
            return
        dialect = self._dialect
        if dialect is None:
            dialect = self._dialect = recognise(chunk)
        for part in dialect.feed(chunk):
            self._apply(part)

    def due_in(self) -> float | None:
        if not self._tools and self._reasoning is None:  # the common case, called for every chunk
            return self._text.due_in() if self._text is not None else None
        waits = [d for w in (self._text, *self._bodies()) if w is not None and (d := w.due_in()) is not None]
        return min(waits) if waits else None

    def flush(self) -> None:
        for writer in (self._text, *self._bodies()):
            if writer is not None and writer.due_in() is not None:
                writer.flush()

    def finish(self) -> str:
        """Close the open thoughts (failed ones as errors) and the text; returns all the text."""
        self._step_to(())
        self._close_reasoning()
        for key in list(self._tools):
            self._close_tool(key, None, self.failed)
        self._close_text()
        if self.usage and self._owner.kind == "message":
            self._rec.set(self._owner, {"usage": dict(self.usage)})
        if not self._texts and not self.thoughts:
            self._writer()  # an empty stream still declares its markdown node, as a str stream always did
            self._close_text()
        return "".join(self._texts)

    def close_open_marks(self) -> None:
        """Stop cut the text: close what its markdown left open (a ``**``, a code fence), so it renders, and
        is returned and stored, as it would have."""
        writer = self._text
        if not isinstance(writer, Writer):
            return
        marks = closing_marks(writer.text)
        if marks:
            kept = writer.text.rstrip(" \t")  # "**bold " is not closed by a mark after the space
            writer.feed(Replace(kept + marks) if kept != writer.text else marks)

    def metadata(self) -> dict[str, Any]:
        """What the stream showed besides text, as message metadata: ``thoughts``, ``tool_calls``, ``usage``
        (those it had)."""
        found = {"thoughts": self.thoughts, "tool_calls": self.tool_calls, "usage": self.usage}
        return {name: value for name, value in found.items() if value}

    # -- parts ---------------------------------------------------------------------------------------------

    def _apply(self, part: Part) -> None:
        if isinstance(part, Text):
            if part.text:
                self._close_reasoning()
                self._writer().feed(part.text)
        elif isinstance(part, Reasoning):
            if self._reasoning is None:
                if not part.text.strip():
                    return
                self._reasoning = self._open("Thinking", "")
            self._reasoning.add(part.text)
        elif isinstance(part, ToolCall):
            self._tool(part)
        elif isinstance(part, ToolResult):
            if part.key in self._tools:
                self._close_tool(part.key, part.output, part.failed)
        elif isinstance(part, Usage):
            for name in ("input_tokens", "output_tokens"):
                if (value := getattr(part, name)) is not None:
                    self.usage[name] = value + (self.usage.get(name, 0) if part.added else 0)
            if part.model is not None:
                self.usage["model"] = part.model
        elif isinstance(part, Done):
            self._close_reasoning()
        elif isinstance(part, Step):
            self._step_to(part.path)

    def _step_to(self, path: tuple[str, ...]) -> None:
        """What follows comes from inside the steps of ``path``: the steps left end (their thoughts done),
        the new ones begin (their thoughts made when a thought shows inside them)."""
        shared = 0
        while shared < min(len(path), len(self._steps)) and self._steps[shared][0] == path[shared]:
            shared += 1
        while len(self._steps) > shared:
            _, node, started = self._steps.pop()
            if node is not None:
                duration = round(time.monotonic() - started, 1)
                self._rec.set(node, {"status": "error" if self.failed else "done", "duration": duration})
        self._steps += [(title, None, time.monotonic()) for title in path[shared:]]

    def _enter_steps(self) -> int:
        """Enter the open steps' thoughts (made now where new), for a thought to show inside the innermost;
        returns how many to exit after it."""
        rec = self._rec
        for i, (title, node, started) in enumerate(self._steps):
            if node is None:
                node = rec.emit("thought", {"title": title, "status": "pending"}, defaults={"duration": None})
                self._steps[i] = (title, node, started)
            rec.enter(node)
        return len(self._steps)

    def _tool(self, part: ToolCall) -> None:
        opened = self._tools.get(part.key)
        if opened is None:
            self._close_reasoning()
            opened = self._tools[part.key] = self._open(part.name or "Tool call", "```json\n")
            opened.call = {"name": part.name or "", "arguments": ""}
            self.tool_calls.append({"id": part.id, "type": "function", "function": opened.call})
        elif part.name and opened.node.props.get("title") == "Tool call":
            self._rec.set(opened.node, {"title": part.name})
            opened.record["title"] = opened.call["name"] = part.name
        if part.arguments:
            opened.add(part.arguments)
            opened.arguments.append(part.arguments)

    def _open(self, title: str, body: str) -> _Open:
        self._close_text()
        record = {"title": title, "content": "", "at": len(self.text)}
        self.thoughts.append(record)
        self._progress()  # stored before it shows
        rec = self._rec
        depth = self._enter_steps()
        node = rec.emit("thought", {"title": title, "status": "pending"}, defaults={"duration": None})
        rec.enter(node)
        inner = rec.emit("markdown", {"html": "", "cuts": []})
        for _ in range(depth + 1):  # out of the thought, and of the steps it shows in
            rec.exit(prune=False)
        inner.source = None
        writer = Writer(rec, inner, self._options, self._interval)
        opened = _Open(node, writer, record)
        opened.add(body)
        return opened

    def _progress(self) -> None:
        """A thought began or ended: a stored reply stores what the stream has shown so far besides text."""
        if self._record is not None:
            self._record(self.metadata(), len(self.text), False)

    def _finish_thought(self, opened: _Open, patch: dict[str, Any]) -> None:
        opened.body.finish()
        opened.record["content"] = "".join(opened.pieces)
        opened.record.update(patch)
        self._progress()  # stored before it shows
        self._rec.set(opened.node, patch)

    def _close_reasoning(self) -> None:
        opened, self._reasoning = self._reasoning, None
        if opened is not None:  # it says how long it took in its title
            seconds = round(time.monotonic() - opened.started, 1)
            self._finish_thought(opened, {"status": "done", "title": f"Thought for {seconds:g} s"})

    def _close_tool(self, key: Any, output: str | None, failed: bool) -> None:
        opened = self._tools.pop(key)
        opened.call["arguments"] = "".join(opened.arguments)
        opened.add("\n```\n")  # the arguments' fence
        if output is not None:
            opened.add(f"\n{fenced(output)}\n")
        duration = round(time.monotonic() - opened.started, 1)
        self._finish_thought(opened, {"status": "error" if failed else "done", "duration": duration})

    # -- text ----------------------------------------------------------------------------------------------

    def _writer(self) -> Writer | ReasoningWriter:
        if self._text is None:
            if self._tags:
                self._text = ReasoningWriter(
                    self._rec, self._options, self._tags, self._interval, self._durable
                )
            else:
                node = self._rec.emit("markdown", {"html": "", "cuts": []}, self._key)
                node.source = None
                self._text = Writer(self._rec, node, self._options, self._interval, self._durable)
            self._key = None
        return self._text

    def _close_text(self) -> None:
        if self._text is not None:
            self._texts.append(self._text.finish())
            self._text = None

    def _bodies(self) -> list[Writer]:
        bodies = [opened.body for opened in self._tools.values()]
        if self._reasoning is not None:
            bodies.append(self._reasoning.body)
        return bodies
