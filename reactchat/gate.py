"""Tabs that open at once take turns: the first runs of new sessions (a restart's tabs reconnecting, a link
shared in a meeting) compute a few at a time.

Under Python's GIL, runs that compute (a long history declared and rendered) finish no later one after another
than all at once, and on average sooner: twenty first runs sharing the interpreter all end near the end of the
burst, while taking turns the first tab is ready after its own run. And what each run holds until its frame
goes out (the renders of its messages) is then not held by all of them at the same time: memory that Python's
allocator keeps once it has grown for such a peak (benchmark section 9: 537 KB per 1,000-message session with
20 tabs opened at once, 356 KB taking turns).

Only computing counts: a run that waits (an app that greets with a model's answer, a slow database) uses no
CPU, and from the first ``LOOK``-second look that finds its thread using less than ``BUSY`` of a core it runs
on beside the others, uncounted. So does a run that has computed for ``TURN`` seconds (fairness: the next
tab need not wait for a 10,000-message transcript). Where a thread's CPU time cannot be read, a run counts
for ``TURN`` seconds of wall time.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator

__all__ = ["AT_ONCE", "BUSY", "LOOK", "OPENINGS", "TURN", "Gate"]

AT_ONCE = 2
"""First runs that compute at the same time."""

TURN = 2.0
"""Seconds of CPU a first run counts against ``AT_ONCE`` for at most."""

LOOK = 0.05
"""Seconds between two looks at what the runs holding a turn do, while others wait."""

BUSY = 0.05
"""The share of a core below which a run holding a turn is taken to wait rather than compute."""


def thread_clock() -> Callable[[], float] | None:
    """The calling thread's CPU time, readable from any thread (None where the platform has no such clock)."""
    try:
        clock = time.pthread_getcpuclockid(threading.get_ident())
        time.clock_gettime(clock)
    except (AttributeError, OSError):
        return None
    return lambda: time.clock_gettime(clock)


class _Holder:
    __slots__ = ("cpu", "ends", "seen", "used")

    def __init__(self, cpu: Callable[[], float] | None, now: float, turn: float) -> None:
        self.cpu = cpu  # its thread's CPU time (None: unknown, counted for its turn in wall time)
        self.seen = now  # when it was last looked at, and its CPU time then
        self.used = cpu() if cpu is not None else 0.0
        self.ends = (self.used if cpu is not None else now) + turn  # (in CPU time where it can be told)

    def computing(self, now: float, busy: float) -> bool:
        """Whether it still counts: within its turn, and busy since the last look (if that can be told)."""
        if self.cpu is None:
            return now < self.ends
        if now - self.seen < LOOK / 2:
            return True
        used = self.cpu()
        share = (used - self.used) / (now - self.seen)
        self.seen, self.used = now, used
        return share >= busy and used < self.ends


class Gate:
    """At most ``width`` holders computing at a time, each counted for ``turn`` seconds at most and only while
    it computes (``BUSY``); the rest wait, first come, first served."""

    def __init__(self, width: int = AT_ONCE, turn: float = TURN, busy: float = BUSY) -> None:
        if width < 1:
            raise ValueError(f"a gate lets at least one through, got width={width}")
        self.width = width
        self.turn = turn
        self.busy = busy
        self._cond = threading.Condition()
        self._holders: dict[int, _Holder] = {}
        self._line: list[int] = []  # tickets waiting, in order
        self._tickets = itertools.count()

    @contextlib.contextmanager
    def passage(self, wanted: bool = True) -> Iterator[None]:
        """Hold a turn while the block runs (waiting for one first); ``wanted`` False passes at once."""
        if not wanted:
            yield
            return
        ticket = self._enter()
        try:
            yield
        finally:
            with self._cond:
                self._holders.pop(ticket, None)
                self._cond.notify_all()

    def _enter(self) -> int:
        cpu = thread_clock()
        with self._cond:
            ticket = next(self._tickets)
            self._line.append(ticket)
            try:
                while True:
                    now = time.monotonic()
                    for held, holder in list(self._holders.items()):
                        if not holder.computing(now, self.busy):  # it runs on, no longer counted
                            del self._holders[held]
                    if self._line[0] == ticket and len(self._holders) < self.width:
                        self._holders[ticket] = _Holder(cpu, now, self.turn)
                        return ticket
                    self._cond.wait(LOOK)
            finally:
                self._line.remove(ticket)
                self._cond.notify_all()  # the next in line may go now

    @property
    def waiting(self) -> int:
        """How many wait for a turn."""
        return len(self._line)

    @property
    def counted(self) -> int:
        """How many hold a turn (as of the last look)."""
        return len(self._holders)


OPENINGS = Gate()
"""The process's gate for first runs (``Session``)."""
