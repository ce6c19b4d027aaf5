"""Recorded shapes of the model APIs' streams (ids and timestamps shortened), replayed by tests through
``rc.ReplayServer`` to the official clients."""

from __future__ import annotations

from typing import Any

APP = """\
import reactchat as rc
URL = {url!r}
CLIENT
if prompt := rc.chat_input():
    rc.message("user", prompt)
    with rc.message("assistant"):
        rc.session_state.reply = rc.write_stream(SOURCE)
"""


def app(url: str, client: str, source: str) -> str:
    """A chat script streaming ``source`` from ``client`` (made with ``URL``) into an assistant message."""
    return APP.format(url=url).replace("CLIENT", client).replace("SOURCE", source)


def chat_chunk(
    delta: dict[str, Any] | None = None, *, finish: str | None = None, usage: Any = None
) -> dict[str, Any]:
    choices = (
        [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
    )
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1764200000, "model": "gpt-test",
            "system_fingerprint": "fp_1", "choices": choices, "usage": usage}  # fmt: skip


def tool_delta(
    index: int, *, id: str | None = None, name: str | None = None, arguments: str = ""
) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": arguments}
    if name is not None:
        function["name"] = name
    call: dict[str, Any] = {"index": index, "function": function}
    if id is not None:
        call.update(id=id, type="function")
    return {"tool_calls": [call]}


CHAT = [
    chat_chunk({"role": "assistant", "content": "", "refusal": None}),
    chat_chunk({"reasoning_content": "The user wants "}),
    chat_chunk({"reasoning_content": "the weather."}),
    chat_chunk({"content": "Let me "}),
    chat_chunk({"content": "check."}),
    chat_chunk(tool_delta(0, id="call_1", name="get_weather")),
    chat_chunk(tool_delta(0, arguments='{"city": ')),
    chat_chunk(tool_delta(0, arguments='"Paris"}')),
    chat_chunk({}, finish="tool_calls"),
    chat_chunk(None, usage={"prompt_tokens": 31, "completion_tokens": 17, "total_tokens": 48}),
]


def responses(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Numbered as the API numbers them."""
    return [{**e, "sequence_number": i} for i, e in enumerate(events)]


RESPONSE = {"id": "resp_1", "object": "response", "created_at": 1764200000, "status": "in_progress",
            "model": "o-test", "output": [], "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}  # fmt: skip
RESPONSES = responses([
    {"type": "response.created", "response": RESPONSE},
    {"type": "response.output_item.added", "output_index": 0,
     "item": {"id": "rs_1", "type": "reasoning", "summary": []}},
    {"type": "response.reasoning_summary_part.added", "item_id": "rs_1", "output_index": 0, "summary_index": 0,
     "part": {"type": "summary_text", "text": ""}},
    {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 0,
     "delta": "Weather needs "},
    {"type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "output_index": 0, "summary_index": 0,
     "delta": "a lookup."},
    {"type": "response.output_item.done", "output_index": 0,
     "item": {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Weather needs a lookup."}]}},
    {"type": "response.output_item.added", "output_index": 1,
     "item": {"id": "fc_1", "type": "function_call", "status": "in_progress", "arguments": "", "call_id": "call_9",
              "name": "get_weather"}},
    {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 1, "delta": '{"city":'},
    {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 1, "delta": ' "Oslo"}'},
    {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 1,
     "arguments": '{"city": "Oslo"}'},
    {"type": "response.output_item.added", "output_index": 2,
     "item": {"id": "msg_1", "type": "message", "status": "in_progress", "role": "assistant", "content": []}},
    {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 2, "content_index": 0,
     "delta": "Checking ", "logprobs": []},
    {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 2, "content_index": 0,
     "delta": "**Oslo**.", "logprobs": []},
    {"type": "response.completed", "response": {**RESPONSE, "status": "completed",
     "usage": {"input_tokens": 12, "output_tokens": 40, "total_tokens": 52,
               "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 20}}}},
])  # fmt: skip


def anthropic_event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **fields}


MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test", "content": [],
           "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 25, "output_tokens": 1}}  # fmt: skip
ANTHROPIC = [
    anthropic_event("message_start", message=MESSAGE),
    anthropic_event("content_block_start", index=0, content_block={"type": "thinking", "thinking": "", "signature": ""}),
    anthropic_event("ping"),
    anthropic_event("content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": "Tokyo, "}),
    anthropic_event("content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": "so a lookup."}),
    anthropic_event("content_block_delta", index=0, delta={"type": "signature_delta", "signature": "sig"}),
    anthropic_event("content_block_stop", index=0),
    anthropic_event("content_block_start", index=1, content_block={"type": "text", "text": ""}),
    anthropic_event("content_block_delta", index=1, delta={"type": "text_delta", "text": "Looking "}),
    anthropic_event("content_block_delta", index=1, delta={"type": "text_delta", "text": "it up."}),
    anthropic_event("content_block_stop", index=1),
    anthropic_event("content_block_start", index=2,
                    content_block={"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}),
    anthropic_event("content_block_delta", index=2, delta={"type": "input_json_delta", "partial_json": ""}),
    anthropic_event("content_block_delta", index=2, delta={"type": "input_json_delta", "partial_json": '{"city": "To'}),
    anthropic_event("content_block_delta", index=2, delta={"type": "input_json_delta", "partial_json": 'kyo"}'}),
    anthropic_event("content_block_stop", index=2),
    anthropic_event("message_delta", delta={"stop_reason": "tool_use", "stop_sequence": None},
                    usage={"output_tokens": 89}),
    anthropic_event("message_stop"),
]  # fmt: skip


def words(n: int) -> list[str]:
    """``n`` words of answer text, one chunk each."""
    return [f"word{i} " for i in range(n)]
