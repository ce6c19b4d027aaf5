"""A request body streamed in: capped in size with a 413 the client can read, and cut with a 408 when it
arrives too slowly (a client dripping bytes would otherwise hold a connection, and a file, for good)."""

from __future__ import annotations

from typing import Any

import tornado.web
from tornado.http1connection import HTTP1Connection
from tornado.ioloop import PeriodicCallback

from reactchat.handler import Handler

DRAIN_MAX = 32 << 20
"""Bytes of a refused body read and dropped before the 413 is sent. Most clients send the whole body before
they read the answer, and see a reset connection instead of the 413 when the server closes first; past
this, or when the client asked ``Expect: 100-continue``, the 413 goes at once and the connection closes."""


@tornado.web.stream_request_body
class BodyHandler(Handler):
    """A handler whose request body is streamed in, checked as it arrives.

    A subclass's ``prepare`` calls ``expect_body(limit, what)`` once it accepts the request, takes the
    body's pieces in ``take`` and drops what it kept in ``drop``; its method calls ``body_end()`` first.
    """

    received = 0
    refused: str | None = None  # a 413's message, sent once the refused body is in
    _limit = 0
    _seen = 0
    _watch: PeriodicCallback | None = None

    def content_length(self) -> int | None:
        """The body's announced size (None when it comes chunked, 0 when there is none).

        Raises:
            tornado.web.HTTPError: 400, naming a Content-Length that is not a number.
        """
        if "Content-Length" in self.request.headers:
            value = self.request.headers["Content-Length"]
            if not value.strip().isdigit():
                raise tornado.web.HTTPError(400, f"Content-Length is not a number of bytes: {value!r}")
            return int(value)
        chunked = "chunked" in self.request.headers.get("Transfer-Encoding", "").lower()
        return None if chunked else 0

    def expect_body(self, limit: int, what: str) -> None:
        """Accept a body of at most ``limit`` bytes (``what`` names it in the 413), and watch its pace.

        Raises:
            tornado.web.HTTPError: 413 at once when the body is announced larger and is not drained.
        """
        self._limit = limit
        length = self.content_length()
        if length is not None and length > limit:
            self.refuse_body(f"{what} is {length} bytes; the limit is {limit} bytes")
            return
        # Tornado's own cap closes the connection without an answer: ours answers, so its cap is looser.
        self._cap(max(limit, DRAIN_MAX))
        if length != 0:
            self._watch_pace()

    def refuse_body(self, message: str) -> None:
        """Answer 413 with ``message``: after reading and dropping the body when it is small enough, so that
        the client sees the answer (see ``DRAIN_MAX``), else at once.

        Raises:
            tornado.web.HTTPError: 413, when answered at once.
        """
        length = self.content_length()
        expects = self.request.headers.get("Expect", "").lower() == "100-continue"
        self._cap(max(length or 0, DRAIN_MAX))
        if length is None or length > DRAIN_MAX or expects:
            raise tornado.web.HTTPError(413, message)
        self.refused = message
        self._watch_pace()

    def data_received(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self._finished or self.refused is not None:
            return  # being dropped
        if self.received > self._limit:
            self.refused = f"the body is over {self._limit} bytes, the limit"
            self.drop()
            return
        self.take(chunk)

    def take(self, chunk: bytes) -> None:
        """Keep a piece of the body."""
        raise NotImplementedError

    def drop(self) -> None:
        """Let go of what was kept of the body (it was refused, cut, or the client left)."""

    def body_end(self) -> None:
        """The body is all in: stop watching its pace, and answer a refusal decided while it came in.

        Raises:
            tornado.web.HTTPError: 413, when the body was refused.
        """
        self._unwatch()
        if self.refused is not None:
            raise tornado.web.HTTPError(413, self.refused)

    def _cap(self, size: int) -> None:
        """Set Tornado's cap on this request's body (it closes the connection, unanswered, past it)."""
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):
            connection.set_max_body_size(size)

    def _watch_pace(self) -> None:
        if self._watch is None:
            window = self.config.body_rate_window
            self._watch = PeriodicCallback(self._check_pace, window * 1000)
            self._watch.start()

    def _unwatch(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def _check_pace(self) -> None:
        if self._finished:
            self._unwatch()
            return
        config = self.config
        wanted = config.min_body_rate * config.body_rate_window
        if self.received - self._seen >= wanted:
            self._seen = self.received
            return
        self._unwatch()
        self.drop()
        # Answer, then Tornado closes the connection: the rest of the body is never read.
        message = (
            f"the body arrived at under {config.min_body_rate} bytes per second over "
            f"{config.body_rate_window:g} s ({self.received} bytes in all), so it was cut"
        )
        self.send_error(408, exc_info=(tornado.web.HTTPError, tornado.web.HTTPError(408, message), None))

    def on_finish(self) -> None:
        self._unwatch()

    def on_connection_close(self) -> None:
        self._unwatch()
        self.drop()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self._unwatch()
        self.drop()
        # Refused before its body was read: let Tornado read (and drop) it until the answer is sent and the
        # connection closes, rather than stop at its own cap and write a bare 400 after our answer.
        self._cap(1 << 62)
        self.retry_later(status_code)
        self.finish(self.error_body(status_code, self.error_message(**kwargs)))

    def error_body(self, status_code: int, message: str) -> dict[str, Any]:
        """The JSON an error answers with."""
        return {"error": message}
