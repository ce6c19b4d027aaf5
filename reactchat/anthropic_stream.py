"""Anthropic's Messages stream as parts: text deltas, ``thinking`` blocks, ``tool_use`` blocks whose input
streams as ``input_json_delta``s, and usage (input tokens at ``message_start``, output at ``message_delta``).

Both ``client.messages.create(stream=True)`` and the ``client.messages.stream()`` helper's events work; the
helper's extra events (``text``, ``thinking``, ``input_json``, ...) repeat the raw ones and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reactchat.parts import Done, Part, Reasoning, Text, ToolCall, ToolResult, Usage, field

EVENTS = frozenset(
    ("message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta",
     "content_block_stop", "ping")
)  # fmt: skip
"""The raw event types; any of them as a first chunk says "an Anthropic stream"."""


class MessagesEvents:
    """Anthropic Messages stream events."""

    __slots__ = ("_blocks", "_ids", "_input", "_model")

    def __init__(self) -> None:
        self._blocks: dict[int, str] = {}  # a content block's index -> its type
        self._ids: dict[int, str] = {}  # a tool_use block's index -> its id (server tools' results name it)
        self._model: str | None = None
        self._input: int | None = None

    def feed(self, event: Any) -> Iterable[Part]:
        kind = field(event, "type")
        if kind == "content_block_delta":
            delta = field(event, "delta")
            delta_kind = field(delta, "type")
            if delta_kind == "text_delta":
                return (Text(field(delta, "text") or ""),)
            if delta_kind == "thinking_delta":
                return (Reasoning(field(delta, "thinking") or ""),)
            if delta_kind == "input_json_delta":
                key = self._ids.get(field(event, "index"))
                return (ToolCall(key, arguments=field(delta, "partial_json") or ""),)
            return ()
        if kind == "content_block_start":
            block = field(event, "content_block")
            block_kind = field(block, "type")
            self._blocks[field(event, "index")] = block_kind
            if block_kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
                self._ids[field(event, "index")] = field(block, "id")
                return (ToolCall(field(block, "id"), name=field(block, "name"), id=field(block, "id")),)
            if block_kind in ("thinking", "redacted_thinking"):
                return (Reasoning(field(block, "thinking") or ""),)
            if block_kind == "text" and field(block, "text"):
                return (Text(field(block, "text")),)
            if isinstance(block_kind, str) and block_kind.endswith("_tool_result"):
                content = field(block, "content")
                failed = field(content, "type", "").endswith("_error")
                return (ToolResult(field(block, "tool_use_id"), repr(content), failed),)
            return ()
        if kind == "content_block_stop":
            if self._blocks.get(field(event, "index")) in ("thinking", "redacted_thinking"):
                return (Done(),)
            return ()
        if kind == "message_start":
            message = field(event, "message")
            self._model = field(message, "model")
            self._input = field(field(message, "usage"), "input_tokens")
            return (Usage(self._input, None, self._model),)
        if kind == "message_delta":
            usage = field(event, "usage")
            return (Usage(field(usage, "input_tokens") or self._input, field(usage, "output_tokens"),
                          self._model),)  # fmt: skip
        if kind == "error":
            raise RuntimeError(f"the model failed: {field(field(event, 'error'), 'message')!r}")
        return ()


def recognise(chunk: Any) -> MessagesEvents | None:
    """The dialect of an Anthropic event, or None when it is not one."""
    return MessagesEvents() if field(chunk, "type") in EVENTS else None
