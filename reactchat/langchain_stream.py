"""LangChain's and LangGraph's streams as parts.

- ``model.stream(...)``: ``AIMessageChunk``s; text, reasoning (``reasoning``/``thinking`` content blocks or
  ``additional_kwargs["reasoning_content"]``), ``tool_call_chunks`` whose arguments split across chunks,
  ``usage_metadata``.
- ``graph.stream(..., stream_mode="messages")``: ``(message, metadata)`` pairs: the model's chunks as above,
  and each tool's ``ToolMessage``, which ends that call's thought with its output (an error when its status is
  ``"error"``).
- ``stream_mode="updates"``: ``{node: {"messages": [...]}}``: whole messages, shown the same way.
- several modes at once: ``(mode, part)`` pairs; only the ``"messages"`` ones are shown (the others repeat
  them, or are not messages).
- ``subgraphs=True``: the same, led by the subgraph's namespace: what a subgraph's nodes stream (its model's
  text, its tools) shows nested in a thought for each step of the namespace.

Recognised by shape (a message's ``type``), so ``langchain_core`` is never imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from reactchat.parts import Done, Part, Reasoning, Step, Text, ToolCall, ToolResult, Usage, field

MESSAGE_TYPES = frozenset(("ai", "AIMessageChunk", "tool", "ToolMessageChunk", "human", "system"))


def is_message(obj: Any) -> bool:
    """A LangChain message (or chunk) by its shape."""
    return (
        not isinstance(obj, Mapping)
        and getattr(obj, "type", None) in MESSAGE_TYPES
        and hasattr(obj, "content")
    )


class Messages:
    """LangChain messages and LangGraph's stream parts made of them."""

    __slots__ = ("_ids", "_path", "_reasoning")

    def __init__(self) -> None:
        self._ids: dict[
            Any, Any
        ] = {}  # a streaming tool call's index -> its id (later chunks give only the index)
        self._reasoning = False
        self._path: tuple[str, ...] = ()  # the subgraph steps the last parts came from

    def feed(self, chunk: Any) -> Iterable[Part]:
        if is_message(chunk):
            return self._message(chunk)
        if isinstance(chunk, tuple) and len(chunk) in (2, 3) and isinstance(chunk[0], tuple):
            # subgraphs=True: (namespace, ...), the namespace naming each step as "node:task id"
            path = tuple(str(name).split(":", 1)[0] for name in chunk[0])
            inner = list(self.feed(chunk[1:] if len(chunk) == 3 else chunk[1]))
            if inner and path != self._path:
                self._path = path
                inner.insert(0, Step(path))
            return inner
        if isinstance(chunk, tuple) and len(chunk) == 2:
            first, second = chunk
            if isinstance(first, str):  # several stream modes: (mode, part); "updates" repeats "messages"
                return self.feed(second) if first == "messages" else ()
            if is_message(first):  # stream_mode="messages": (message, metadata)
                return self._message(first)
        if isinstance(chunk, Mapping):  # stream_mode="updates": {node: {"messages": [...]}}
            parts: list[Part] = []
            for update in chunk.values():
                messages = update.get("messages") if isinstance(update, Mapping) else None
                for message in messages if isinstance(messages, list) else [messages] if messages else ():
                    parts.extend(self._message(message))
            return parts
        raise TypeError(f"a LangChain stream gave a {type(chunk).__name__}: {chunk!r:.80}")

    def _message(self, message: Any) -> list[Part]:
        kind = message.type
        if kind in ("tool", "ToolMessageChunk"):
            failed = getattr(message, "status", "success") == "error"
            return [ToolResult(message.tool_call_id, _text(message.content), failed)]
        if kind not in ("ai", "AIMessageChunk"):
            return []
        parts: list[Part] = []
        reasoning = (getattr(message, "additional_kwargs", None) or {}).get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            parts.append(Reasoning(reasoning))
        content = message.content
        if isinstance(content, str):
            if content:
                parts.append(Text(content))
        else:
            for block in content:
                block_kind = block.get("type") if isinstance(block, Mapping) else None
                if isinstance(block, str):
                    parts.append(Text(block))
                elif block_kind == "text":
                    parts.append(Text(block.get("text") or ""))
                elif block_kind in ("reasoning", "thinking"):
                    parts.append(Reasoning(block.get(block_kind) or ""))
        if self._reasoning and any(isinstance(p, Text) for p in parts):
            parts.insert(0, Done())
        self._reasoning = any(isinstance(p, Reasoning) for p in parts) or (self._reasoning and not parts)
        chunks = getattr(message, "tool_call_chunks", None)
        if chunks:
            for call in chunks:
                index, call_id = call.get("index"), call.get("id")
                if call_id is not None:
                    self._ids[index] = call_id
                key = self._ids.get(index, call_id)
                parts.append(
                    ToolCall(key, name=call.get("name"), arguments=call.get("args") or "", id=call_id)
                )
        else:
            for call in getattr(message, "tool_calls", None) or ():
                arguments = json.dumps(call.get("args") or {}, ensure_ascii=False)
                parts.append(
                    ToolCall(call.get("id"), name=call.get("name"), arguments=arguments, id=call.get("id"))
                )
        usage = getattr(message, "usage_metadata", None)
        if usage:
            metadata = getattr(message, "response_metadata", None) or {}
            model = metadata.get("model_name") or metadata.get("model")
            parts.append(Usage(usage.get("input_tokens"), usage.get("output_tokens"), model, added=True))
        return parts


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(b if isinstance(b, str) else str(field(b, "text") or "") for b in content or ())


def recognise(chunk: Any) -> Messages | None:
    """The dialect of a LangChain message or LangGraph stream part, or None when it is not one."""
    if is_message(chunk):
        return Messages()
    if isinstance(chunk, tuple) and len(chunk) in (2, 3) and isinstance(chunk[0], tuple):
        return recognise(chunk[1:] if len(chunk) == 3 else chunk[1])  # subgraphs=True: (namespace, ...)
    if isinstance(chunk, tuple) and len(chunk) == 2:
        first, second = chunk
        if is_message(first) or (first in ("messages", "updates") and recognise(second) is not None):
            return Messages()
    if (
        isinstance(chunk, Mapping)
        and chunk
        and all(v is None or (isinstance(v, Mapping) and "choices" not in v) for v in chunk.values())
        and "type" not in chunk
        and "choices" not in chunk
    ):
        return Messages()
    return None
