"""PydanticAI's agent run events as parts (``agent.run_stream_events(...)``, or the events of
``agent.iter(...)``'s nodes): text and thinking parts with their deltas, tool calls with their arguments split
across deltas, each tool's result (shown as failed when the tool asked the model to try again, or failed, or
was denied), and the run's usage at the end.

Recognised by the events' ``event_kind``, so ``pydantic_ai`` is never imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reactchat.parts import Done, Part, Reasoning, Text, ToolCall, ToolResult, Usage, field

EVENTS = frozenset(
    ("part_start", "part_delta", "part_end", "final_result", "function_tool_call", "function_tool_result",
     "output_tool_call", "output_tool_result", "agent_run_result", "builtin_tool_call", "builtin_tool_result")
)  # fmt: skip


def _arguments(args: Any) -> str:
    if args is None:
        return ""
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


class AgentEvents:
    """PydanticAI agent stream events."""

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids: dict[
            int, str
        ] = {}  # a tool-call part's index -> its call id (deltas may give only the index)

    def feed(self, event: Any) -> Iterable[Part]:
        kind = field(event, "event_kind")
        if kind == "part_delta":
            delta = field(event, "delta")
            delta_kind = field(delta, "part_delta_kind")
            if delta_kind == "text":
                return (Text(field(delta, "content_delta") or ""),)
            if delta_kind == "thinking":
                return (Reasoning(field(delta, "content_delta") or ""),)
            if delta_kind == "tool_call":
                key = field(delta, "tool_call_id") or self._ids.get(field(event, "index"))
                name, args = field(delta, "tool_name_delta"), _arguments(field(delta, "args_delta"))
                return (ToolCall(key, name=name, arguments=args),)
            return ()
        if kind == "part_start":
            part = field(event, "part")
            part_kind = field(part, "part_kind")
            if part_kind == "text":
                return (Text(field(part, "content") or ""),)
            if part_kind == "thinking":
                return (Reasoning(field(part, "content") or ""),)
            if part_kind == "tool-call":
                call_id = field(part, "tool_call_id")
                self._ids[field(event, "index")] = call_id
                args = _arguments(field(part, "args"))
                return (ToolCall(call_id, name=field(part, "tool_name"), arguments=args, id=call_id),)
            return ()
        if kind == "part_end":
            return (Done(),) if field(field(event, "part"), "part_kind") == "thinking" else ()
        if kind == "function_tool_call":  # a call that did not stream still gets its thought
            part = field(event, "part")
            call_id = field(part, "tool_call_id")
            return (ToolCall(call_id, name=field(part, "tool_name"), id=call_id),)
        if kind == "function_tool_result":
            part = field(event, "result") or field(event, "part")
            content = field(event, "content") or field(part, "content")
            failed = (
                field(part, "part_kind") == "retry-prompt" or field(part, "outcome", "success") != "success"
            )
            output = (
                content if isinstance(content, str) else json.dumps(content, default=str, ensure_ascii=False)
            )
            return (ToolResult(field(part, "tool_call_id"), output, failed),)
        if kind == "agent_run_result":
            usage = field(field(event, "result"), "usage")
            if field(usage, "input_tokens") is None and callable(usage):  # a method in older versions
                usage = usage()
            return (Usage(field(usage, "input_tokens"), field(usage, "output_tokens")),)
        return ()


def recognise(chunk: Any) -> AgentEvents | None:
    """The dialect of a PydanticAI event, or None when it is not one."""
    return AgentEvents() if field(chunk, "event_kind") in EVENTS else None
