"""The chat HTTP API of a ``chat_interface`` app: ``/api/chat`` (JSON, or SSE with ``/api/chat/stream``), and
the handlers' base that the OpenAI-compatible ``/v1`` (completions.py) shares.

Each call is independent of browser sessions: the app's chat function is called with the message, the
history and the additional inputs the request gives (defaults otherwise), on a bounded worker thread, never
on the loop. A call whose client leaves is stopped when the function is a generator (closed at its next
yield); a plain function runs to its end, its answer dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import threading
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeAlias, cast

import tornado.web
from tornado.iostream import StreamClosedError

from reactchat.api_request import (
    chat_request,
    failure,
    final,
    parse_body,
    reply_messages,
    reply_text,
)
from reactchat.body import BodyHandler
from reactchat.chatbot import ChatFunction
from reactchat.config import Config
from reactchat.queues import Line, LineFull, Ticket
from reactchat.replies import deltas
from reactchat.runner import ScriptFailed
from reactchat.stream import Replace
from reactchat.workers import Busy, Kind, Workers

FindInterface: TypeAlias = Callable[[], Awaitable[ChatFunction | None]]
"""How a handler finds the app's chat_interface (None when the app has none)."""


class ApiHandler(BodyHandler):
    """The base of the API's handlers: JSON errors, no caching, no XSRF cookie (a JSON body is required
    instead), bodies capped at ``config.max_api_body_bytes``, and the chat function called off the loop on
    a bounded thread (503 with ``Retry-After`` when they are all taken)."""

    def initialize(
        self, config: Config, interface: FindInterface, workers: Workers, app: str = "reactchat"
    ) -> None:
        self.config = config
        self.find_interface = interface
        self.workers = workers
        self.app = app  # the app's name: the one model /v1 lists
        self._chunks: list[bytes] = []
        self._gone = threading.Event()  # the client left: a generator is closed at its next yield
        self._moved: asyncio.Event | None = None  # set on the loop when this call's place in line changes

    def check_xsrf_cookie(self) -> None:
        # No cookies or sessions are involved; requiring a JSON body keeps other sites' forms out.
        return None

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        super().prepare()
        self.expect_body(self.config.max_api_body_bytes, "the body")

    def take(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def drop(self) -> None:
        self._chunks = []

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self._gone.set()
        if self._moved is not None:
            self._moved.set()  # a call waiting in line leaves it

    def error_body(self, status_code: int, message: str) -> dict[str, Any]:
        return {"error": {"message": message, "status": status_code}}

    def retry_later(self, status_code: int) -> None:
        super().retry_later(status_code)
        if status_code >= 500 and status_code != 503:
            # The chat function or the script failed: the same request fails again, and OpenAI's clients
            # would otherwise send it twice more (running the function three times).
            self.set_header("x-should-retry", "false")

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object.

        Raises:
            tornado.web.HTTPError: 413 for a body over the limit, 415 without a JSON content type, 400 for
                a body that is not a JSON object of sane depth.
        """
        self.body_end()
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(415, "send a JSON body with Content-Type: application/json")
        return parse_body(b"".join(self._chunks))

    async def interface(self) -> ChatFunction:
        """The app's chat function (404 when it has none, 500 when its script fails)."""
        try:
            interface = await self.find_interface()
        except ScriptFailed as exc:
            raise tornado.web.HTTPError(
                500, "%s", f"the app's script failed while running for the API: {exc}"
            ) from None
        if interface is None:
            raise tornado.web.HTTPError(404, "this app has no rc.chat_interface(...), so it has no chat API")
        return interface

    async def _start(self, kind: Kind, work: Callable[[], Any], line: Line | None) -> asyncio.Future[Any]:
        """Start ``work`` on a thread of ``kind`` once it holds a place in ``line`` (waiting on the loop, not
        on a thread); the place is given back when the thread ends.

        Raises:
            tornado.web.HTTPError: 503 when the line is full (``max_api_waiting`` callers wait) or the threads
                are all taken, and when the client left while waiting (nobody reads that one).
        """
        ticket = await self._wait(line) if line is not None else None

        def held() -> Any:
            try:
                return work()
            finally:
                if line is not None and ticket is not None:
                    line.leave(ticket)

        try:
            return self.workers.run(kind, held)
        except Busy as exc:
            if line is not None and ticket is not None:
                line.leave(ticket)
            raise tornado.web.HTTPError(503, "%s", str(exc)) from None

    async def _wait(self, line: Line) -> Ticket:
        loop = asyncio.get_running_loop()
        moved = self._moved = asyncio.Event()

        def notify() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server is gone
                loop.call_soon_threadsafe(moved.set)

        try:
            ticket = line.join(notify, self.config.max_api_waiting)
        except LineFull as exc:
            raise tornado.web.HTTPError(503, "%s", str(exc)) from None
        while not ticket.granted and not self._gone.is_set():
            moved.clear()
            await moved.wait()
        if self._gone.is_set():
            line.leave(ticket)
            raise tornado.web.HTTPError(503, "the client left while waiting in line")
        return ticket

    async def call(self, work: Callable[[], Any], line: Line | None = None) -> Any:
        """``work()``'s result, computed on a thread for whole answers (once it holds a place in ``line``).

        Raises:
            tornado.web.HTTPError: 503 when those threads are all taken; 500, with an error id, when the
                chat function raised.
        """
        future = await self._start("call", work, line)
        try:
            return await future
        except Exception as exc:
            raise tornado.web.HTTPError(500, "%s", failure(exc)) from None

    async def stream(
        self,
        start: Callable[[], Any],
        event: Callable[[str, bool], str],
        done: Callable[[str], str],
        first: str = "",
        line: Line | None = None,
    ) -> None:
        """Run ``start()`` (the chat function) on a stream thread and send each delta as a Server-Sent Event
        (``first`` before them), stopping the function's generator when the client leaves.

        Raises:
            tornado.web.HTTPError: 503, before anything is sent, when the stream threads are all taken.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        gone = self._gone

        def put(kind: str, value: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server is gone
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def work() -> None:
            try:
                result = start()
                if not inspect.isgenerator(result):
                    text = reply_text(reply_messages(result))
                    put("delta", (text, False))
                    put("done", text)
                    return
                pieces = cast("Generator[str, None, None]", deltas(result))  # closes result when closed
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
            except Exception as exc:
                put("error", failure(exc))

        await self._start("stream", work, line)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        if first:
            self.write(first)
        while True:
            kind, value = await queue.get()
            if gone.is_set():
                return
            if kind == "delta":
                chunk = event(*value)
            elif kind == "done":
                chunk = done(value)
            else:
                chunk = f"event: error\ndata: {json.dumps({'error': {'message': value}})}\n\n"
            self.write(chunk)
            try:
                await self.flush()
            except StreamClosedError:  # the client left, noticed by this write before the close callback
                gone.set()
                return
            if kind != "delta":
                return


class ChatHandler(ApiHandler):
    """``POST /api/chat``: ``{"message", "history"?, "additional_inputs"?}`` in, ``{"reply", "messages"}``
    out."""

    async def post(self) -> None:
        body = self.json_body()
        interface = await self.interface()
        message, history, values = chat_request(interface, body)
        gone = self._gone
        messages = await self.call(
            lambda: reply_messages(final(interface.call(message, history, values), gone)), interface.line
        )
        if not gone.is_set():
            self.write({"reply": reply_text(messages), "messages": messages})


class ChatStreamHandler(ApiHandler):
    """``POST /api/chat/stream``: the same request; Server-Sent Events ``delta`` per piece, then ``done``."""

    async def post(self) -> None:
        body = self.json_body()
        interface = await self.interface()
        message, history, values = chat_request(interface, body)

        def event(delta: str, replace: bool) -> str:
            return f"event: delta\ndata: {json.dumps({'delta': delta, 'replace': replace})}\n\n"

        def done(text: str) -> str:
            return f"event: done\ndata: {json.dumps({'reply': text})}\n\n"

        await self.stream(lambda: interface.call(message, history, values), event, done, line=interface.line)
