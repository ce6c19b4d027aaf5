from __future__ import annotations

import pathlib
import textwrap
from collections.abc import Callable

from reactchat.config import Config
from reactchat.testing import ChatTest

ECHO = pathlib.Path("examples/echo.py").read_text()


def test_a_script_error_becomes_an_error_element_and_the_session_keeps_working(
    write_app: Callable[[str], str],
) -> None:
    path = write_app("""
        import reactchat as rc
        rc.session_state.setdefault("history", [])
        for m in rc.session_state.history:
            rc.message(m)
        if prompt := rc.chat_input():
            rc.session_state.history.append({"role": "user", "content": prompt})
            rc.message("user", prompt)
            if prompt == "boom":
                {}["missing"]
    """)
    t = ChatTest.from_file(path)
    t.send("fine")
    t.send("boom")
    assert t.run_state == "error"
    error = t.errors[0]
    assert error["type"] == "KeyError"
    assert [f["file"] for f in error["frames"]] == [path]
    assert error["frames"][0]["code"] == '{}["missing"]'
    assert [m["content"] for m in t.messages] == ["fine", "boom"]
    t.send("after")
    assert t.run_state == "done" and t.errors == []
    assert [m["content"] for m in t.messages] == ["fine", "boom", "after"]


def test_an_error_keeps_what_the_run_did_not_reach(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.setdefault("n", 0)
        rc.session_state.n += 1
        rc.chat_input()
        if rc.session_state.n == 2:
            raise ValueError("second run fails")
        rc.message("assistant", "below the input")
    """)
    )
    t.send("x")
    assert t.errors and [m["content"] for m in t.messages] == ["below the input"]


def test_a_syntax_error_on_edit_shows_the_overlay_and_keeps_the_transcript() -> None:
    t = ChatTest.from_source(ECHO)
    t.send("hello")
    t.edit_script(ECHO + "\nif True print('broken')\n")
    assert t.overlay is not None
    assert t.overlay["line"] == ECHO.count("\n") + 2 and t.overlay["file"] == t.script.path
    assert "SyntaxError" in t.overlay["message"]
    assert [m["content"] for m in t.messages] == ["hello", "You said: hello"]
    t.send("still works")  # the previous code keeps serving
    assert t.messages[-1]["content"] == "You said: still works"
    t.edit_script(ECHO.replace("You said", "Echo"))
    assert t.overlay is None
    t.send("new code")
    assert t.messages[-1]["content"] == "Echo: new code"


def test_a_save_that_changes_nothing_does_not_rerun() -> None:
    t = ChatTest.from_source(ECHO)
    runs = len([op for op in t.ops if op == [1, "running"]])
    t.edit_script(ECHO)
    assert len([op for op in t.ops if op == [1, "running"]]) == runs


def test_an_edit_interrupts_a_running_stream_and_reruns(write_app: Callable[[str], str]) -> None:
    source = """
        import threading
        import reactchat as rc
        rc.markdown("VERSION")
        if rc.chat_input():
            with rc.message("assistant"):
                rc.write_stream(iter(lambda: threading.Event().wait(0.01) and "" or ".", None))
    """
    t = ChatTest.from_file(write_app(source))
    t.send("go", wait=False)
    t.wait_for(lambda t: len(t.messages) == 1 and "..." in t.messages[0]["content"])
    t.edit_script(textwrap.dedent(source).replace("VERSION", "NEW VERSION"))
    assert "NEW VERSION" in t.texts()[0]["html"]
    assert t.run_state == "done"


def test_a_run_that_ignores_stop_is_abandoned_and_the_session_recovers(
    write_app: Callable[[str], str],
) -> None:
    t = ChatTest.from_file(
        write_app("""
            import threading
            import reactchat as rc
            rc.session_state.setdefault("runs", 0)
            rc.session_state.runs += 1
            if (text := rc.chat_input()) == "hang":
                threading.Event().wait(3)  # no checkpoint: Stop cannot reach it
                rc.session_state.late_write = True
            elif text:
                rc.message("assistant", "alive")
        """),
        config=Config(stop_grace=0.2),
    )
    t.send("hang", wait=False)
    t.wait_for(lambda t: t.run_state == "running")
    t.stop()
    t.wait_for(lambda t: t.run_state == "stopped")
    t.send("ping")
    assert t.messages[-1]["content"] == "alive"
    assert "late_write" not in t.session.state


def test_close_stops_the_run_and_ends_the_worker(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app(STREAMING_FOREVER))
    t.send("go", wait=False)
    t.wait_for(lambda t: t.run_state == "running")
    t.close()
    assert t.session.wait_idle(5)


STREAMING_FOREVER = """
    import time
    import reactchat as rc
    def forever():
        while True:
            time.sleep(0.005)
            yield "."
    if rc.chat_input():
        with rc.message("assistant"):
            rc.write_stream(forever())
"""


def test_duplicate_events_are_dropped() -> None:
    from reactchat.protocol import Event

    t = ChatTest.from_source(ECHO)
    node_id = t.session.tree.find("chat_input")[0].id
    assert t.session.submit(Event(1, node_id, "submit", "once"))
    assert not t.session.submit(Event(1, node_id, "submit", "once"))
    t.wait()
    assert [m["content"] for m in t.messages] == ["once", "You said: once"]


def test_idle_sessions_hold_no_file_descriptors() -> None:
    import os

    before = len(os.listdir("/proc/self/fd"))
    tests = [ChatTest.from_source(ECHO) for _ in range(50)]
    assert len(os.listdir("/proc/self/fd")) - before < 10  # an event loop would cost 2+ each
    for t in tests:
        t.close()


def _notes(t: ChatTest) -> list[str]:
    from reactchat.ops import NOTE

    return [op[1] for op in t.ops if op[0] == NOTE]


def _session_threads(t: ChatTest) -> list[str]:
    import threading

    return [th.name for th in threading.enumerate() if th.name == f"reactchat-session-{t.session.token[:6]}"]


def test_stop_ends_a_pure_python_loop_that_reaches_no_checkpoint(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
            import reactchat as rc
            if (text := rc.chat_input()) == "spin":
                rc.message("user", text)
                while True:
                    pass
            elif text:
                rc.message("assistant", "alive")
        """),
        config=Config(stop_grace=30),  # far beyond the test's wait: only the forced interrupt can end it
    )
    t.send("spin", wait=False)
    t.wait_for(lambda t: t.run_state == "running" and len(t.messages) == 1)
    t.stop()
    t.wait_for(lambda t: t.run_state == "stopped")
    assert _notes(t) == []  # ended, not abandoned
    # The spinning loop really ended: the worker thread finished its run and, the session being idle, ended.
    t.wait_for(lambda t: len(_session_threads(t)) == 0)
    t.send("ping")
    assert t.messages[-1]["content"] == "alive"


