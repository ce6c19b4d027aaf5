"""OpenAI's streams as parts: Chat Completions chunks and the Responses API's events.

Recognised by shape, not by class, so the ``openai`` package is never imported and OpenAI-compatible
servers' plain dicts work too. Chat Completions servers that reason send ``reasoning`` or
``reasoning_content`` deltas; tool calls come as ``tool_calls`` deltas keyed by ``index``, their arguments
split across chunks; a last chunk with no choices carries ``usage`` when it was asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reactchat.parts import Done, Part, Reasoning, Text, ToolCall, ToolResult, Usage, field


class ChatCompletions:
    """Chat Completions chunks (``chat.completion.chunk``, or dicts of that shape)."""

    __slots__ = ()

    def feed(self, chunk: Any) -> Iterable[Part]:
        parts: list[Part] = []
        for choice in field(chunk, "choices") or ():
            if field(choice, "index", 0):  # n > 1: the other choices are not shown
                continue
            delta = field(choice, "delta")
            if delta is None:
                continue
            reasoning = field(delta, "reasoning_content") or field(delta, "reasoning")
            if isinstance(reasoning, str) and reasoning:
                parts.append(Reasoning(reasoning))
            content = field(delta, "content")
            if content:
                parts.append(Text(content))
            for call in field(delta, "tool_calls") or ():
                function = field(call, "function")
                parts.append(ToolCall(
                    key=field(call, "index", 0), name=field(function, "name"),
                    arguments=field(function, "arguments") or "", id=field(call, "id"),
                ))  # fmt: skip
        usage = field(chunk, "usage")
        if usage is not None:
            parts.append(Usage(field(usage, "prompt_tokens"), field(usage, "completion_tokens"),
                               field(chunk, "model")))  # fmt: skip
        return parts


class ResponsesEvents:
    """The Responses API's stream events (``response.*`` types)."""

    __slots__ = ("_calls",)

    def __init__(self) -> None:
        # A function call's item id -> its call id: calls are keyed by call id, which their output names.
        self._calls: dict[str, str] = {}

    def feed(self, event: Any) -> Iterable[Part]:
        kind = field(event, "type")
        if kind == "response.output_text.delta":
            return (Text(field(event, "delta") or ""),)
        if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            return (Reasoning(field(event, "delta") or ""),)
        if kind == "response.reasoning_summary_part.done":
            return (Reasoning("\n\n"),)  # summaries come in parts: paragraphs
        if kind == "response.output_item.added":
            item = field(event, "item")
            if field(item, "type") == "function_call":
                key = field(item, "call_id") or field(item, "id")
                self._calls[field(item, "id") or key] = key
                return (ToolCall(key, name=field(item, "name"), arguments=field(item, "arguments") or "",
                                 id=field(item, "call_id")),)  # fmt: skip
            if field(item, "type") == "reasoning":
                return (Done(),)
        elif kind == "response.function_call_arguments.delta":
            item_id = field(event, "item_id")
            return (ToolCall(self._calls.get(item_id, item_id), arguments=field(event, "delta") or ""),)
        elif kind == "response.output_item.done":
            item = field(event, "item")
            if field(item, "type") == "function_call_output":
                return (ToolResult(field(item, "call_id"), str(field(item, "output"))),)
        elif kind in ("response.completed", "response.incomplete"):
            response = field(event, "response")
            usage = field(response, "usage")
            model = field(response, "model")  # an agent's model calls add up
            return (Usage(field(usage, "input_tokens"), field(usage, "output_tokens"), model, added=True),)
        elif kind in ("response.failed", "error"):
            error = field(field(event, "response"), "error") if kind == "response.failed" else event
            raise RuntimeError(f"the model failed: {field(error, 'message') or error!r}")
        return ()


def recognise(chunk: Any) -> ChatCompletions | ResponsesEvents | None:
    """The dialect of an OpenAI chunk, or None when it is not one."""
    if field(chunk, "choices") is not None or field(chunk, "object") == "chat.completion.chunk":
        return ChatCompletions()
    kind = field(chunk, "type")
    if isinstance(kind, str) and kind.startswith("response."):
        return ResponsesEvents()
    return None
