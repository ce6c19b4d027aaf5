"""The threads the chat HTTP API calls the app's chat function on: bounded, one pool per kind of call, so
whole answers cannot starve streams (or the reverse), and a call past its kind's bound is refused at once
rather than queued behind the others."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeAlias, TypeVar

Kind: TypeAlias = Literal["call", "stream"]
"""A whole answer (``call``) or a streamed one (``stream``)."""

T = TypeVar("T")


class Busy(Exception):
    """Every thread for this kind of call is taken (answer 503 with Retry-After)."""


class Workers:
    """Runs the chat function on at most ``calls`` threads for whole answers and ``streams`` for streamed
    ones. Used on the loop thread; a slot is freed when its function's thread ends, not when its client
    leaves (a plain function runs to its end; a generator ends at its next yield).

    Each call gets a daemon thread of its own (no pool): a function that never returns must not keep the
    process from exiting on shutdown, which a ``ThreadPoolExecutor``'s threads would.
    """

    def __init__(self, calls: int, streams: int) -> None:
        self._limits: dict[Kind, int] = {"call": calls, "stream": streams}
        self._busy: dict[Kind, int] = {"call": 0, "stream": 0}
        self._closed = False

    def busy(self, kind: Kind) -> int:
        """Threads of ``kind`` taken now."""
        return self._busy[kind]

    def run(self, kind: Kind, work: Callable[[], T]) -> asyncio.Future[T]:
        """Start ``work`` on a thread of ``kind``; the future has its result or exception.

        Raises:
            Busy: when ``kind``'s threads are all taken, or the server is shutting down.
        """
        limit = self._limits[kind]
        if self._closed:
            raise Busy("the server is shutting down")
        if self._busy[kind] >= limit:
            what = "answers" if kind == "call" else "streamed answers"
            raise Busy(f"the server is busy: {limit} {what} are being computed; try again shortly")
        self._busy[kind] += 1
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def settle(ok: bool, value: Any) -> None:
            self._busy[kind] -= 1
            if future.cancelled():
                return
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
                future.exception()  # marked retrieved: a caller whose client left may never await it

        def target() -> None:
            outcome: tuple[bool, Any] = (False, RuntimeError("the chat function's thread ended abruptly"))
            try:
                outcome = (True, work())
            except Exception as exc:
                outcome = (False, exc)
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is closed: the server is gone
                    loop.call_soon_threadsafe(settle, *outcome)

        threading.Thread(target=target, name=f"reactchat-api-{kind}", daemon=True).start()
        return future

    def close(self) -> None:
        """Take no more calls; running ones end on their own."""
        self._closed = True
