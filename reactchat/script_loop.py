"""The asyncio event loop a session's async scripts run on."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

__all__ = ["ScriptLoop"]


class ScriptLoop:
    """One loop for every run of a session, whichever thread runs it (runs never overlap), made on first use.

    A run abandoned while on it keeps it (``drop``): later runs get another. Each loop is closed by the last
    worker that used it as it ends (``release``), or by the session's close when no worker holds it.
    ``cond`` is the session's: every method but ``source``'s function is called with it held or takes it.
    """

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self.loop: asyncio.AbstractEventLoop | None = None

    def source(self, used: list[asyncio.AbstractEventLoop]) -> Callable[[], asyncio.AbstractEventLoop]:
        """What a worker gives its runs to get the loop; the loops it got are added to ``used``."""

        def get() -> asyncio.AbstractEventLoop:
            with self._cond:
                loop = self.loop = self.loop or asyncio.new_event_loop()
            if loop not in used:
                used.append(loop)
            return loop

        return get

    def drop(self) -> None:
        """The run on the loop was abandoned: it may still be running it; later runs get another."""
        self.loop = None

    def take(self) -> asyncio.AbstractEventLoop | None:
        """The loop, no longer the session's (it closes, and no worker holds it): the caller closes it."""
        loop, self.loop = self.loop, None
        return loop

    def release(self, used: list[asyncio.AbstractEventLoop], closing: bool) -> None:
        """A worker ends: it closes the loops it used that the session no longer holds (the session closed
        with no run going, or a run was abandoned and the next runs got another)."""
        with self._cond:
            if closing:
                self.loop = None
            ended = [loop for loop in used if loop is not self.loop]
        for loop in ended:
            loop.close()
