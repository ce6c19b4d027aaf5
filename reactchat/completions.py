"""The OpenAI-compatible side of a ``chat_interface`` app: ``POST /v1/chat/completions`` (streamed or not)
and ``GET /v1/models``, for OpenAI's clients and the UIs built on them.

The last user message is the message and the others the history (``developer`` messages count as
``system``; tool calls and tool results are kept). A system message goes to the app's additional input
named like a system prompt, when it has one (otherwise it stays in the history). Token counts are an
approximation: about four characters a token.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from reactchat.api_request import (
    ApiError,
    content_text,
    final,
    inputs,
    reply_messages,
    reply_text,
    stream_flag,
)
from reactchat.chatbot import ChatFunction
from reactchat.http_api import ApiHandler

ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool"}
"""The roles a request's messages may have, and what each is in the history the chat function gets."""

OPTIONS = ("temperature", "max_tokens", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty")
"""Sampling parameters passed on to a chat function that takes them as keyword-only arguments."""


def tokens(text: str) -> int:
    """An approximate token count: about four characters a token (OpenAI's rule of thumb for English)."""
    return (len(text) + 3) // 4


def _refuse_unsupported(body: dict[str, Any]) -> None:
    n = body.get("n")
    if n not in (None, 1):
        raise ApiError(400, f"'n' must be 1: this app gives one answer per request; got {n!r}")
    for name in ("tools", "functions"):
        if body.get(name):
            raise ApiError(400, f"'{name}' is not supported: this app's chat function does not call tools")
    fmt = body.get("response_format")
    if fmt is not None and not (isinstance(fmt, dict) and fmt.get("type") == "text"):
        raise ApiError(400, f"'response_format' is not supported (only {{'type': 'text'}}); got {fmt!r}")


def _system_input(interface: ChatFunction) -> str | None:
    """The app's additional input a system message goes to: the first named like a system prompt."""
    return next((name for name in interface.names if name.lower().startswith("system")), None)


def completion_request(
    interface: ChatFunction, body: dict[str, Any]
) -> tuple[Any, list[dict[str, Any]], list[Any], dict[str, Any]]:
    """The message, history, additional input values and sampling options of a chat completions body.

    Raises:
        ApiError: 400, naming the message, role or parameter that is wrong or cannot be honoured.
    """
    _refuse_unsupported(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise ApiError(400, "'messages' must be a non-empty list of message objects")
    history: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        role = ROLES.get(str(m.get("role")))
        if role is None:
            raise ApiError(400, f"messages[{i}] has role {m.get('role')!r}; expected one of {sorted(ROLES)}")
        content = m.get("content")
        entry = {"role": role, "content": "" if content is None else content_text(content)}
        entry.update({k: m[k] for k in ("tool_calls", "tool_call_id", "name") if k in m})
        history.append(entry)
    last = history.pop()
    if last["role"] != "user":
        raise ApiError(400, f"the last message must have role 'user'; got {last['role']!r}")
    given = body.get("additional_inputs")
    system = _system_input(interface)
    prompts = [m["content"] for m in history if m["role"] == "system"]
    if system is not None and prompts and not (isinstance(given, dict) and system in given):
        given = {**(given if isinstance(given, dict) else {}), system: "\n\n".join(prompts)}
        if isinstance(body.get("additional_inputs"), list):
            raise ApiError(400, "give additional_inputs by name (an object) with a system message")
        history = [m for m in history if m["role"] != "system"]
    values = inputs(interface, {"additional_inputs": given})
    options = {k: body[k] for k in OPTIONS if body.get(k) is not None}
    if body.get("max_completion_tokens") is not None:
        options.setdefault("max_tokens", body["max_completion_tokens"])
    message: Any = {"text": last["content"], "files": []} if interface.multimodal else last["content"]
    return message, history, values, options


class CompletionsHandler(ApiHandler):
    """``POST /v1/chat/completions``: OpenAI's chat completions, streamed or not, with approximate usage."""

    async def post(self) -> None:
        body = self.json_body()
        interface = await self.interface()
        streamed = stream_flag(body)
        message, history, values, options = completion_request(interface, body)
        prompt_tokens = sum(tokens(json.dumps(m["content"])) for m in history) + tokens(str(message))
        model = str(body.get("model") or self.app)
        ident, created = f"chatcmpl-{secrets.token_hex(12)}", int(time.time())

        def usage(text: str) -> dict[str, int]:
            done = tokens(text)
            return {"prompt_tokens": prompt_tokens, "completion_tokens": done,
                    "total_tokens": prompt_tokens + done}  # fmt: skip

        def run() -> Any:
            return interface.call(message, history, values, options)

        if not streamed:
            gone = self._gone
            content = await self.call(lambda: reply_text(reply_messages(final(run(), gone))), interface.line)
            if gone.is_set():
                return
            answer = {"role": "assistant", "content": content}
            choice = {"index": 0, "message": answer, "finish_reason": "stop"}
            self.write({"id": ident, "object": "chat.completion", "created": created, "model": model,
                        "choices": [choice], "usage": usage(content)})  # fmt: skip
            return
        stream_options = body.get("stream_options")
        counted = isinstance(stream_options, dict) and stream_options.get("include_usage") is True

        def chunk(choices: list[dict[str, Any]], **more: Any) -> str:
            data = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": choices, **more}  # fmt: skip
            if counted:
                data.setdefault("usage", None)
            return f"data: {json.dumps(data)}\n\n"

        def event(delta: str, _replace: bool) -> str:
            return chunk([{"index": 0, "delta": {"content": delta}, "finish_reason": None}])

        def done(text: str) -> str:
            last = chunk([{"index": 0, "delta": {}, "finish_reason": "stop"}])
            return last + (chunk([], usage=usage(text)) if counted else "") + "data: [DONE]\n\n"

        first = chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        await self.stream(run, event, done, first, interface.line)


class ModelsHandler(ApiHandler):
    """``GET /v1/models``: the app, as the one model it serves (UIs list the models first)."""

    async def get(self) -> None:
        await self.interface()  # 404 (as JSON) for an app without a chat_interface
        model = {"id": self.app, "object": "model", "created": 0, "owned_by": "reactchat"}
        self.write({"object": "list", "data": [model]})
