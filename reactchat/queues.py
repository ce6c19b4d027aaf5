"""Named lines for scarce resources (one GPU, one local model): at most ``limit`` holders at once in this
process, the others waiting first come, first served, each seeing its place.

A line never owns a thread. A waiter is a ticket with a wake-up callback: a session's run waits on an event
in the thread it runs in anyway (and Stop sets that event), an HTTP API call awaits on the loop and gets a
thread only once it holds a place.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from reactchat import context
from reactchat.elements import begin

_LINES: dict[str, Line] = {}
_LINES_LOCK = threading.Lock()


class LineFull(Exception):
    """The line is as long as the caller allows (the HTTP API answers 503 with Retry-After)."""


class Ticket:
    """One caller's place: waiting (``ahead`` others before it) until ``granted``, then holding until it
    leaves. ``notify`` is called, under the line's lock, whenever either changes: it must only signal."""

    __slots__ = ("ahead", "granted", "left", "notify")

    def __init__(self, notify: Callable[[], object]) -> None:
        self.notify = notify
        self.ahead = 0
        self.granted = False
        self.left = False


class Line:
    """At most ``limit`` tickets hold a place at once; the others wait in arrival order."""

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit
        self._lock = threading.Lock()
        self._holding = 0
        self._waiting: collections.OrderedDict[Ticket, None] = collections.OrderedDict()

    @property
    def holding(self) -> int:
        """Places held now."""
        return self._holding

    @property
    def waiting(self) -> int:
        """Callers waiting now."""
        return len(self._waiting)

    def join(self, notify: Callable[[], object], max_waiting: int | None = None) -> Ticket:
        """Take a place now if one is free and nobody waits, else queue at the end.

        Raises:
            LineFull: when ``max_waiting`` callers already wait.
        """
        ticket = Ticket(notify)
        with self._lock:
            if self._holding < self.limit and not self._waiting:
                self._holding += 1
                ticket.granted = True
                return ticket
            if max_waiting is not None and len(self._waiting) >= max_waiting:
                raise LineFull(
                    f"{len(self._waiting)} requests already wait for {self.name!r} (limit {self.limit} at"
                    " once); try again shortly"
                )
            ticket.ahead = len(self._waiting)
            self._waiting[ticket] = None
        return ticket

    def leave(self, ticket: Ticket) -> None:
        """Give up the ticket's place in the line, or the place it holds (idempotent)."""
        with self._lock:
            if ticket.left:
                return
            ticket.left = True
            if ticket in self._waiting:
                del self._waiting[ticket]
            elif ticket.granted:
                self._holding -= 1
            self._advance()

    def resize(self, limit: int) -> None:
        """Change the limit (the code changed); a larger one lets waiters in at once."""
        with self._lock:
            self.limit = limit
            self._advance()

    def _advance(self) -> None:
        """Grant free places in arrival order, then tell every waiter whose place changed (lock held)."""
        while self._waiting and self._holding < self.limit:
            ticket, _ = self._waiting.popitem(last=False)
            self._holding += 1
            ticket.granted = True
            ticket.notify()
        for ahead, ticket in enumerate(self._waiting):
            if ticket.ahead != ahead:
                ticket.ahead = ahead
                ticket.notify()


def line(name: str, limit: int) -> Line:
    """The process's line called ``name``, made on first use; ``limit`` replaces its limit.

    Raises:
        ValueError: for a limit below 1.
    """
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"a queue's limit must be an int of at least 1; got {limit!r}")
    with _LINES_LOCK:
        found = _LINES.get(name)
        if found is None:
            found = _LINES[name] = Line(name, limit)
    if found.limit != limit:
        found.resize(limit)
    return found


@contextlib.contextmanager
def queue(name: str, limit: int = 1) -> Iterator[None]:
    """Run the block with at most ``limit`` runs inside it at once across every session of this process
    (shared by ``name``); the others wait in line, first come, first served.

    While a run waits, the page shows its place ("2 ahead of you"); Stop takes it out of the line at once,
    and the input stays usable to queue further messages. Outside a run (a thread of your own, the HTTP
    API calling your function) the block simply waits its turn.

        with rc.queue("gpu", limit=1):
            reply = model.generate(prompt)

    Raises:
        ValueError: for a limit below 1.
    """
    with hold(line(name, limit)):
        yield


@contextlib.contextmanager
def hold(waited: Line) -> Iterator[None]:
    """Hold a place in ``waited`` for the block, waiting for one first (see ``queue``)."""
    changed = threading.Event()
    ticket = waited.join(changed.set)
    try:
        if not ticket.granted:
            if context.active_run() is not None:
                _wait_in_run(ticket, changed)
            else:
                while not ticket.granted:
                    changed.wait()
                    changed.clear()
        yield
    finally:
        waited.leave(ticket)


def _wait_in_run(ticket: Ticket, changed: threading.Event) -> None:
    """Wait in the run's own thread, showing the place; Stop (or the session closing) sets ``changed``,
    so the run leaves the line at once."""
    run = begin()
    rec = run.reconciler
    node = rec.emit("queue", {"ahead": ticket.ahead})
    try:
        with run.cancel.on_request(changed.set):
            while True:
                changed.clear()  # before reading the ticket: a change after this sets it again
                run.cancel.check()
                if ticket.granted:
                    return
                ahead = ticket.ahead
                if node.props.get("ahead") != ahead:
                    rec.set(node, {"ahead": ahead})
                changed.wait()
    finally:
        rec.retract(node)


def gate(fn: Callable[..., Any], waited: Line | None, held: contextlib.ExitStack) -> Callable[..., Any]:
    """``fn`` taking a place in ``waited`` when called, kept until ``held`` closes (the whole answer,
    streamed or not); ``fn`` itself when there is no line."""
    if waited is None:
        return fn

    def call(*args: Any) -> Any:
        held.enter_context(hold(waited))
        return fn(*args)

    return call


def line_for(fn: Callable[..., Any], limit: int | None, name: str | None = None) -> Line | None:
    """The line a chat function waits in: ``name``'s, else one of its own (by where it is defined, so a
    rerun or a code change keeps it); None without a limit."""
    if limit is None:
        return None
    if name is None:
        code = getattr(fn, "__code__", None)
        where = f"{code.co_filename}:{code.co_firstlineno}" if code is not None else repr(fn)
        name = f"{getattr(fn, '__qualname__', 'chat function')} ({where})"
    return line(name, limit)
