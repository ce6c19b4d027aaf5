"""The gate first runs take turns at: only computing counts, for a turn at most, first come first served."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reactchat.gate import Gate, thread_clock

WAIT = 10.0  # seconds a test waits for what must happen (it happens in a fraction of that)


def _hold(gate: Gate, work: Callable[[], None]) -> tuple[threading.Thread, threading.Event]:
    """A thread that passes ``gate`` and then does ``work`` within it; the event tells it passed."""
    passed = threading.Event()

    def go() -> None:
        with gate.passage():
            passed.set()
            work()

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    return thread, passed


def _compute(until: threading.Event) -> Callable[[], None]:
    def work() -> None:
        while not until.is_set():
            sum(range(1000))

    return work


def test_a_run_that_computes_keeps_the_next_waiting_until_it_is_done() -> None:
    gate, done = Gate(width=1, turn=60), threading.Event()
    first, first_in = _hold(gate, _compute(done))
    assert first_in.wait(WAIT)
    second, second_in = _hold(gate, lambda: None)
    assert not second_in.wait(0.5) and gate.waiting == 1  # (five looks at the first: all computing)
    done.set()
    assert second_in.wait(WAIT)
    first.join(WAIT), second.join(WAIT)


def test_a_run_that_waits_rather_than_computes_lets_the_next_go_beside_it() -> None:
    if thread_clock() is None:
        pytest.skip("this platform has no per-thread CPU clock: a turn is counted whole")
    gate, answer = Gate(width=1, turn=60), threading.Event()
    first, first_in = _hold(gate, lambda: answer.wait(WAIT))  # (a model's answer it waits for)
    assert first_in.wait(WAIT)
    second, second_in = _hold(gate, lambda: None)
    assert second_in.wait(WAIT) and not answer.is_set()
    answer.set()
    first.join(WAIT), second.join(WAIT)


def test_a_run_that_computes_longer_than_its_turn_lets_the_next_go_beside_it() -> None:
    gate, done = Gate(width=1, turn=0.2), threading.Event()
    first, first_in = _hold(gate, _compute(done))
    assert first_in.wait(WAIT)
    second, second_in = _hold(gate, lambda: None)
    assert second_in.wait(WAIT) and not done.is_set()
    done.set()
    first.join(WAIT), second.join(WAIT)


def test_as_many_as_its_width_go_at_once_and_the_rest_in_the_order_they_came() -> None:
    gate, done = Gate(width=2, turn=60), threading.Event()
    holders = [_hold(gate, _compute(done)) for _ in range(2)]
    assert all(passed.wait(WAIT) for _, passed in holders)
    _, third_in = _hold(gate, lambda: None)
    assert _waited_for(lambda: gate.waiting == 1) and gate.counted == 2
    done.set()
    assert third_in.wait(WAIT)
    gate, done, order = Gate(width=1, turn=60), threading.Event(), []
    holders = [_hold(gate, _compute(done))]
    assert holders[0][1].wait(WAIT)
    for i in range(3):  # one at a time after the first: each one's work is done before the next goes
        holders.append(_hold(gate, lambda i=i: order.append(i)))
        assert _waited_for(lambda n=i + 1: gate.waiting == n)
    done.set()
    for thread, _ in holders:
        thread.join(WAIT)
    assert order == [0, 1, 2]


def test_a_passage_not_wanted_does_not_wait_and_a_gate_lets_one_through_at_least() -> None:
    gate, done = Gate(width=1, turn=60), threading.Event()
    first, first_in = _hold(gate, _compute(done))
    assert first_in.wait(WAIT)
    with gate.passage(wanted=False):
        assert gate.counted == 1
    done.set()
    first.join(WAIT)
    with pytest.raises(ValueError, match="width=0"):
        Gate(width=0)


def _waited_for(condition: Callable[[], bool]) -> bool:
    done = threading.Event()
    for _ in range(int(WAIT / 0.01)):
        if condition():
            return True
        done.wait(0.01)
    return False
