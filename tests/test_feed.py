"""Feeding write_stream: chunks from sync and async iterables reach the writer; Stop returns at once and closes
the user's generator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

from reactchat.feed import consume_async, consume_sync
from reactchat.interrupts import Cancel, StopRequested
from reactchat.markdown import DEFAULT
from reactchat.ops import Op
from reactchat.reconcile import Reconciler
from reactchat.stream import Writer
from reactchat.tree import Tree


def writer() -> Writer:
    ops: list[Op] = []
    rec = Reconciler(Tree(), ops.append, threading.Lock())
    rec.begin()
    node = rec.emit("markdown", {"html": "", "cuts": []})
    return Writer(rec, node, DEFAULT, 0.01)


def test_a_sync_iterable_is_fed_in_order() -> None:
    w = writer()
    consume_sync(w, iter(["a", "b", "c"]), Cancel())
    assert w.finish() == "abc"


def test_an_async_iterable_is_fed_in_order() -> None:
    async def chunks() -> AsyncIterator[str]:
        for c in ("x", "y"):
            await asyncio.sleep(0)
            yield c

    w = writer()
    asyncio.run(consume_async(w, chunks(), Cancel()))
    assert w.finish() == "xy"


def test_an_error_in_the_iterable_reaches_the_script() -> None:
    def broken() -> Iterator[str]:
        yield "part"
        raise KeyError("upstream")

    w = writer()
    try:
        consume_sync(w, broken(), Cancel())
    except KeyError as exc:
        assert exc.args == ("upstream",)
    else:
        raise AssertionError("the iterable's error was swallowed")
    assert w.finish() == "part"


def test_stop_returns_at_once_and_closes_a_blocked_generator() -> None:
    gate, closed, started = threading.Event(), threading.Event(), threading.Event()

    def stalls() -> Iterator[str]:
        try:
            yield "so far"
            started.set()
            gate.wait(10)  # the upstream model stalls
            yield "never shown"
        finally:
            closed.set()

    w, cancel = writer(), Cancel()
    threading.Thread(target=lambda: (started.wait(5), cancel.request(StopRequested)), daemon=True).start()
    consume_sync(w, stalls(), cancel)  # returns on Stop although the generator is blocked
    assert not gate.is_set() and not closed.is_set()
    assert w.finish() in ("", "so far")  # a chunk queued as Stop came may be dropped, never a later one
    gate.set()
    assert closed.wait(5)  # closed at its next yield: its finally ran
