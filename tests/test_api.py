from __future__ import annotations

from collections.abc import Callable

import pytest

from reactchat.testing import ChatTest


def test_message_accepts_role_and_content_or_a_dict(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message("user", "hi")
        rc.message({"role": "assistant", "content": "**hello**"})
        with rc.message("system"):
            rc.markdown("part one")
            rc.markdown("part two")
    """)
    )
    assert t.messages == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "system", "content": "part one\n\npart two"},
    ]
    assert "<strong>hello</strong>" in t.nodes("markdown")[1][2]["html"]


def test_bad_role_is_an_error_element_naming_the_value(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.message("robot", "hi")
    """)
    )
    assert t.run_state == "error"
    assert t.errors[0]["type"] == "ValueError" and "'robot'" in t.errors[0]["message"]


def test_title_is_declared(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.title('My bot')\n"))
    assert t.title == "My bot"


def test_chat_input_returns_the_text_only_on_the_run_it_triggered(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.setdefault("seen", [])
        rc.session_state.seen.append(rc.chat_input("Ask"))
    """)
    )
    t.send("one")
    t.session.request_rerun()
    t.wait()
    assert t.session.state["seen"] == [None, "one", None]
    assert t.nodes("chat_input")[0][2] == {"placeholder": "Ask"}


def test_session_state_survives_reruns_and_has_attribute_access(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        if "count" not in rc.session_state:
            rc.session_state.count = 0
        rc.session_state.count += 1
        rc.session_state["other"] = rc.session_state.count * 2
        rc.chat_input()
    """)
    )
    t.send("a")
    t.send("b")
    assert t.session.state["count"] == 3 and t.session.state.other == 6


def test_missing_session_state_key_says_how_to_set_it(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(write_app("import reactchat as rc\nrc.session_state.nope\n"))
    assert t.errors[0]["type"] == "AttributeError"
    assert "no key 'nope'" in t.errors[0]["message"]


def test_rerun_runs_the_script_again(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.session_state.setdefault("n", 0)
        rc.session_state.n += 1
        if rc.session_state.n < 3:
            rc.rerun()
        rc.markdown(f"runs: {rc.session_state.n}")
    """)
    )
    assert t.session.state["n"] == 3
    assert t.run_state == "done"


def test_stop_ends_the_run_like_the_end_of_the_script(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import reactchat as rc
        rc.markdown("before")
        rc.stop()
        rc.markdown("after")
    """)
    )
    assert t.run_state == "done"
    assert len(t.nodes("markdown")) == 1


def test_functions_outside_a_run_raise_a_clear_error() -> None:
    import reactchat as rc

    with pytest.raises(RuntimeError, match="only work inside a running app"):
        rc.markdown("x")


def test_top_level_await_works(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file(
        write_app("""
        import asyncio
        import reactchat as rc
        await asyncio.sleep(0)
        rc.message("assistant", "awaited")
    """)
    )
    assert t.messages == [{"role": "assistant", "content": "awaited"}]


def test_duplicate_keys_are_an_error_naming_both_lines(write_app: Callable[[str], str]) -> None:
    path = write_app("""
        import reactchat as rc
        rc.message("user", "a", key="k")
        rc.message("user", "b", key="k")
    """)
    t = ChatTest.from_file(path)
    assert t.errors[0]["type"] == "DuplicateKeyError"
    assert f"{path}:3" in t.errors[0]["message"] and f"{path}:4" in t.errors[0]["message"]


def test_unchanged_history_costs_no_bytes_on_the_next_turn(write_app: Callable[[str], str]) -> None:
    t = ChatTest.from_file("examples/echo.py")
    for i in range(20):
        t.send(f"message {i}")
    before = t.bytes_sent
    t.send("short")
    small = t.bytes_sent - before
    assert small < 400
    assert t.tree == t.session.tree.to_wire()
