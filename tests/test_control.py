from __future__ import annotations

from collections.abc import Callable

from reactchat.testing import ChatTest


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
    assert len(t.texts()) == 1
