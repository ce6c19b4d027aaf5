from __future__ import annotations

import threading
from typing import Any

import pytest

from reactchat.queues import Line, LineFull, hold, line, line_for
from reactchat.testing import ChatTest


def places(t: ChatTest) -> list[int]:
    return [node[2]["ahead"] for node in t.nodes("queue")]


def test_ten_sessions_against_a_limit_of_two_run_two_at_once_all_in_arrival_order() -> None:
    gates = [threading.Event() for _ in range(10)]
    changed = threading.Condition()
    running, most, started = [0], [0], []

    def slow(message: str, history: list[dict[str, Any]]) -> str:
        with changed:
            running[0] += 1
            most[0] = max(most[0], running[0])
            started.append(message)
            changed.notify_all()
        gates[int(message)].wait(10)
        with changed:
            running[0] -= 1
        return f"answer {message}"

    def started_count(n: int) -> None:
        with changed:
            assert changed.wait_for(lambda: len(started) == n, 10), started

    tabs = [ChatTest.from_function(slow, concurrency_limit=2) for _ in range(10)]
    try:
        for i, t in enumerate(tabs):
            t.send(str(i), wait=False)
            if i < 2:
                started_count(i + 1)
            else:  # in line: its place shows under its message
                t.wait_for(lambda t, i=i: places(t) == [i - 2])
        assert started == ["0", "1"]
        for i in range(10):  # one ends, the next in line starts
            gates[i].set()
            started_count(min(i + 3, 10))
        for i, t in enumerate(tabs):
            t.wait()
            assert [m["content"] for m in t.messages] == [str(i), f"answer {i}"]
            assert t.nodes("queue") == []  # the place is gone once the answer comes
        assert most[0] == 2
        assert started == [str(i) for i in range(10)]
    finally:
        for g in gates:
            g.set()
        for t in tabs:
            t.close()


def test_the_place_shown_moves_up_as_the_line_moves() -> None:
    gates = [threading.Event() for _ in range(3)]

    def slow(message: str, history: list[dict[str, Any]]) -> str:
        gates[int(message)].wait(10)
        return "done " + message

    tabs = [ChatTest.from_function(slow, concurrency_limit=1) for _ in range(3)]
    try:
        tabs[0].send("0", wait=False).wait_for(lambda t: len(t.messages) == 1 and t.run_state == "running")
        tabs[1].send("1", wait=False).wait_for(lambda t: places(t) == [0])
        tabs[2].send("2", wait=False).wait_for(lambda t: places(t) == [1])
        gates[0].set()
        tabs[2].wait_for(lambda t: places(t) == [0])  # one ahead left: updated while it waits
        gates[1].set()
        gates[2].set()
        assert [m["content"] for m in tabs[2].wait().messages] == ["2", "done 2"]
    finally:
        for g in gates:
            g.set()
        for t in tabs:
            t.close()


def test_stop_while_waiting_leaves_the_line_at_once() -> None:
    gate = threading.Event()
    calls: list[str] = []

    def slow(message: str, history: list[dict[str, Any]]) -> str:
        calls.append(message)
        gate.wait(10)
        return "done " + message

    first = ChatTest.from_function(slow, concurrency_limit=1)
    second = ChatTest.from_function(slow, concurrency_limit=1)
    third = ChatTest.from_function(slow, concurrency_limit=1)
    try:
        first.send("a", wait=False).wait_for(lambda t: calls == ["a"])
        second.send("b", wait=False).wait_for(lambda t: places(t) == [0])
        third.send("c", wait=False).wait_for(lambda t: places(t) == [1])
        second.stop().wait(timeout=1)  # well within the stop grace: nothing had to be forced
        assert second.run_state == "stopped"
        assert second.nodes("queue") == []
        third.wait_for(lambda t: places(t) == [0])  # the one that left no longer counts
        gate.set()
        third.wait()
        assert calls == ["a", "c"]  # the stopped one never ran
    finally:
        gate.set()
        for t in (first, second, third):
            t.close()


def test_a_session_that_ends_leaves_the_line() -> None:
    waiting = line("test-session-ends", 1)
    gate = threading.Event()
    source = (
        "import reactchat as rc\n"
        "if rc.chat_input() is not None:\n"
        "    with rc.queue('test-session-ends', limit=1):\n"
        "        rc.message('assistant', 'inside')\n"
    )
    t = ChatTest.from_source(source)
    try:
        with hold(waiting):
            t.send("go", wait=False).wait_for(lambda t: places(t) == [0])
            assert waiting.waiting == 1
            t.close()
            t.session.wait_idle(2)
            assert waiting.waiting == 0
        assert waiting.holding == 0
    finally:
        gate.set()
        t.close()


def test_rc_queue_in_a_plain_script_shows_the_place_where_it_waits() -> None:
    waiting = line("test-plain-script", 1)
    source = (
        "import reactchat as rc\n"
        "if rc.chat_input() is not None:\n"
        "    with rc.message('assistant'):\n"
        "        with rc.queue('test-plain-script', limit=1):\n"
        "            rc.markdown('inside')\n"
    )
    t = ChatTest.from_source(source)
    try:
        with hold(waiting):
            t.send("go", wait=False).wait_for(lambda t: places(t) == [0])
            message = t.nodes("message")[0]
            assert message[3][0][1] == "queue"  # shown inside the message it waits for
        assert t.wait().messages == [{"role": "assistant", "content": "inside"}]
    finally:
        t.close()


def test_a_line_grants_in_arrival_order_and_a_bounded_caller_is_refused() -> None:
    waiting = Line("unit", 1)
    woken: list[str] = []
    first = waiting.join(lambda: woken.append("first"))
    second = waiting.join(lambda: woken.append("second"), max_waiting=1)
    with pytest.raises(LineFull, match="1 requests already wait for 'unit'"):
        waiting.join(lambda: None, max_waiting=1)
    third = waiting.join(lambda: woken.append("third"))
    assert (first.granted, second.granted, third.granted) == (True, False, False)
    assert (second.ahead, third.ahead) == (0, 1)
    waiting.leave(first)
    assert second.granted and third.ahead == 0 and woken == ["second", "third"]
    waiting.leave(second)
    waiting.leave(second)  # leaving twice frees one place only
    assert third.granted and waiting.holding == 1
    waiting.resize(3)
    assert waiting.limit == 3


def test_limits_are_checked_and_a_function_without_one_has_no_line() -> None:
    with pytest.raises(ValueError, match="at least 1; got 0"):
        line("bad", 0)
    assert line_for(print, None) is None
    shared = line_for(print, 2, "shared-model")
    assert shared is line("shared-model", 2)
