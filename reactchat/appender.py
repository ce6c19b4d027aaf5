"""Streamed text on its way to the store: one appender per store object gathers the deltas every streaming
reply of the process hands it and writes them in one transaction at a time (a group commit).

Each reply's frame waits for the transaction holding its text before it shows it, so a browser still never
shows text the store does not hold; while one transaction is written, the next frames' deltas gather for the
next. A store write costs a pool checkout, a transaction and its round trips: paid once per batch instead
of once per frame of every stream. Each delta is written under the fence its run holds (checked, with the
others', in the batch's one statement): a run whose lease was taken writes nothing, and the others in its
batch are written all the same.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from reactchat.leases import Fence, current_fence

__all__ = ["IDLE", "Appender", "Batching", "appender_for"]

log = logging.getLogger("reactchat")

IDLE = 5.0  # seconds without deltas after which the appender's thread ends (the next delta starts one)


@runtime_checkable
class Batching(Protocol):
    """A store that writes many runs' deltas in one transaction (``SqlMessageStore.append_each``)."""

    def append_each(
        self, appends: Sequence[tuple[str, str, str, Fence | None]]
    ) -> list[Exception | None]: ...


class _Delta:
    __slots__ = ("append", "done", "error")

    def __init__(self, append: tuple[str, str, str, Fence | None]) -> None:
        self.append = append
        self.done = threading.Event()
        self.error: BaseException | None = None


class Appender:
    """The deltas of every streaming reply of a process, written to ``store`` a batch at a time."""

    def __init__(self, store: Batching) -> None:
        self._store = weakref.ref(store)  # (the registry's key: held weakly, or it would never go)
        self._cond = threading.Condition()
        self._pending: list[_Delta] = []
        self._thread: threading.Thread | None = None
        self.cpu = 0.0  # CPU seconds its thread has spent writing (benchmarks add it to the runs' own)

    def append(self, owner: str, message_id: str, delta: str) -> None:
        """``Store.append``, under the caller's fence (``leases.fenced``), returning once it is committed.

        Raises:
            what ``Store.append`` raises: LeaseLost, NotFound, ValueError, StoreError.
        """
        pending = _Delta((owner, message_id, delta, current_fence()))
        with self._cond:
            self._pending.append(pending)
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="reactchat-appender", daemon=True)
                self._thread.start()
            self._cond.notify()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def _write(self) -> None:
        while True:
            with self._cond:
                if not self._pending and not self._cond.wait_for(lambda: self._pending, IDLE):
                    self._thread = None
                    return
                batch, self._pending = self._pending, []
            started, store = time.thread_time(), self._store()
            try:
                if store is None:
                    raise RuntimeError("the store was closed and dropped")
                outcomes = self._outcomes(store, batch)
            except Exception as error:  # the store failed: every delta of the batch did, with its reason
                outcomes = [error] * len(batch)
            del store
            self.cpu += time.thread_time() - started
            for pending, outcome in zip(batch, outcomes, strict=True):
                pending.error = outcome
                pending.done.set()

    @staticmethod
    def _outcomes(store: Batching, batch: list[_Delta]) -> Sequence[BaseException | None]:
        try:
            return store.append_each([d.append for d in batch])
        except Exception:
            if len(batch) == 1:
                raise
        # The whole batch failed (a deadlock with a process taking over one of its conversations, a
        # connection lost): each delta again on its own, so one run's trouble is not every run's.
        outcomes: list[BaseException | None] = []
        for pending in batch:
            try:
                outcomes += store.append_each([pending.append])
            except Exception as error:
                outcomes.append(error)
        return outcomes


_BY_STORE: weakref.WeakKeyDictionary[Any, Appender] = weakref.WeakKeyDictionary()
_BY_STORE_LOCK = threading.Lock()


def appender_for(store: Batching) -> Appender:
    """The appender of ``store`` (one per store object in this process)."""
    with _BY_STORE_LOCK:
        found = _BY_STORE.get(store)
        if found is None:
            found = _BY_STORE[store] = Appender(store)
        return found
