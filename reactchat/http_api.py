"""The chat HTTP API of a ``chat_interface`` app: ``/api/chat`` (JSON, or SSE with ``/api/chat/stream``) and
an OpenAI-compatible ``/v1/chat/completions``.

Each call is independent of browser sessions: the app's chat function is called with the message, the
history and the additional inputs the request gives (defaults otherwise), on a worker thread, never on
the loop.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeAlias, cast

import tornado.web

from reactchat.chatbot import ChatFunction, as_messages, deltas
from reactchat.config import Config
from reactchat.elements import Element
from reactchat.handler import Handler
from reactchat.runner import ScriptFailed
from reactchat.stream import Replace

FindInterface: TypeAlias = Callable[[], Awaitable[ChatFunction | None]]
"""How a handler finds the app's chat_interface (None when the app has none)."""


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n\n".join(t for t in (_text_of(c) for c in content) if t)
    return ""


def _jsonable(content: Any) -> Any:
    if isinstance(content, Element):
        return {"type": content.kind, **{k: v for k, v in content.props.items() if k != "html"}}
    if isinstance(content, (list, tuple)):
        return [_jsonable(c) for c in content]
    if isinstance(content, dict):
        return {k: _jsonable(v) for k, v in content.items()}
    if isinstance(content, (str, int, float, bool)) or content is None:
        return content
    return str(content)


def reply_messages(result: Any) -> list[dict[str, Any]]:
    """The function's (non-streamed) result as JSON-ready message dicts."""
    return [{k: _jsonable(v) for k, v in m.items()} for m in as_messages(result)]


def parse_history(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant", "system") for m in value
    ):
        raise ApiError(
            400, "history must be a list of {role, content} objects with role user, assistant or system"
        )
    return [dict(m) for m in value]


