"""The current run: which session it belongs to, what triggered it, and how it is interrupted.

The run lives in a ContextVar so API calls find it from anywhere in the script (including code that
``asyncio`` runs as tasks) without passing anything around.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from reactchat.display import Interactions
    from reactchat.elements import Element
    from reactchat.events import ChatEvent
    from reactchat.media import MediaStore
    from reactchat.protocol import Event
    from reactchat.reconcile import Reconciler
    from reactchat.state import SessionState
    from reactchat.tree import Node
    from reactchat.uploads import Uploads


class Interrupt(BaseException):
    """Ends a run early. A BaseException so that a script's ``except Exception`` cannot swallow it."""


class StopRequested(Interrupt):
    """The user pressed Stop, or the session is closing."""


class RerunRequested(Interrupt):
    """The script changed on disk, or the script called ``rc.rerun()``: run again from the top."""


class ScriptStopped(Interrupt):
    """The script called ``rc.stop()``: the run ends normally here."""


class RunAbandoned(Interrupt):
    """The run ignored an interrupt for too long and was replaced; its writes are refused."""


class Run:
    """One execution of the script for one session."""

    def __init__(
        self,
        run_id: int,
        reconciler: Reconciler,
        state: SessionState,
        event: Event | None,
        script_path: str,
        frame_interval: float = 0.025,
        loop_source: Callable[[], asyncio.AbstractEventLoop] | None = None,
        media: MediaStore | None = None,
    ) -> None:
        from reactchat.display import DEFAULT_CHAT
        from reactchat.media import MediaStore

        self.id = run_id
        self.reconciler = reconciler
        self.state = state
        self.event = event
        self.script_path = script_path
        self.frame_interval = frame_interval
        self.interrupt: type[Interrupt] | None = None
        self.abandoned = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_source = loop_source
        self.media = media if media is not None else MediaStore()
        self.chat = DEFAULT_CHAT  # set by rc.chat(); how this run renders text
        self.pending: list[Element] = []  # media elements not declared yet (see elements.Element)
        self.thoughts: dict[Any, Node] = {}  # thought nodes by their metadata id, for parent_id
        # New messages get the run's start as created_at; re-declared ones keep theirs.
        self.message_defaults = {"created_at": round(time.time(), 3), "feedback": None}
        # Interactions (see session.Session._prepare): what the script sees of the triggering event.
        self.chat_event: ChatEvent | None = None
        self.prefill: str | None = None  # text put back in the input (undo)
        self.example: dict[str, Any] | None = None  # the example clicked
        self.interactions: Interactions | None = None  # what rc.chat declared in this run
        self.widgets: dict[Any, Any] = {}  # widget values by key path (the session's)
        self.uploads: Uploads | None = None
        self.sidebar: Node | None = None
        self.before: Callable[[], Any] | None = None  # the app's callback for the event, run first
        self.script: Any = None  # the runner.Script being run
        self.last_widget: Node | None = None
        self.task: asyncio.Task[Any] | None = None
        # While a stream is being written it takes interrupts itself, so Stop keeps the partial answer.
        self.stream_wakeup: Callable[[], None] | None = None
        self._lock = threading.Lock()

    def event_loop(self) -> asyncio.AbstractEventLoop:
        """The worker thread's event loop, for async scripts and async streams (made on first use)."""
        if self.loop is None:
            if self._loop_source is None:
                import asyncio

                self._loop_source = asyncio.new_event_loop
            self.loop = self._loop_source()
        return self.loop

    def claim(self, element: Element) -> None:
        """``element`` becomes a message's content instead of being declared where it was made."""
        if element in self.pending:
            self.pending.remove(element)

    def flush_pending(self) -> None:
        """Declare the media elements made since the last reactchat call, where they were made."""
        pending, self.pending = self.pending, []
        for element in pending:
            element.emit(self)

    def checkpoint(self) -> None:
        """Raise the pending interrupt, if any. Every API call starts here."""
        if self.abandoned:
            raise RunAbandoned()
        if self.interrupt is not None:
            raise self.interrupt()

    def request_interrupt(self, kind: type[Interrupt]) -> None:
        """Ask the run to end (thread-safe). The first request wins, except that Stop beats a rerun."""
        with self._lock:
            if self.interrupt is not None and kind is not StopRequested:
                return
            self.interrupt = kind
            wakeup = self.stream_wakeup
        if wakeup is not None:
            wakeup()
        elif self.loop is not None and self.task is not None:
            self.loop.call_soon_threadsafe(self.task.cancel)


_current: ContextVar[Run | None] = ContextVar("reactchat_run", default=None)
_in_stream_source: ContextVar[bool] = ContextVar("reactchat_in_stream_source", default=False)


def current_run() -> Run:
    """The run executing this code.

    Raises:
        RuntimeError: outside a reactchat script, or inside the iterable given to ``write_stream``.
    """
    run = _current.get()
    if run is None:
        raise RuntimeError(
            "reactchat functions only work inside a running app; start it with `reactchat run SCRIPT`"
            " or in tests with reactchat.testing.ChatTest"
        )
    if _in_stream_source.get():
        raise RuntimeError(
            "reactchat functions cannot be called from inside the iterable given to write_stream"
        )
    return run


def bind(run: Run | None) -> object:
    return _current.set(run)


def unbind(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def mark_stream_source() -> None:
    _in_stream_source.set(True)