def test_an_abandoned_run_is_reported_on_the_page(write_app: Callable[[str], str]) -> None:
    import threading

    release = threading.Event()
    t = ChatTest.from_file(
        write_app("""
            import reactchat as rc
            if (text := rc.chat_input()) == "hang":
                release.wait(30)  # blocked in C: no interrupt reaches it
            elif text:
                rc.message("assistant", "alive")
        """),
        config=Config(stop_grace=0.2),
        names={"release": release},
    )
    t.send("hang", wait=False)
    t.wait_for(lambda t: t.run_state == "running")
    t.stop()
    t.wait_for(lambda t: t.run_state == "stopped")
    t.wait_for(lambda t: any("could not be stopped" in n for n in _notes(t)))
    release.set()


def test_too_many_abandoned_runs_hold_new_messages_until_one_ends(write_app: Callable[[str], str]) -> None:
    import threading

    release = threading.Event()
    t = ChatTest.from_file(
        write_app("""
            import reactchat as rc
            if (text := rc.chat_input()) == "hang":
                release.wait(30)
            elif text:
                rc.message("assistant", "answer to " + text)
        """),
        config=Config(stop_grace=0.2, max_abandoned_runs=1),
        names={"release": release},
    )
    t.send("hang", wait=False)
    t.wait_for(lambda t: t.run_state == "running")
    t.stop()
    t.wait_for(lambda t: any("still run" in n for n in _notes(t)))
    t.send("queued", wait=False)
    t.wait_for(lambda t: sum("still run" in n for n in _notes(t)) == 2)  # held, and the page says why
    assert t.messages == []
    release.set()  # the abandoned run's thread ends; the held message is answered, not lost
    t.wait_for(lambda t: t.messages and t.messages[-1]["content"] == "answer to queued")


def test_events_are_numbered_per_tab_and_a_number_far_ahead_is_refused() -> None:
    import pytest

    from reactchat.protocol import Event

    t = ChatTest.from_source(ECHO)
    node_id = t.session.tree.find("chat_input")[0].id
    assert t.session.submit(Event(5, node_id, "submit", "from a"), tab="a")  # a new tab may start anywhere
    assert t.session.submit(Event(5, node_id, "submit", "from b"), tab="b")  # same number, another tab
    assert not t.session.submit(Event(5, node_id, "submit", "from a"), tab="a")  # a resend
    with pytest.raises(ValueError, match="event number 100000 jumps past 1005"):
        t.session.submit(Event(100_000, node_id, "submit", "brick"), tab="a")
    assert t.session.submit(Event(6, node_id, "submit", "still fine"), tab="a")
    t.wait()
    assert [m["content"] for m in t.messages if m["role"] == "user"] == ["from a", "from b", "still fine"]
    assert (t.session.hello("a")[0], t.session.hello("b")[0], t.session.hello("c")[0]) == (6, 5, 0)


def test_an_idle_session_holds_no_thread(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
            import asyncio
            import reactchat as rc
            await asyncio.sleep(0)
            if text := rc.chat_input():
                rc.message("assistant", f"got {text}")
        """)
    )
    t.wait_for(lambda t: _session_threads(t) == [])
    for word in ("one", "two"):  # each burst of work takes a thread, and the async script its session's loop
        t.send(word)
        assert t.messages[-1]["content"] == f"got {word}"
        t.wait_for(lambda t: _session_threads(t) == [])
    assert t.errors == []


OPENING = """
import time
import reactchat as rc
started = time.monotonic()
spent = time.thread_time()
while time.thread_time() - spent < 0.8:  # a long history's first run: it computes (tabs start apart)
    pass
SPANS.append((started, time.monotonic()))
rc.chat_input()
"""


def test_first_runs_of_tabs_opening_at_once_take_turns_two_at_a_time() -> None:
    import threading

    from reactchat.gate import AT_ONCE

    spans: list[tuple[float, float]] = []
    opened = [threading.Thread(target=lambda: ChatTest.from_source(OPENING, names={"SPANS": spans}).close())
              for _ in range(AT_ONCE + 1)]  # fmt: skip
    for thread in opened:
        thread.start()
    for thread in opened:
        thread.join(30)
    assert len(spans) == AT_ONCE + 1
    last = max(spans)  # the one that came last in line started once one of the others had ended
    assert last[0] >= min(end for start, end in spans if (start, end) != last)
