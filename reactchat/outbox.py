"""A session's outgoing ops: coalesced into frames, numbered, kept for replay.

The script thread pushes ops (holding the session lock, together with the tree change they describe); the
first op after a quiet spell wakes the sender once. The sender takes everything pending as one frame, so a
fast stream becomes one frame per interval and a slow client gets fewer, larger frames instead of a backlog.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

from reactchat.ops import APP, DEL, INS, MOV, REP, RUN, SET, SNAP, Batch, Op, WireNode, compact, empty_root
from reactchat.protocol import encode_frame

_TREE = frozenset({INS, SET, APP, DEL, MOV, REP})

SENT_WAIT = 0.25
"""Seconds ``wait_sent`` waits at most (a client slow to read holds its sender back)."""

RUN_START_WAIT = 0.01
"""Seconds a run's first frame waits for the run's end (``start_run``): a run that answers within them (an
echo, a widget's rerun, a lookup) goes to the page as one frame, drawn once, rather than a frame saying it
runs (and what it has declared so far) and another a few milliseconds later that the page draws again. A
longer run's first frame goes after them: its user's message shows as soon, to the eye."""


class Outbox:
    """Pending ops plus the replay buffer of frames already numbered.

    ``push`` must be called with ``lock`` held; everything else takes the lock itself.
    """

    def __init__(self, lock: threading.Lock, replay_bytes: int, wake: Callable[[bool], None]) -> None:
        self.lock = lock
        self._batch = Batch()
        self._wake = wake
        self._waiting = False
        self._replay_limit = replay_bytes
        self._replay: collections.deque[tuple[int, bytes]] = collections.deque()
        self._replay_size = 0
        self.seq = 0
        self.frames = 0
        self.bytes = 0
        self.status_only = False  # the last frame carried only run-state ops
        self.first_due = 0.0  # a run started: its first frame waits until then (monotonic; 0: no wait)
        self.urgent = False  # a run ended: send now rather than at the next frame slot
        self._whole: Callable[[], WireNode | None] | None = None  # see send_tree
        self._ready = True
        self._declaring = False  # a run declares a history while the whole tree is to go: see hold_tree
        self.paced = False  # a sender takes the frames as they come (served), not the headless runner
        self._sent = threading.Condition(lock)
        self._sent_seq = 0  # the last frame the sender took to write: see sent

    @property
    def sending_tree(self) -> bool:
        """Whether the next frame carries the whole tree (``send_tree``): ops that change it are not kept."""
        return self._whole is not None

    def carries(self) -> bool:
        """Whether inserted nodes' ops are kept (not while the whole tree goes next): a Reconciler's carry."""
        return self._whole is None

    def send_tree(self, tree: Callable[[], WireNode | None]) -> None:
        """The client holds nothing of the tree: the next frame carries ``tree()`` as it is then (one SNAP),
        and the ops that change it until then are not kept. So a new session's first run, which declares a
        whole conversation before its one frame goes, builds no op (nor a copy of any node) per message.
        ``tree()`` (called with the lock held, on the sender's thread) may return None instead: what it needs
        is being made elsewhere, and it calls ``tree_ready`` once it is; no frame goes meanwhile."""
        self._whole, self._ready = tree, True
        # A SNAP drops the tree ops the batch holds; take_frame puts the tree in its place.
        self._batch.push([SNAP, empty_root()])
        if not self._waiting:
            self._waiting = True
            self._wake(False)

    def hold_tree(self, held: bool) -> None:
        """A run starts (``held``) or ends declaring a history, one child per message, or a stored
        conversation is to be read before the next run (held until ``start_run``). While the whole tree is to
        go (``send_tree``), it waits for these, even past the sender's first wait: the page opening a long
        conversation gets it in one frame, not the empty page, or the first part of it and then the rest in
        slices of inserts, a decode and a layout each, the last messages, the ones on screen, last."""
        with self.lock:
            self._declaring = held
            if not held and self._whole is not None:
                # What follows a history (a chat input, the script's end) is quick: the run's end, given as
                # long as a run's start gives it, goes in the same frame, and the page draws it at once
                # instead of at its next animation frame, then again for the run's end.
                self.first_due = time.monotonic() + RUN_START_WAIT
                self._waiting = True
                self._wake(False)

    def tree_ready(self, tree: Callable[[], WireNode | None]) -> None:
        """What ``tree``, given to ``send_tree``, needs is made: the frame may go (call with the lock held;
        a ``tree`` since replaced by another is ignored)."""
        if self._whole is tree:
            self._ready = True
            self._waiting = self.urgent = True
            self._wake(True)

    def push(self, op: Op) -> None:
        if self._whole is None or op[0] not in _TREE:
            self._batch.push(op)
        if op[0] == RUN and op[1] != "running":
            # The end of a run is the end of a burst: waiting for the next frame slot only adds latency.
            self.urgent, self._declaring = True, False  # (a run that raised in its history ends it too)
            self._waiting = True
            self._wake(True)
        elif not self._waiting:
            self._waiting = True
            self._wake(False)

    def sent(self) -> None:
        """The sender took the frames pending to write them (or keep them for a tab away)."""
        with self.lock:
            self._sent_seq = self.seq
            self._sent.notify_all()

    def wait_sent(self, timeout: float = SENT_WAIT) -> bool:
        """Wait until the frames pending now went (``sent``), when a sender takes them (``paced``): work that
        must not delay them (and would, holding the GIL its thread needs) waits for this first. False if
        ``timeout`` passed first."""
        with self.lock:
            gone = lambda: not self.paced or (not self._waiting and self._sent_seq == self.seq)  # noqa: E731
            return self._sent.wait_for(gone, timeout)

    def start_run(self) -> None:
        """A run starts: its RUN op, and its first frame held back up to RUN_START_WAIT for the run's end."""
        with self.lock:
            self.first_due = time.monotonic() + RUN_START_WAIT
            read, self._declaring = self._declaring, False  # the conversation it shows is read (hold_tree)
            self.push([RUN, "running"])
            if read:  # a frame the hold stopped went nowhere: due now, after the wait
                self._waiting = True
                self._wake(False)

    def push_now(self, op: Op) -> None:
        """``push`` for callers that do not hold the lock."""
        with self.lock:
            self.push(op)

    def take_frame(self) -> bytes | None:
        """Number and encode everything pending as one frame (None if nothing is pending)."""
        with self.lock:
            if self._declaring and self._whole is not None:
                return None  # hold_tree wakes the sender at the history's end (pushes meanwhile need not)
            self._waiting = self.urgent = False
            self.first_due = 0.0
            if not self._ready:
                return None  # the client gets nothing before the tree: it could apply none of it
            whole = None
            if self._whole is not None:
                whole = self._whole()
                if whole is None:  # (being made: tree_ready says when)
                    self._ready = False
                    return None
                self._whole = None
            ops = self._batch.take()
            if whole is not None:
                ops = [[SNAP, whole] if op[0] == SNAP else op for op in ops]
            if not ops:
                return None
            self.seq += 1
            seq = self.seq
        self.status_only = all(op[0] == RUN for op in ops)
        frame = encode_frame(seq, compact(ops))
        self.frames += 1
        self.bytes += len(frame)
        self._replay.append((seq, frame))
        self._replay_size += len(frame)
        while self._replay_size > self._replay_limit:  # may empty it: a reconnect then gets a snapshot
            self._replay_size -= len(self._replay.popleft()[1])
        return frame

    def replay_after(self, last_seq: int) -> list[bytes] | None:
        """The frames after ``last_seq``, or None when some of them are no longer kept."""
        if last_seq == self.seq:
            return []
        if last_seq > self.seq or last_seq < 0:
            return None
        if not self._replay or self._replay[0][0] > last_seq + 1:
            return None
        return [frame for seq, frame in self._replay if seq > last_seq]

    def ack(self, seq: int) -> int:
        """The client applied everything up to ``seq``: those frames need no replay. Returns how many bytes
        of frames were let go (a long conversation opened while runs compete comes in many frames)."""
        released = 0
        while self._replay and self._replay[0][0] <= seq:
            released += len(self._replay.popleft()[1])
        self._replay_size -= released
        return released
