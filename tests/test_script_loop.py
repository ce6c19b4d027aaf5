"""The event loop of a session's async scripts: one for every run, replaced after an abandoned run, closed by
the last worker that used it."""

from __future__ import annotations

import asyncio
import threading

from reactchat.script_loop import ScriptLoop


def test_every_run_gets_the_same_loop_until_one_is_abandoned() -> None:
    holder = ScriptLoop(threading.Condition())
    used: list[asyncio.AbstractEventLoop] = []
    get = holder.source(used)
    first = get()
    assert get() is first and used == [first]
    holder.drop()  # an abandoned run may still be running it
    second = holder.source([])()
    assert second is not first
    holder.release(used, closing=False)  # the abandoned run's worker ends: it closes the loop it used
    assert first.is_closed() and not second.is_closed()
    taken = holder.take()
    assert taken is second and holder.loop is None
    second.close()


def test_a_worker_ending_as_the_session_closes_closes_the_loop() -> None:
    holder = ScriptLoop(threading.Condition())
    used: list[asyncio.AbstractEventLoop] = []
    loop = holder.source(used)()
    holder.release(used, closing=False)
    assert not loop.is_closed()  # kept for the next run
    holder.release(used, closing=True)
    assert loop.is_closed() and holder.loop is None
