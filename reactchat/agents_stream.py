"""The OpenAI Agents SDK's run events as parts (``Runner.run_streamed(...).stream_events()``): the model's
raw Responses API events as the Responses dialect reads them (text, reasoning, tool calls, usage added up over
the run's model calls), and each tool's output ending its call's thought.

Recognised by the events' ``type``, so ``agents`` is never imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reactchat.openai_stream import ResponsesEvents
from reactchat.parts import Part, ToolResult, field

EVENTS = frozenset(("raw_response_event", "run_item_stream_event", "agent_updated_stream_event"))


class RunEvents:
    """OpenAI Agents SDK stream events."""

    __slots__ = ("_responses",)

    def __init__(self) -> None:
        self._responses = ResponsesEvents()

    def feed(self, event: Any) -> Iterable[Part]:
        kind = field(event, "type")
        if kind == "raw_response_event":
            return self._responses.feed(field(event, "data"))
        if kind == "run_item_stream_event" and field(event, "name") == "tool_output":
            item = field(event, "item")
            output = field(item, "output")
            text = output if isinstance(output, str) else json.dumps(output, default=str, ensure_ascii=False)
            return (ToolResult(field(field(item, "raw_item"), "call_id"), text),)
        return ()


def recognise(chunk: Any) -> RunEvents | None:
    """The dialect of an Agents SDK stream event, or None when it is not one."""
    return RunEvents() if field(chunk, "type") in EVENTS else None