def _content_text(content: Any) -> str:
    """An OpenAI message content (a string or a list of parts) as text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    raise ApiError(400, "message content must be a string or a list of content parts")


class ApiHandler(Handler):
    """The base of the API's handlers: JSON errors, no caching, no XSRF cookie (a JSON body is required
    instead), and the chat function called off the loop."""

    def initialize(self, config: Config, interface: FindInterface) -> None:
        self.config = config
        self.find_interface = interface

    def check_xsrf_cookie(self) -> None:
        # No cookies or sessions are involved; requiring a JSON body keeps other sites' forms out.
        return None

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"error": {"message": self.error_message(**kwargs), "status": status_code}})

    def _body(self) -> dict[str, Any]:
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(415, "send a JSON body with Content-Type: application/json")
        try:
            body = json.loads(self.request.body or b"")
        except ValueError as exc:
            raise tornado.web.HTTPError(400, f"the body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "the body must be a JSON object")
        return body

    async def _interface(self) -> ChatFunction:
        try:
            interface = await self.find_interface()
        except ScriptFailed as exc:
            raise tornado.web.HTTPError(
                500, f"the app's script failed while running for the API: {exc}"
            ) from None
        if interface is None:
            raise tornado.web.HTTPError(404, "this app has no rc.chat_interface(...), so it has no chat API")
        return interface

    async def _in_thread(self, work: Callable[[], Any]) -> Any:
        try:
            return await asyncio.get_running_loop().run_in_executor(None, work)
        except ApiError as exc:
            raise tornado.web.HTTPError(exc.status, str(exc)) from None
        except ValueError as exc:
            raise tornado.web.HTTPError(400, str(exc)) from None
        except Exception as exc:
            raise tornado.web.HTTPError(
                500, f"the chat function failed: {type(exc).__name__}: {exc}"
            ) from None

    async def _stream(
        self, start: Callable[[], Any], event: Callable[[str, str], str], done: Callable[[str], str]
    ) -> None:
        """Run ``start()`` (the chat function) on a thread and send each delta as a Server-Sent Event."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        gone = threading.Event()
        self._gone = gone

        def put(kind: str, value: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def work() -> None:
            try:
                result = start()
                if inspect.isgenerator(result):
                    # closes the function's generator when closed itself
                    pieces = cast("Generator[str, None, None]", deltas(result))
                    seen = ""
                    try:
                        for piece in pieces:
                            replace = isinstance(piece, Replace)
                            seen = piece if replace else seen + piece
                            put("delta", (str(piece), replace))
                            if gone.is_set():
                                break
                    finally:
                        pieces.close()
                    put("done", seen)
                else:
                    text = "\n\n".join(_text_of(m["content"]) for m in reply_messages(result))
                    put("delta", (text, False))
                    put("done", text)
            except Exception as exc:
                put("error", f"{type(exc).__name__}: {exc}")

        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        threading.Thread(target=work, name="reactchat-api", daemon=True).start()
        while True:
            kind, value = await queue.get()
            if gone.is_set():
                return
            if kind == "delta":
                chunk = event(*value) if isinstance(value, tuple) else event(value, "")
            elif kind == "done":
                chunk = done(value)
            else:
                chunk = f"event: error\ndata: {json.dumps({'error': {'message': value}})}\n\n"
            self.write(chunk)
            await self.flush()
            if kind != "delta":
                return

    def on_connection_close(self) -> None:
        gone = getattr(self, "_gone", None)
        if gone is not None:
            gone.set()  # the function's generator is closed at its next yield


def _request(interface: ChatFunction, body: dict[str, Any]) -> tuple[Any, list[dict[str, Any]], list[Any]]:
    message = body.get("message")
    if message is None:
        raise ApiError(400, "the body needs a 'message'")
    if interface.multimodal:
        if isinstance(message, str):
            message = {"text": message, "files": []}
        if not isinstance(message, dict) or not isinstance(message.get("text", ""), str):
            raise ApiError(400, "'message' must be a string or {text, files}")
    elif not isinstance(message, str):
        raise ApiError(400, f"'message' must be a string; got {type(message).__name__}")
    try:
        values = interface.inputs(body.get("additional_inputs"))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return message, parse_history(body.get("history")), values


def _final(result: Any) -> Any:
    if inspect.isgenerator(result):
        last = ""
        for item in result:
            last = str(item)
        return last
    return result


class ChatHandler(ApiHandler):
    """``POST /api/chat``: ``{"message", "history"?, "additional_inputs"?}`` in, ``{"reply", "messages"}``
    out."""

    async def post(self) -> None:
        body = self._body()
        interface = await self._interface()

        def work() -> dict[str, Any]:
            message, history, values = _request(interface, body)
            messages = reply_messages(_final(interface.call(message, history, values)))
            return {"reply": "\n\n".join(_text_of(m["content"]) for m in messages), "messages": messages}

        self.write(await self._in_thread(work))


class ChatStreamHandler(ApiHandler):
    """``POST /api/chat/stream``: the same request; Server-Sent Events ``delta`` per piece, then ``done``."""

    async def post(self) -> None:
        body = self._body()
        interface = await self._interface()
        message, history, values = await self._in_thread(lambda: _request(interface, body))

        def event(delta: str, replace: Any) -> str:
            return f"event: delta\ndata: {json.dumps({'delta': delta, 'replace': bool(replace)})}\n\n"

        def done(text: str) -> str:
            return f"event: done\ndata: {json.dumps({'reply': text})}\n\n"

        await self._stream(lambda: interface.call(message, history, values), event, done)


class CompletionsHandler(ApiHandler):
    """``POST /v1/chat/completions``: OpenAI's chat completions, streamed or not."""

    async def post(self) -> None:
        body = self._body()
        interface = await self._interface()
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise tornado.web.HTTPError(400, "'messages' must be a non-empty list of message objects")
        last = messages[-1]
        if last.get("role") != "user":
            raise tornado.web.HTTPError(400, "the last message must have role 'user'")
        try:
            text = _content_text(last.get("content"))
            history = parse_history(
                [{"role": m.get("role"), "content": _content_text(m.get("content"))} for m in messages[:-1]]
            )
            values = interface.inputs(body.get("additional_inputs"))
        except (ApiError, ValueError) as exc:
            raise tornado.web.HTTPError(400, str(exc)) from None
        message: Any = {"text": text, "files": []} if interface.multimodal else text
        model = str(body.get("model") or "reactchat")
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if not body.get("stream"):

            def work() -> str:
                result = reply_messages(_final(interface.call(message, history, values)))
                return "\n\n".join(_text_of(m["content"]) for m in result)

            content = await self._in_thread(work)
            choice = {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
            usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
            self.write({"id": ident, "object": "chat.completion", "created": created, "model": model,
                        "choices": [choice], "usage": usage})  # fmt: skip
            return

        def chunk(delta: dict[str, Any], finish: str | None) -> str:
            data = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
            return f"data: {json.dumps(data)}\n\n"

        def event(delta: str, replace: Any) -> str:
            return chunk({"content": delta}, None)

        def done(_text: str) -> str:
            return chunk({}, "stop") + "data: [DONE]\n\n"

        self.write(chunk({"role": "assistant"}, None))
        await self._stream(lambda: interface.call(message, history, values), event, done)
