"""The run threads: one bounded pool per process that every session's runs take a thread from.

An idle session holds no thread. A session with work takes a ``Ticket``: it runs at once on a free thread,
or waits in line (first come, first served) until a run ends and hands its thread on. Streams' pumps
(``feed``) borrow a thread only while one is spare and nobody waits, and give it back between two chunks as
soon as a run waits: so the process never has more than ``size`` run threads, however many tabs stream.

A run that ignored Stop and was abandoned (``Session._watch_interrupt``) keeps its thread until the call it is
blocked in returns: Python cannot end a thread. The pool counts those (``abandoned``) and logs them; their
threads still count against ``size``, so the bound holds. If every thread is held by abandoned runs, the pool
is exhausted: new runs wait in line (their tabs are told why) until one of those calls returns.
"""

from __future__ import annotations

import collections
import contextvars
import itertools
import logging
import threading
import time
from collections.abc import Callable

__all__ = ["LINGER", "Pool", "Ticket", "current", "shared"]

LINGER = 0.5  # seconds a thread with nothing to do waits for work before it ends (idle tabs hold no thread)
log = logging.getLogger("reactchat")
_local = threading.local()


class Ticket:
    """A piece of work's place in the pool: ``waiting`` in line, then ``running`` on a thread, then ``done``
    (or ``withdrawn`` from the line before it ran)."""

    __slots__ = ("abandoned", "job", "lent", "state")

    def __init__(self, job: Callable[[], object], *, lent: bool = False) -> None:
        self.job = job
        self.state = "waiting"
        self.abandoned = False
        self.lent = lent  # a spare thread lent to a pump, given back at its next chunk when a run waits

    @property
    def waiting(self) -> bool:
        return self.state == "waiting"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "withdrawn")


