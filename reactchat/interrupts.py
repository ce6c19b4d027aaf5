"""How a run is ended early: the interrupt exceptions, and the cancel token that raises them."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class Interrupt(BaseException):
    """Ends a run early. A BaseException so that a script's ``except Exception`` cannot swallow it."""


class StopRequested(Interrupt):
    """The user pressed Stop, or the session is closing."""


class ShuttingDown(StopRequested):
    """The session is closing (its tab is gone for good, or the server is stopping): the run ends as if
    stopped, and a stored reply it was writing is marked interrupted rather than stopped."""


class RerunRequested(Interrupt):
    """The script changed on disk, or the script called ``rc.rerun()``: run again from the top."""


class ScriptStopped(Interrupt):
    """The script called ``rc.stop()``: the run ends normally here."""


class RunAbandoned(Interrupt):
    """The run ignored an interrupt for too long and was replaced; its writes are refused."""


class Cancel:
    """A run's cancel token: any thread may request an interrupt; the run's thread raises it at checkpoints.

    Whatever is blocking the run (a stream waiting for its next chunk, an async script awaiting) registers a
    wake-up with ``on_request`` so a request reaches it at once; the innermost registration wins.
    """

    __slots__ = ("_lock", "_script_thread", "_wakeups", "abandoned", "kind")

    def __init__(self) -> None:
        self.kind: type[Interrupt] | None = None
        self.abandoned = False
        self._lock = threading.Lock()
        self._wakeups: list[Callable[[], object]] = []
        self._script_thread: int | None = None  # set while the script's own code runs (see force)

    @property
    def requested(self) -> bool:
        """Whether the run should end (an interrupt is pending, or the run was abandoned)."""
        return self.kind is not None or self.abandoned

    def check(self) -> None:
        """Raise the pending interrupt, if any. Every API call starts here."""
        if self.abandoned:
            raise RunAbandoned()
        if self.kind is not None:
            raise self.kind()

    def check_writable(self) -> None:
        """Raise if the run was abandoned: its writes must not land (a replacement owns the session)."""
        if self.abandoned:
            raise RunAbandoned()

    def request(self, kind: type[Interrupt]) -> None:
        """Ask the run to end (thread-safe). The first request wins, except that Stop beats a rerun."""
        with self._lock:
            if self.kind is not None and not issubclass(kind, StopRequested):
                return
            self.kind = kind
            wakeup = self._wakeups[-1] if self._wakeups else None
        if wakeup is not None:
            wakeup()

    @contextlib.contextmanager
    def script_running(self) -> Iterator[None]:
        """Mark the block as the script's own code, where ``force`` may raise the interrupt.

        Leaving the block takes the lock ``force`` holds, so an interrupt forced at the last moment is
        raised before the block is left (at the first bytecode after the lock is taken), never after.
        """
        with self._lock:
            self._script_thread = threading.get_ident()
        try:
            yield
        finally:
            with self._lock:
                self._script_thread = None

    def force(self) -> bool:
        """Raise the requested interrupt in the run's thread now, for a run busy in pure Python code that
        reaches no checkpoint (``while True: pass``). A thread blocked in C code (a system call, a C
        extension) only gets it when that returns.

        Returns:
            Whether it was raised (False when no interrupt is requested or the script is not running).
        """
        import ctypes  # here: loaded at the first Stop that needs it, not by every server

        with self._lock:
            if self._script_thread is None or self.kind is None:
                return False
            done = ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._script_thread), ctypes.py_object(self.kind)
            )
            return bool(done == 1)

    def abandon(self) -> None:
        """The run ignored its interrupt past the grace period: every later write of it is refused."""
        self.abandoned = True

    @contextlib.contextmanager
    def on_request(self, wakeup: Callable[[], object]) -> Iterator[None]:
        """Call ``wakeup`` (from the requesting thread) on a request made while the block runs."""
        with self._lock:
            self._wakeups.append(wakeup)
        try:
            yield
        finally:
            with self._lock:
                self._wakeups.remove(wakeup)
