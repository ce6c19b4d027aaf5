"""The WebSocket of one browser tab: origin check, hello/resume, and validated inbound messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tornado.websocket import WebSocketClosedError, WebSocketHandler

from reactchat.handler import Handler
from reactchat.memory import heap_trim
from reactchat.ops import HELLO, NOTE
from reactchat.protocol import Ack, Event, Hello, ProtocolError, Stop, decode_client, encode_frame, url_hello
from reactchat.sender import CLOSE_SIGN_IN
from reactchat.store import StoreError

if TYPE_CHECKING:
    from reactchat.session import Session
    from reactchat.sessions import Sessions


class ChatSocket(Handler, WebSocketHandler):
    """``/_rc/ws``: one browser tab's connection to its session; frames go out through the session's
    ``Sender``."""

    def initialize(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.config = sessions.config
        self.session: Session | None = None
        self.tab = ""  # the tab id from hello: event numbers are per tab

    def refuse(self) -> None:
        # Accepted, then closed at hello with CLOSE_SIGN_IN: a refused upgrade would only tell the page
        # "connection failed", and it would retry forever.
        return None

    def check_origin(self, origin: str) -> bool:
        if origin in self.config.allowed_origins:
            return True
        return urlsplit(origin).netloc.lower() == self.request.host.lower()

    def get_compression_options(self) -> dict[str, Any] | None:
        return None

    def open(self, *args: str, **kwargs: str) -> None:
        # A fresh tab's page says hello in the URL: its session's first run starts now, while the page loads.
        query = {name: self.get_query_argument(name) for name in self.request.query_arguments}
        try:
            hello = url_hello(query)
        except ProtocolError as exc:
            self._note(f"malformed hello in the URL: {exc}")
            self.close(1008, "malformed hello")  # the page connects again, saying hello the usual way
            return
        if hello is not None:
            self._hello(hello)

    def _note(self, message: str) -> None:
        try:
            self.write_message(encode_frame(None, [[NOTE, message]]), binary=True)
        except WebSocketClosedError:
            pass

    def on_message(self, message: str | bytes) -> None:
        try:
            msg = decode_client(message, self.config.max_message_bytes)
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
                self.sessions.submit(session, msg, self.tab)
            except ValueError as exc:
                self._note(f"malformed message: {exc}")
        elif isinstance(msg, Stop):
            session.stop()
        elif isinstance(msg, Ack):
            heap_trim.released(session.outbox.ack(msg.seq))

    def _hello(self, hello: Hello) -> None:
        if self.session is not None:
            self._note("malformed message: hello was already received")
            return
        if self.identity is None and self.gate.auth.required:
            # The page reloads on this code, and the server sends it to the sign-in page.
            self._note("sign in to continue")
            self.close(CLOSE_SIGN_IN, "sign in required")
            return
        try:
            session = self.sessions.resume(
                hello.token, self.gate.client_address(self.request), self.identity, hello.conversation
            )
        except StoreError as exc:
            self._note(f"the conversation store cannot be reached: {exc}")
            self.close(1011, "store unavailable")
            return
        if session is None:
            self._note("the server has too many sessions; try again later")
            self.close(1013, "too many sessions")
            return
        self.session = session
        sender = self.sessions.attach(session, self)
        self.tab = hello.tab
        hello_op = [HELLO, session.token, *session.hello(hello.tab)]
        self.write_message(encode_frame(None, [hello_op]), binary=True)
        # The frames after the client's last, if this is the session it had: another numbers its own.
        missed = session.outbox.replay_after(hello.last_seq) if session.token == hello.token else None
        if missed is None:
            session.snapshot()
        else:
            for frame in missed:
                self.write_message(frame, binary=True)
        self.sessions.loop.add_callback(sender.drain)

    def on_close(self) -> None:
        if self.session is not None:
            self.sessions.detach(self.session, self)
