"""The paced sender of one session's frames to whichever socket its tab has now (backpressure included)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol

from tornado import gen
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError

if TYPE_CHECKING:
    from reactchat.session import Session

CLOSE_REPLACED = 4001  # another connection resumed this session (e.g. the tab was reloaded)
CLOSE_SLOW = 4002  # the client stopped reading; it may reconnect and resume
CLOSE_EVICTED = 4003  # the server needed room and this session had never had an event; it starts anew
CLOSE_RESTART = 1012  # the server is restarting (draining): reconnect, to another server behind the balancer
CLOSE_SIGN_IN = 4401  # the app needs a sign-in (none, or it ended): the page reloads to the sign-in page

FIRST_FRAME_WAIT = 0.5
"""Seconds a new session's first run may go before the page gets what it has declared so far: a page opening
on a long transcript gets it in one frame at the run's end (one decode, one layout), not in slices as it is
declared; a first run that takes longer (a model greeting the user) shows what it has after this."""


class Socket(Protocol):
    """What the sender and the session registry need of a tab's connection (``ChatSocket`` is one)."""

    session: Session | None

    def write_message(self, message: bytes, binary: bool = ...) -> Awaitable[None]: ...

    def close(self, code: int | None = None, reason: str | None = None) -> None: ...


class Sender:
    """Sends one session's frames to its current socket, at most one frame per interval.

    It awaits each write before taking the next frame, so ops pushed meanwhile coalesce into the next one:
    a slow client gets fewer, larger frames, never an unbounded queue. A write that does not complete within
    ``send_timeout`` drops the connection; the session survives and the client resumes.
    """

    def __init__(self, session: Session, *, first_wait: float = 0.0) -> None:
        self.session = session
        session.outbox.paced = True
        self.socket: Socket | None = None
        self._draining = False
        self._last = 0.0
        # Until then only the end of a run sends a frame (see FIRST_FRAME_WAIT).
        self._hold_until = time.monotonic() + first_wait if first_wait else 0.0
        self._hurry = asyncio.Event()

    async def hurry(self) -> None:
        """Send what is pending now (a run ended), cutting short the wait for the next frame slot."""
        self._hurry.set()
        await self.drain()

    async def drain(self) -> None:
        """Send every pending frame, one per frame interval; frames while no socket is attached are kept
        only in the session's replay buffer."""
        if self._draining:
            return
        self._draining = True
        config = self.session.config
        try:
            while True:
                outbox = self.session.outbox
                due = max(self._last + config.frame_interval, self._hold_until, outbox.first_due)
                delay = due - time.monotonic()
                if delay > 0 and not outbox.urgent:
                    self._hurry.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._hurry.wait(), delay)
                frame = outbox.take_frame()
                if frame is None:
                    return
                outbox.sent()  # (written next, to the socket's buffer: a worker waiting for it can go on)
                if not outbox.status_only:
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
