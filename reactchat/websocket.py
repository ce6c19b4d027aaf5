"""The WebSocket: origin check, hello/resume, validated inbound messages, and the paced frame sender."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tornado import gen
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from reactchat.ops import HELLO, NOTE
from reactchat.protocol import Ack, Event, Hello, ProtocolError, Stop, decode_client, encode_frame

if TYPE_CHECKING:
    from reactchat.server import App
    from reactchat.session import Session

CLOSE_REPLACED = 4001  # another connection resumed this session (e.g. the tab was reloaded)
CLOSE_SLOW = 4002  # the client stopped reading; it may reconnect and resume


class Sender:
    """Sends one session's frames to its current socket, at most one frame per interval.

    It awaits each write before taking the next frame, so ops pushed meanwhile coalesce into the next one:
    a slow client gets fewer, larger frames, never an unbounded queue. A write that does not complete within
    ``send_timeout`` drops the connection; the session survives and the client resumes.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.socket: ChatSocket | None = None
        self._draining = False
        self._last = 0.0
        self._hurry = asyncio.Event()

    async def hurry(self) -> None:
        """Send what is pending now (a run ended), cutting short the wait for the next frame slot."""
        self._hurry.set()
        await self.drain()

    async def drain(self) -> None:
        if self._draining:
            return
        self._draining = True
        config = self.session.config
        try:
            while True:
                delay = self._last + config.frame_interval - time.monotonic()
                if delay > 0 and not self.session.outbox.urgent:
                    self._hurry.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._hurry.wait(), delay)
                frame = self.session.outbox.take_frame()
                if frame is None:
                    return
                if not self.session.outbox.status_only:
                    # A bare "running" must not hold back the frame with the run's first output.
                    self._last = time.monotonic()
                socket = self.socket
                if socket is None:
                    continue  # kept in the replay buffer for when the tab comes back
                try:
                    await gen.with_timeout(
                        datetime.timedelta(seconds=config.send_timeout),
                        socket.write_message(frame, binary=True),
                    )
                except TimeoutError:
                    socket.close(CLOSE_SLOW, "client is not reading")
                except (WebSocketClosedError, StreamClosedError):
                    pass
        finally:
            self._draining = False


class ChatSocket(WebSocketHandler):
    """``/_rc/ws``: one browser tab's connection to its session."""

    app: App

    def initialize(self, app: App) -> None:
        self.app = app
        self.session: Session | None = None
        self.tab = ""

    def prepare(self) -> None:
        self.app.check_host(self)

    def check_origin(self, origin: str) -> bool:
        if origin in self.app.config.allowed_origins:
            return True
        return urlsplit(origin).netloc.lower() == self.request.host.lower()

    def get_compression_options(self) -> dict[str, Any] | None:
        return None

    def _note(self, message: str) -> None:
        try:
            self.write_message(encode_frame(None, [[NOTE, message]]), binary=True)
        except WebSocketClosedError:
            pass

    def on_message(self, message: str | bytes) -> None:
        try:
            msg = decode_client(message, self.app.config.max_message_bytes)
        except ProtocolError as exc:
            self._note(f"malformed message: {exc}")
            return
        if isinstance(msg, Hello):
            self._hello(msg)
            return
        session = self.session
        if session is None:
            self._note("malformed message: the first message must be hello")
        elif isinstance(msg, Event):
            try:
                session.submit(msg, self.tab)
            except ValueError as exc:
                self._note(f"malformed message: {exc}")
        elif isinstance(msg, Stop):
            session.stop()
        elif isinstance(msg, Ack):
            session.outbox.ack(msg.seq)

    def _hello(self, hello: Hello) -> None:
        if self.session is not None:
            self._note("malformed message: hello was already received")
            return
        session = self.app.resume(hello.token)
        if session is None:
            self._note("the server has too many sessions; try again later")
            self.close(1013, "too many sessions")
            return
        self.session, self.tab = session, hello.tab
        sender = self.app.attach(session, self)
        hello_op = [HELLO, session.token, session.last_ev_seq(hello.tab)]
        self.write_message(encode_frame(None, [hello_op]), binary=True)
        missed = session.outbox.replay_after(hello.last_seq)
        if missed is None:
            session.snapshot()
        else:
            for frame in missed:
                self.write_message(frame, binary=True)
        self.app.loop.add_callback(sender.drain)

    def on_close(self) -> None:
        if self.session is not None:
            self.app.detach(self.session, self)
