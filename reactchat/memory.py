"""The process's memory: its ceiling (``--max-memory``: past it, the running runs are stopped), how its
garbage collector runs while it serves, and giving the C heap's freed memory back to the system."""

from __future__ import annotations

import functools
import gc
import logging
import os
import re
from collections.abc import Callable, Iterable
from typing import Protocol, cast

from tornado.ioloop import IOLoop

log = logging.getLogger("reactchat")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


FULL_COLLECTION_AFTER = 100
"""Middle-generation collections before a full one may run (CPython's default is 10)."""


def settle_collector() -> None:
    """Set the garbage collector up for serving, once started: what is alive now (imports, the compiled
    script) is frozen and never walked again, and a full collection waits for ``FULL_COLLECTION_AFTER``
    middle ones (and, as always, for the heap to have grown by a quarter). A full collection walks every
    session's tree and stalls every session: a 10,000-message conversation opening paid four of 0.1-0.3 s.
    Young collections, which free most garbage, run as before; what a closed session leaves waits longer."""
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)


LARGE = 256 * 1024
"""Frames this large, acknowledged at once (a long transcript opened), let go: ``HeapTrim.released`` trims
the heap soon (what rendering them left in it, too)."""

GIVE_BACK_AFTER = 0.1
"""Seconds from the first large release to the trim: the acks of several tabs opening together make one."""


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # (on first use: not part of a cold start)

    try:  # the process's own symbols, the C library's among them (no search for its file)
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return cast(Callable[[int], int], trim)


def give_back() -> bool:
    """Return the memory freed inside the C heap to the system (glibc's ``malloc_trim``); False where the C
    library has none. Large buffers (a frame of a long transcript, its copies on the way to the socket) are
    freed into glibc's heaps, which keep them: a thread's heap raises its thresholds after a large block and
    then returns nothing, so each tab that opened a long conversation left about its frame's size resident."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class HeapTrim:
    """Gives the C heap back (``give_back``) ``after`` seconds past the first large buffer let go (a long
    transcript's frame the tab acknowledged), once for the buffers let go meanwhile. Used on the server's
    loop (``heap_trim``)."""

    def __init__(self, after: float = GIVE_BACK_AFTER) -> None:
        self.after = after
        self.pending = False  # a trim is scheduled

    def released(self, size: int) -> bool:
        """A buffer of ``size`` bytes was let go: past ``LARGE``, schedule a trim unless one is; returns
        whether this call did."""
        if size < LARGE or self.pending:
            return False
        self.pending = True
        IOLoop.current().call_later(self.after, self._trim)
        return True

    def _trim(self) -> None:
        self.pending = False
        give_back()


heap_trim = HeapTrim()
"""The server's (``websocket`` reports the frames a tab acknowledged to it)."""


def parse_size(text: str) -> int:
    """Bytes from ``"512MB"``, ``"2G"``, ``"1.5GiB"`` or a plain number of bytes.

    Raises:
        ValueError: naming the text.
    """
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (write e.g. 512MB or 2GB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def resident_bytes() -> int:
    """The process's resident memory now (Linux: /proc/self/statm; elsewhere: the peak, from getrusage)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Stoppable(Protocol):
    def stop(self, note: str | None = None) -> bool: ...


class Ceiling:
    """Past ``limit`` bytes of resident memory, ``check`` stops every running run (which one allocates
    cannot be known from inside the process) and says why on their pages and in the log. The runs'
    sessions, and what they showed, survive. The server calls ``check`` on its loop a few times a second."""

    def __init__(self, limit: int, sessions: Callable[[], Iterable[Stoppable]]) -> None:
        self.limit = limit
        self._sessions = sessions

    def check(self) -> int:
        """Stop the running runs if the process is over the limit; returns how many were stopped."""
        used = resident_bytes()
        if used <= self.limit:
            return 0
        mb = self.limit >> 20
        note = f"Stopped: the server's memory passed its limit of {mb} MB (--max-memory)."
        stopped = sum(1 for session in list(self._sessions()) if session.stop(note))
        if stopped:
            log.warning("memory at %d MB, over --max-memory %d MB: stopped %d runs", used >> 20, mb, stopped)
        return stopped
