from __future__ import annotations

import threading

import pytest

from reactchat.interrupts import (
    Cancel,
    Interrupt,
    RerunRequested,
    RunAbandoned,
    ScriptStopped,
    StopRequested,
)


def test_interrupts_get_past_a_scripts_except_exception() -> None:
    for kind in (StopRequested, RerunRequested, ScriptStopped, RunAbandoned):
        with pytest.raises(kind):
            try:
                raise kind()
            except Exception:  # what a user's script writes around a model call
                pytest.fail(f"{kind.__name__} was caught by `except Exception`")
        assert issubclass(kind, Interrupt)


def test_a_fresh_token_raises_nothing() -> None:
    cancel = Cancel()
    assert not cancel.requested
    cancel.check()
    cancel.check_writable()


def test_check_raises_the_requested_interrupt() -> None:
    for kind in (StopRequested, RerunRequested, ScriptStopped):
        cancel = Cancel()
        cancel.request(kind)
        assert cancel.requested and cancel.kind is kind
        with pytest.raises(kind):
            cancel.check()


def test_the_first_request_wins() -> None:
    cancel = Cancel()
    cancel.request(RerunRequested)
    cancel.request(ScriptStopped)
    assert cancel.kind is RerunRequested
    cancel = Cancel()
    cancel.request(StopRequested)
    cancel.request(RerunRequested)  # a code edit after Stop must not turn the Stop into a rerun
    assert cancel.kind is StopRequested


def test_stop_beats_an_earlier_rerun() -> None:
    cancel = Cancel()
    cancel.request(RerunRequested)
    cancel.request(StopRequested)
    assert cancel.kind is StopRequested
    with pytest.raises(StopRequested):
        cancel.check()


def test_a_pending_interrupt_does_not_refuse_writes_but_abandoning_does() -> None:
    cancel = Cancel()
    cancel.request(StopRequested)
    cancel.check_writable()  # a stopped run still writes its partial answer
    cancel.abandon()
    assert cancel.requested
    with pytest.raises(RunAbandoned):
        cancel.check_writable()
    with pytest.raises(RunAbandoned):  # abandoned outranks the pending Stop
        cancel.check()


def test_abandon_alone_ends_the_run() -> None:
    cancel = Cancel()
    cancel.abandon()
    assert cancel.requested and cancel.kind is None
    with pytest.raises(RunAbandoned):
        cancel.check()


def test_only_the_innermost_wakeup_is_called() -> None:
    cancel = Cancel()
    calls: list[str] = []
    with cancel.on_request(lambda: calls.append("outer")):
        with cancel.on_request(lambda: calls.append("inner")):
            cancel.request(RerunRequested)
        assert calls == ["inner"]
        cancel.request(StopRequested)  # the inner block is over: the outer one is innermost again
    assert calls == ["inner", "outer"]
    cancel.request(StopRequested)  # no block is running: nothing to wake
    assert calls == ["inner", "outer"]


def test_an_ignored_request_wakes_nobody() -> None:
    cancel = Cancel()
    calls: list[str] = []
    cancel.request(RerunRequested)
    with cancel.on_request(lambda: calls.append("woken")):
        cancel.request(ScriptStopped)  # loses to the earlier rerun
    assert calls == [] and cancel.kind is RerunRequested


def test_a_request_from_another_thread_wakes_a_blocked_run() -> None:
    cancel = Cancel()
    woken = threading.Event()
    woken_by: list[str] = []
    registered = threading.Event()

    def wakeup() -> None:
        woken_by.append(threading.current_thread().name)
        woken.set()

    def run() -> None:
        with cancel.on_request(wakeup):
            registered.set()
            woken.wait(10)  # what a stream does while it waits for its next chunk

    runner = threading.Thread(target=run, name="run")
    runner.start()
    assert registered.wait(10)
    requester = threading.Thread(target=cancel.request, args=(StopRequested,), name="stop-button")
    requester.start()
    requester.join(10)
    runner.join(10)
    assert not runner.is_alive()
    assert woken_by == ["stop-button"]  # called from the requesting thread
    with pytest.raises(StopRequested):
        cancel.check()