class Pool:
    """At most ``size`` threads running work; the rest waits in line.

    Attributes:
        size: The most threads running work at once.
        abandoned: Threads held by abandoned runs still blocked (they count against ``size``).
        peak: The most threads that ran work at once so far.
    """

    def __init__(self, size: int, linger: float = LINGER) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one thread, got {size}")
        self.size = size
        self.abandoned = 0
        self.peak = 0
        self._linger = linger
        lock = threading.RLock()
        self._cond = threading.Condition(lock)
        self._quiet = threading.Condition(lock)  # told when the first slot is taken and the last freed
        self._line: collections.deque[Ticket] = collections.deque()  # waiting for a thread
        self._ready: collections.deque[Ticket] = collections.deque()  # given a slot, not yet on a thread
        self._busy = 0  # slots taken: tickets running or ready
        self._lent = 0  # of which lent to pumps
        self._idle = 0  # threads waiting for work
        self._threads = 0
        self._names = itertools.count(1)

    # -- the line -----------------------------------------------------------------------------------------

    def submit(self, job: Callable[[], object]) -> Ticket:
        """Run ``job`` on a pool thread: now if a thread is free and nobody waits, else when its turn
        comes (the ticket says ``waiting`` meanwhile)."""
        ticket = Ticket(job)
        with self._cond:
            if self._busy < self.size and not self._line:
                self._give(ticket)
            else:
                self._line.append(ticket)
        return ticket

    def borrow(self, job: Callable[[], object]) -> Ticket | None:
        """Run ``job`` on a spare thread, or None: when every thread is taken, or runs wait for one (work
        that can do without a thread of its own, such as a stream's pump, never makes a run wait)."""
        with self._cond:
            if self._busy >= self.size or self._line:
                return None
            ticket = Ticket(job, lent=True)
            self._lent += 1
            self._give(ticket)
            return ticket

    @property
    def held_by_runs(self) -> bool:
        """Whether runs hold every thread: a run waiting behind pumps only gets its thread at their next
        chunk, too soon to tell its tab it waits."""
        return self._busy - self._lent >= self.size

    def wait_quiet(self, quiet: float, timeout: float) -> bool:
        """Wait for ``quiet`` seconds in a row without work, for at most ``timeout`` seconds before they
        begin: background work that can wait (the server's warm-up) goes after a burst of runs (the tabs
        that reconnect at once after a restart), not beside it. Whether such a moment came."""
        deadline = time.monotonic() + timeout
        with self._quiet:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self._quiet.wait_for(lambda: not self._busy, left):
                    return False
                if not self._quiet.wait_for(lambda: self._busy > 0, quiet):  # a slot taken wakes it
                    return True

    def settle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the threads lent to pumps to be given back: a stopped stream's
        pump closes its generator at its next chunk, and its cleanup should run before the process ends.
        Whether they all were."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._lent, timeout)

    def wanted(self) -> bool:
        """Whether a run waits for a thread (a borrowed thread should be given back)."""
        return bool(self._line)

    def withdraw(self, ticket: Ticket) -> bool:
        """Take a waiting ``ticket`` out of the line; False if it already runs (or ran)."""
        with self._cond:
            if ticket.state != "waiting":
                return False
            self._line.remove(ticket)
            ticket.state = "withdrawn"
            return True

    def ahead(self, ticket: Ticket) -> int:
        """How many tickets wait before ``ticket`` (0 when it is not waiting)."""
        with self._cond:
            for i, waiting in enumerate(self._line):
                if waiting is ticket:
                    return i
        return 0

    def waiting_note(self, ticket: Ticket) -> str:
        """What a tab whose run waits in line is told."""
        why = "answers that could not be stopped" if self.abandoned >= self.size else "other answers"
        return (
            f"Waiting for the server: all {self.size} of its threads run {why}; this starts as soon as one is"
            f" free ({self.ahead(ticket)} waiting before it)."
        )

    @property
    def waiting(self) -> int:
        """Tickets in line."""
        return len(self._line)

    @property
    def running(self) -> int:
        """Slots taken (work running, abandoned runs included)."""
        return self._busy

    def stats(self) -> dict[str, int]:
        """For ``/_rc/health``: the bound, the slots taken, the line, the abandoned runs and the peak."""
        return {"run_threads": self.size, "running": self._busy, "waiting": len(self._line),
                "abandoned": self.abandoned, "peak": self.peak}  # fmt: skip

    def abandon(self, ticket: Ticket) -> None:
        """The run on ``ticket`` was abandoned: counted (and logged) until its thread is free again."""
        with self._cond:
            if ticket.state != "running" or ticket.abandoned:
                return
            ticket.abandoned = True
            self.abandoned += 1
            count = self.abandoned
        if count >= self.size:
            log.error("all %d run threads are held by abandoned runs: new runs wait until one returns", count)
        else:
            log.warning("%d of %d run threads are held by abandoned runs", count, self.size)

    # -- the threads --------------------------------------------------------------------------------------

    def _give(self, ticket: Ticket) -> None:
        # With _cond held: a slot for ticket, on a thread that waits for work, else on a new one.
        self._busy += 1
        if self._busy == 1:
            self._quiet.notify_all()
        self.peak = max(self.peak, self._busy)
        ticket.state = "running"
        self._ready.append(ticket)
        if self._idle >= len(self._ready):
            self._cond.notify()
        else:
            self._threads += 1
            name = f"reactchat-run-{next(self._names)}"
            threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        _local.pool = self
        ticket: Ticket | None = None
        while True:
            with self._cond:
                if ticket is not None:  # its work is done: the slot goes to the first in line, if any
                    ticket.state = "done"
                    if ticket.abandoned:
                        self.abandoned -= 1
                    if ticket.lent:
                        self._lent -= 1
                        self._cond.notify_all()  # (settle waits for it)
                    ticket = self._line.popleft() if self._line else None
                    if ticket is None:
                        self._busy -= 1
                        if not self._busy:
                            self._quiet.notify_all()
                    else:
                        ticket.state = "running"  # handed on with the slot: _busy is unchanged
                while ticket is None:
                    if self._ready:
                        ticket = self._ready.popleft()
                        break
                    self._idle += 1
                    woken = self._cond.wait(self._linger)
                    self._idle -= 1
                    if not woken and not self._ready:
                        self._threads -= 1
                        return
            try:
                contextvars.Context().run(ticket.job)  # nothing one job set in its context reaches the next
            except BaseException:  # the job's own errors are its to report; the thread serves on
                log.exception("a job on the run threads failed")


def current() -> Pool | None:
    """The pool whose thread this is (None off the pool's threads)."""
    pool: Pool | None = getattr(_local, "pool", None)
    return pool


_shared: Pool | None = None
_shared_lock = threading.Lock()


def shared(size: int) -> Pool:
    """The process's pool, made with ``size`` threads on first use (sessions made without a pool of their
    own take it; a served app's sessions share the one ``Sessions`` makes from its config)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Pool(size)
        return _shared
